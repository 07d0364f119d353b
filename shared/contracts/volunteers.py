"""The volunteers service's contract: what it accepts and answers, and its codes."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from shared.fields import Day, FreeText, GrassrootsCode, Mobile, Moment, ResidentId, Text, Whole
from shared.schemas import MAX_ID, PageIn, StateChangeOut, Strict, in_order

SKILLS = (
    "psychological_counselling",
    "legal_aid",
    "social_work",
    "reproductive_health_counselling",
    "general",
)
SIGNUP_STATUSES = ("confirmed", "waitlisted", "cancelled")
VISIT_STATUSES = ("open", "assigned", "completed")

ERRORS = {
    "volunteer_not_found": "No such volunteer (404).",
    "shift_not_found": "No such shift (404).",
    "visit_not_found": "No such visit (404).",
    "unknown_volunteer": "A request names a volunteer that does not exist (422).",
    "unknown_activity": "A shift names an activity that does not exist (422).",
    "already_registered": "This person is already a volunteer (409 on id_number).",
    "inactive": "The volunteer is not active (409).",
    "already_signed_up": "The volunteer is already on this shift (409).",
    "not_signed_up": "The volunteer is not on this shift (404).",
    "overlap": "The volunteer is booked at an overlapping time (409).",
    "missing_skill": "A required skill is missing or its certificate expired (409).",
    "not_confirmed": "Only a confirmed volunteer checks in or out (409).",
    "already_checked_in": "Checked in before (409).",
    "check_in_not_open": "Check-in opens 30 minutes before the shift starts (409).",
    "shift_over": "The shift has ended: no check-in (409).",
    "not_checked_in": "Check in first, and check out once (409).",
    "illegal_transition": "The sign-up or visit is not in a state that allows this (409).",
    "not_yourself": "A volunteer acts and reads only as themself (403).",
    "grassroots_outside": "A grassroots code not under the caller's association "
                          "(422 on grassroots_code).",
}
MAX_GRASSROOTS_CODES = 200

ID = validate.Range(min=1, max=MAX_ID)




class SkillIn(Strict):
    code = fields.String(required=True, validate=validate.OneOf(SKILLS))
    certificate_no = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=60))
    expires_on = Day(load_default=None, allow_none=True)

    @pre_load
    def _plain_code(self, data, **_):
        return {"code": data} if isinstance(data, str) else data


class VolunteerIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(required=True)
    skills = fields.List(fields.Nested(SkillIn), required=True, validate=validate.Length(min=1))
    availability = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=500))
    grassroots_code = GrassrootsCode(load_default=None, allow_none=True, metadata={
        "description": "the township (9 digits) or village (12 digits) association the "
                       "volunteer serves with; default: the association's own code"})


class ActivityIn(Strict):
    title = Text(required=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))


class _Window(Strict):
    @validates_schema
    def _ends_after_start(self, data, **_):
        if data.get("starts_at") and data.get("ends_at") and \
                data["ends_at"] <= data["starts_at"]:
            raise ValidationError("Must be after starts_at.", "ends_at")


class ShiftIn(_Window):
    activity_id = Whole(required=True, validate=ID)
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    capacity = Whole(required=True, validate=validate.Range(min=1,
                                                                                max=1000))
    required_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)),
                                  load_default=list)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class VolunteerRefIn(Strict):
    volunteer_id = Whole(required=True, validate=ID)


class AssignIn(_Window):
    volunteer_ids = fields.List(Whole(validate=ID), required=True,
                                validate=validate.Length(min=1, max=20))
    starts_at = Moment(load_default=None)
    ends_at = Moment(load_default=None)


class CompleteIn(Strict):
    minutes = Whole(required=True, validate=validate.Range(min=1,
                                                                               max=1440))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class PeriodIn(PageIn):
    from_ = Day(load_default=None, data_key="from")
    to = Day(load_default=None)

    @validates_schema
    def _ordered(self, data, **_):
        in_order(data, "from_", "to", "Must not be before 'from'.")


class VolunteerCountIn(Strict):
    """Active volunteers by grassroots association: each code counts itself and every code
    under it."""
    codes = fields.List(GrassrootsCode(), required=True,
                        validate=validate.Length(min=1, max=MAX_GRASSROOTS_CODES))


class VisitListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(VISIT_STATUSES))


# What comes back: the service dumps every answer through these (shared.schemas.shaped).
class SkillOut(Schema):
    code = fields.String(metadata={"description": ", ".join(SKILLS)})
    certificate_no = fields.String(allow_none=True)
    expires_on = fields.String(allow_none=True, metadata={"format": "date"})


class VolunteerOut(Schema):
    id = Whole()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(metadata={"description": "masked"})
    status = fields.String()
    availability = fields.String(allow_none=True)
    skills = fields.List(fields.Nested(SkillOut))
    grassroots_code = fields.String(metadata={"description": "county, township or village"})
    hours_total = fields.Float(metadata={"description": "hours, from minutes_total / 60"})
    minutes_total = Whole()


class ActivityOut(Schema):
    id = Whole()
    title = fields.String()
    description = FreeText(allow_none=True)


class PlaceOut(Schema):
    """A volunteer's place on a shift."""
    volunteer_id = Whole()
    name = fields.String()
    signed_up_at = fields.String(metadata={"format": "date-time"})
    checked_in_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    checked_out_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ShiftOut(Schema):
    id = Whole()
    activity_id = Whole()
    title = fields.String()
    starts_at = fields.String(metadata={"format": "date-time"})
    ends_at = fields.String(metadata={"format": "date-time"})
    place = FreeText(allow_none=True)
    capacity = Whole()
    required_skills = fields.List(fields.String())
    confirmed = fields.List(fields.Nested(PlaceOut))
    waitlisted = fields.List(fields.Nested(PlaceOut), metadata={"description": "in order"})


