"""The families service's contract for the association's own people: grassroots
associations (基层协会) of the townships and villages under the county's, their members
(会员), the families each member keeps in touch with (会员联系户), member-day activities, and
the figures the leadership reads per association."""
from marshmallow import Schema, fields, validate

from shared.contracts.families import CATEGORIES, FamilyId
from shared.fields import Day, FreeText, Mobile, ResidentId, Text, Whole
from shared.schemas import MAX_ID, PageIn, Strict

COUNTY = "county"
TOWNSHIP = "township"
VILLAGE = "village"
LEVELS = ("province", "city", COUNTY, TOWNSHIP, VILLAGE)
# GB/T 2260 and the statistics office's codes nest: a province, city or county 6 digits
# (shared.regions), a county's townships 9, their villages 12.
CODE_LENGTHS = {6: COUNTY, 9: TOWNSHIP, 12: VILLAGE}
CODE = validate.Regexp(r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$",
                       error="Must be a code of 6, 9 or 12 digits.")

# The figures of a dashboard, in the order a ranking may be asked by.
MEASURES = ("members", "volunteers", "families", "visits_done_90d", "donations_fen_year",
            "spent_fen_year", "claims_paid_year")
VISITS_DAYS = 90
# How a member kept in touch with a family (会员联系户).
CONTACT_WAYS = ("visit", "phone", "wechat")
MAX_CONTACT_NOTE = 1000

ERRORS = {
    "association_not_found": "No grassroots association with that code (404).",
    "association_exists": "An association with that code exists already (409).",
    "already_member": "The person is a member already; the message names the member_no (409).",
    "member_not_found": "No such member (404).",
    "family_paired": "The family keeps in touch with another member already (409).",
    "not_paired": "The member does not keep in touch with that family (409 on family_id).",
    "member_differs": "A spreadsheet's row gives an existing member another name, phone or "
                      "association; an import does not change a member (409 by column).",
}


class AssociationIn(Strict):
    code = fields.String(required=True, validate=CODE, metadata={
        "description": "a city's or county's (6 digits, set up by an admin of the province "
                       "or city above), a township's (9) or a village's (12, set up by the "
                       "county's admin)"})
    name = Text(required=True, validate=validate.Length(max=100))
    parent_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the province's code for a city, the city's for a county, the "
                       "county's for a township, a township's for a village"})


class MemberIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(required=True)
    grassroots_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the association the member belongs to (the county's or one under it)"})


class MemberRowIn(MemberIn):
    """A member in a spreadsheet of the register, a row each: the fields of a member added
    by hand, and the family they keep in touch with (会员联系户), by its number."""
    family_no = Text(load_default=None, allow_none=True, validate=validate.Length(max=30),
                     metadata={"description": "e.g. F-341181-0001"})


class MemberListIn(PageIn):
    grassroots_code = fields.String(load_default=None, allow_none=True, validate=CODE,
                                    metadata={"description": "a township's code lists its "
                                                             "villages' members too"})


class PairingIn(Strict):
    family_id = FamilyId(required=True)


class ContactIn(Strict):
    """A contact a member had with a family paired with them, recorded by staff on the
    member's word."""
    family_id = FamilyId(required=True)
    on = Day(required=True, metadata={"description": "the day of the contact; not after "
                                                     "the association's today"})
    way = fields.String(required=True, validate=validate.OneOf(CONTACT_WAYS),
                        metadata={"description": ", ".join(CONTACT_WAYS)})
    note = Text(required=True, validate=validate.Length(max=MAX_CONTACT_NOTE))


class MemberDayIn(Strict):
    title = Text(required=True, validate=validate.Length(max=100))
    held_on = Day(required=True)
    member_ids = fields.List(Whole(validate=validate.Range(min=1, max=MAX_ID)),
                             load_default=list, validate=validate.Length(max=500),
                             metadata={"description": "the members who took part"})


class RankingIn(Schema):
    by = fields.String(load_default="members", validate=validate.OneOf(MEASURES))


# What comes back.
class AssociationOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"description": ", ".join(LEVELS)})
    parent_code = fields.String(allow_none=True)


class AssociationListOut(Schema):
    items = fields.List(fields.Nested(AssociationOut))
    total = Whole()


class PairedFamilyOut(Schema):
    family_id = Whole()
    family_no = fields.String()
    paired_at = fields.String(metadata={"format": "date-time"})
    last_contact_on = fields.String(allow_none=True, metadata={
        "format": "date", "description": "the latest contact recorded; null: none yet"})


class AssociationMemberOut(Schema):
    id = Whole()
    member_no = fields.String(metadata={"description": "e.g. M-341181-00001"})
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(metadata={"description": "masked"})
    grassroots_code = fields.String()
    joined_at = fields.String(metadata={"format": "date-time"})
    families = fields.List(fields.Nested(PairedFamilyOut))


class MemberDayOut(Schema):
    id = Whole()
    grassroots_code = fields.String()
    title = fields.String()
    held_on = fields.String(metadata={"format": "date"})
    member_ids = fields.List(Whole())


class FiguresOut(Schema):
    members = Whole()
    volunteers = Whole()
    families = Whole()
    families_by_category = fields.Dict(
        keys=fields.String(), values=Whole(),
        metadata={"description": "the families of each category (every category named): "
                                 + ", ".join(CATEGORIES)})
    low_income_families = Whole(metadata={"description": "families marked low-income"})
    visits_done_90d = Whole(metadata={"description": "care visits completed for its "
                                                     "families in the last 90 days"})
    donations_fen_year = Whole(metadata={"description": "money given to it this year, "
                                                        "less refunds"})
    spent_fen_year = Whole(metadata={"description": "disbursements it paid this year"})
    claims_paid_year = Whole(metadata={"description": "claims of its families paid this "
                                                      "year"})


DashboardOut = FiguresOut  # exactly the figures: the association is in the path


class RankedOut(FiguresOut):
    rank = Whole()
    code = fields.String()
    name = fields.String()


class RankingOut(Schema):
    code = fields.String()
    by = fields.String()
    items = fields.List(fields.Nested(RankedOut))


class ContactOut(Schema):
    id = Whole()
    member_id = Whole()
    family_id = Whole()
    family_no = fields.String()
    on = fields.String(metadata={"format": "date"})
    way = fields.String(metadata={"description": ", ".join(CONTACT_WAYS)})
    note = FreeText()
    recorded_by = fields.String()
    recorded_at = fields.String(metadata={"format": "date-time"})


class OverdueContactOut(Schema):
    """A member and a family paired with them that nobody has been in touch with for more
    than CONTACT_DUE_DAYS days."""
    member_id = Whole()
    member_no = fields.String()
    member_name = fields.String()
    grassroots_code = fields.String()
    family_id = Whole()
    family_no = fields.String()
    last_contact_on = fields.String(allow_none=True, metadata={
        "format": "date", "description": "null: never contacted since paired"})
    paired_on = fields.String(metadata={"format": "date"})
    days_since = Whole(metadata={"description": "days since the last contact, or since the "
                                                "pairing when never contacted"})
