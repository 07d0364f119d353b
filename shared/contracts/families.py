"""The families service's contract: the register of the families the association serves
(一户一档), what it accepts and answers, and its codes."""
from marshmallow import Schema, fields, validate

from shared.contracts.volunteers import SKILLS
from shared.fields import Day, FreeText, Mobile, ResidentId, Text, Whole
from shared.schemas import MAX_ID, PageIn, Strict

CATEGORIES = ("only_child", "two_daughters", "special_bereaved", "special_disabled",
              "left_behind_child", "left_behind_woman", "left_behind_elder", "other")
RELATIONS = ("head", "spouse", "child", "other")
HEAD = "head"
MAX_MEMBERS = 20
# What a change of a family may touch (named in families.family_updated).
CHANGEABLE = ("category", "low_income", "address", "village_code", "members")

# Administrative codes: a county (6 digits), a township (9) or a village (12).
VILLAGE_CODE = validate.Regexp(r"^[0-9]{6,12}$", error="Must be 6 to 12 digits.")


def FamilyId(**options) -> Whole:
    """The id of a family in the register, where another service acts for one."""
    return Whole(validate=validate.Range(min=1, max=MAX_ID),
                 metadata={"description": "the family's id in the families register"}, **options)


# Error codes this service answers with (besides invalid_input, unsigned_actor and
# role_not_allowed, which every service uses).
ERRORS = {
    "family_not_found": "No such family (404).",
    "invalid_members": "A person listed twice, or not exactly one head (422 by member).",
    "already_in_family": "A member already belongs to another family of the association; "
                         "the message names its family_no (409 by member).",
}
MAX_EVERY_DAYS = 366


class MemberIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    phone = Mobile(load_default=None, allow_none=True)


def _members(**options):
    return fields.List(fields.Nested(MemberIn),
                       validate=validate.Length(min=1, max=MAX_MEMBERS), **options)


def LowIncome(**options) -> fields.Boolean:
    return fields.Boolean(metadata={"description": "a low-income family (低收入家庭)"}, **options)


class FamilyIn(Strict):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    low_income = LowIncome(load_default=False)
    address = Text(required=True, validate=validate.Length(max=200))
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    members = _members(required=True)


class FamilyRowIn(Strict):
    """One person of a household in a spreadsheet of the register: a row each, the rows of
    a household sharing its `household_no` (the number in the old register, used only to
    group them). The household's own fields are read from its first row."""
    household_no = Text(required=True, validate=validate.Length(max=60))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    low_income = LowIncome(load_default=False)
    address = Text(required=True, validate=validate.Length(max=200))
    village_code = fields.String(required=True, validate=VILLAGE_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    phone = Mobile(load_default=None, allow_none=True)


class FamilyUpdateIn(Strict):
    """Only the fields given change; `members`, when given, replace all the members."""
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    low_income = LowIncome()
    address = Text(validate=validate.Length(max=200))
    village_code = fields.String(validate=VILLAGE_CODE)
    members = _members()


class FamilyListIn(PageIn):
    category = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(CATEGORIES))
    low_income = LowIncome(load_default=None, allow_none=True)
    village_code = fields.String(load_default=None, allow_none=True, validate=VILLAGE_CODE,
                                 metadata={"description": "a village's code, or a township's "
                                                          "to list all of its villages"})


class VillageIn(Strict):
    village_code = fields.String(required=True, validate=VILLAGE_CODE,
                                 metadata={"description": "a village's code, or a township's "
                                                          "for all of its villages"})


class CarePlanIn(Strict):
    """A visit every `every_days` days from `starts_on`, by volunteers with these skills."""
    every_days = Whole(required=True, validate=validate.Range(min=1, max=MAX_EVERY_DAYS))
    skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)), required=True,
                         validate=validate.Length(min=1, max=len(SKILLS)))
    starts_on = Day(required=True)


# What comes back: the service dumps every answer through these (shared.schemas.shaped).
class MemberOut(Schema):
    id = Whole()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    relation = fields.String(metadata={"description": ", ".join(RELATIONS)})
    phone = fields.String(allow_none=True, metadata={"description": "masked"})


class FamilyOut(Schema):
    id = Whole()
    family_no = fields.String(metadata={"description": "e.g. F-341181-0001"})
    category = fields.String(metadata={"description": ", ".join(CATEGORIES)})
    low_income = LowIncome()
    address = FreeText()
    village_code = fields.String()
    members = fields.List(fields.Nested(MemberOut))
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class CarePlanOut(Schema):
    family_id = Whole()
    every_days = Whole()
    skills = fields.List(fields.String())
    starts_on = fields.String(metadata={"format": "date"})
    next_due_on = fields.String(metadata={"format": "date",
                                          "description": "the next visit to be asked for"})


class TimelineEntryOut(Schema):
    at = fields.String(metadata={"format": "date-time"})
    kind = fields.String(metadata={"description": "the event's name, e.g. claim_paid"})
    summary = FreeText(metadata={"description": "an English template the page translates"})
    ref = fields.String(allow_none=True, metadata={"description": "a policy or claim number, "
                                                                  "disbursement:ID, visit:ID"})


# For the insurance service alone (RPC, never HTTP; staff and the system only): the people
# of a village as bulk enrolment needs them, identity numbers whole, since a policy is
# keyed by the person's.

class InsuredPersonOut(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "whole: for enrolment only"})
    relation = fields.String()
    phone = fields.String(allow_none=True)


class InsuredFamilyOut(Schema):
    family_id = Whole()
    family_no = fields.String()
    category = fields.String()
    village_code = fields.String()
    members = fields.List(fields.Nested(InsuredPersonOut))