class SignupOut(Schema):
    shift_id = Whole()
    volunteer_id = Whole()
    status = fields.String(metadata={"description": ", ".join(SIGNUP_STATUSES)})
    history = fields.List(fields.Nested(StateChangeOut))


class CancelOut(Schema):
    shift_id = Whole()
    volunteer_id = Whole()
    status = fields.String()
    promoted_signups = fields.List(Whole(), metadata={"description": "sign-up ids"})


class AttendanceOut(Schema):
    shift_id = Whole()
    volunteer_id = Whole()
    checked_in_at = fields.String(metadata={"format": "date-time"})
    checked_out_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class HoursOut(Schema):
    volunteer_id = Whole()
    minutes = Whole()
    hours = fields.Float()


class RankOut(Schema):
    rank = Whole()
    volunteer_id = Whole()
    name = fields.String()
    minutes = Whole()
    hours = fields.Float()


class VisitOut(Schema):
    id = Whole()
    family_name = fields.String()
    family_id = Whole(allow_none=True)
    address = FreeText(allow_none=True)
    reason = FreeText()
    required_skills = fields.List(fields.String())
    starts_at = fields.String(metadata={"format": "date-time"})
    ends_at = fields.String(metadata={"format": "date-time"})
    status = fields.String(metadata={"description": ", ".join(VISIT_STATUSES)})
    volunteer_ids = fields.List(Whole())
    minutes = Whole(allow_none=True)
    notes = FreeText(allow_none=True, metadata={"description": "coordinators only"})
    history = fields.List(fields.Nested(StateChangeOut))


class ProposalOut(Schema):
    visit_id = Whole()
    volunteer_ids = fields.List(Whole(), metadata={"description": "best first"})


class VolunteerCountOut(Schema):
    code = fields.String()
    volunteers = Whole(metadata={"description": "active volunteers at or under the code"})


class VolunteerCountsOut(Schema):
    items = fields.List(fields.Nested(VolunteerCountOut),
                        metadata={"description": "one per code asked for, in order"})
