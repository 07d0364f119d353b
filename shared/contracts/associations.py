"""The families service's contract for the association's own people: grassroots
associations (基层协会) of the townships and villages under the county's, their members
(会员), the families each member keeps in touch with (会员联系户), member-day activities, and
the figures the leadership reads per association."""
from marshmallow import Schema, fields, validate

from shared.contracts.families import FamilyId
from shared.fields import Day, Mobile, ResidentId, Text, Whole
from shared.schemas import MAX_ID, PageIn, Strict

COUNTY = "county"
TOWNSHIP = "township"
VILLAGE = "village"
LEVELS = (COUNTY, TOWNSHIP, VILLAGE)
# GB/T 2260 and the statistics office's codes nest: a county 6 digits, its townships 9,
# their villages 12.
CODE_LENGTHS = {6: COUNTY, 9: TOWNSHIP, 12: VILLAGE}
CODE = validate.Regexp(r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$",
                       error="Must be a code of 6, 9 or 12 digits.")
SUB_CODE = validate.Regexp(r"^([0-9]{9}|[0-9]{12})$",
                           error="Must be a township's code (9 digits) or a village's (12).")

# The figures of a dashboard, in the order a ranking may be asked by.
MEASURES = ("members", "volunteers", "families", "visits_done_90d", "donations_fen_year",
            "spent_fen_year", "claims_paid_year")
VISITS_DAYS = 90

ERRORS = {
    "association_not_found": "No grassroots association with that code (404).",
    "association_exists": "An association with that code exists already (409).",
    "already_member": "The person is a member already; the message names the member_no (409).",
    "member_not_found": "No such member (404).",
    "family_paired": "The family keeps in touch with another member already (409).",
    "member_differs": "A spreadsheet's row gives an existing member another name, phone or "
                      "association; an import does not change a member (409 by column).",
}


class AssociationIn(Strict):
    code = fields.String(required=True, validate=SUB_CODE)
    name = Text(required=True, validate=validate.Length(max=100))
    parent_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the county's code for a township, a township's for a village"})


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
