"""The families service's contract for help given to families (精准帮扶): a record of each
time a member, a volunteer or staff helped a family, and the follow-ups they promised."""
from marshmallow import Schema, fields, validate

from shared.fields import Day, FreeText, Text, Whole
from shared.schemas import MAX_ID, Strict

KINDS = ("living", "psychological", "companionship", "production", "elderly_care",
         "fertility", "health", "legal")
MEMBER = "member"
VOLUNTEER = "volunteer"
STAFF = "staff"  # nobody named: the staff member who records it helped
HELPERS = (MEMBER, VOLUNTEER, STAFF)
MAX_MINUTES = 24 * 60  # one record is one day's help at most
ID = validate.Range(min=1, max=MAX_ID)


class HelpIn(Strict):
    """Help given on a day. Who helped: a member (`by_member_id`), a volunteer
    (`by_volunteer_id`), or, with neither, the staff member recording it."""
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    on = Day(required=True, metadata={"description": "the day the help was given; not "
                                                     "after today"})
    by_member_id = Whole(load_default=None, allow_none=True, validate=ID)
    by_volunteer_id = Whole(load_default=None, allow_none=True, validate=ID)
    minutes = Whole(required=True, validate=validate.Range(min=0, max=MAX_MINUTES))
    note = Text(required=True, validate=validate.Length(max=2000))
    outcome = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    follow_up_on = Day(load_default=None, allow_none=True, metadata={
        "description": "when to help again; met by the family's next help record"})


class HelpOut(Schema):
    id = Whole()
    family_id = Whole()
    kind = fields.String(metadata={"description": ", ".join(KINDS)})
    on = fields.String(metadata={"format": "date"})
    helper_kind = fields.String(metadata={"description": ", ".join(HELPERS)})
    member_id = Whole(allow_none=True)
    volunteer_id = Whole(allow_none=True)
    helper_name = fields.String(metadata={"description": "the member's or volunteer's name, "
                                                         "or the staff member's login"})
    minutes = Whole()
    note = FreeText()
    outcome = FreeText(allow_none=True)
    follow_up_on = fields.String(allow_none=True, metadata={"format": "date"})
    followed_up_by = Whole(allow_none=True, metadata={
        "description": "the help record that met the follow-up; null while it is open"})
    recorded_by = fields.String()
    recorded_at = fields.String(metadata={"format": "date-time"})


class OverdueFollowUpOut(Schema):
    """A follow-up whose day has passed with no help recorded for the family since."""
    help_id = Whole()
    family_id = Whole()
    family_no = fields.String()
    village_code = fields.String()
    kind = fields.String(metadata={"description": ", ".join(KINDS)})
    helped_on = fields.String(metadata={"format": "date"})
    follow_up_on = fields.String(metadata={"format": "date"})
    helper_name = fields.String()
    days_overdue = Whole(metadata={"description": "days since follow_up_on, by the "
                                                  "association's date"})
