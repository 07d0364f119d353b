"""The volunteers service's contract: what it accepts and answers, and its codes."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from shared.fields import Day, FreeText, GrassrootsCode, Mobile, Moment, ResidentId, Text, Whole
from shared.schemas import MAX_ID, PageIn, ReasonIn, StateChangeOut, Strict, in_order

SKILLS = (
    "psychological_counselling",
    "legal_aid",
    "social_work",
    "reproductive_health_counselling",
    "general",
)
SIGNUP_STATUSES = ("confirmed", "waitlisted", "cancelled", "no_show")
HOURS_CORRECTABLE = ("confirmed", "no_show")  # a place held: checked out or not, or missed
VISIT_STATUSES = ("open", "assigned", "completed", "cancelled")
APPLICATION_STATUSES = ("pending", "approved", "declined")

ERRORS = {
    "volunteer_not_found": "No such volunteer (404).",
    "shift_not_found": "No such shift (404).",
    "visit_not_found": "No such visit (404).",
    "unknown_volunteer": "A request names a volunteer that does not exist (422).",
    "unknown_activity": "A shift names an activity that does not exist (422).",
    "already_registered": "This person is already a volunteer (409 on id_number; in an "
                          "import, a row that differs from them, on the columns that differ).",
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
    "illegal_transition": "The sign-up, shift or visit is not in a state that allows this "
                          "(409).",
    "already_begun": "The shift or visit has begun: it is neither moved nor called off (409).",
    "shift_cancelled": "The shift was called off: nobody signs up for it (409).",
    "not_correctable": "Only a confirmed sign-up or a no-show has hours to correct (409).",
    "shift_not_started": "The shift has not started: no hours to correct yet (409).",
    "too_many_minutes": "More minutes than the shift is long (422 on minutes).",
    "not_yourself": "A volunteer acts and reads only as themself (403).",
    "application_not_found": "No such application to volunteer (404).",
    "already_applied": "An application for this identity number waits for a decision "
                       "(409 on id_number).",
    "grassroots_outside": "A grassroots code not under the caller's association "
                          "(422 on grassroots_code).",
}
MAX_GRASSROOTS_CODES = 200
MAX_SHIFTS_AT_ONCE = 100
MAX_CALENDAR_DAYS = 500  # a calendar's window: a little more than a year ahead and 90 days back

ID = validate.Range(min=1, max=MAX_ID)


SKILL = validate.OneOf(SKILLS)


class SkillIn(Strict):
    code = fields.String(required=True, validate=SKILL)
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


class SkillCodes(fields.String):
    """Skills as a spreadsheet's cell holds them, codes joined by commas
    ("general,legal_aid"), loaded as the list VolunteerIn takes: each code held to SkillIn's
    rule, a code given twice taken once."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        codes = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        if not codes:
            raise ValidationError("Must not be blank.")
        unknown = ", ".join(code for code in codes if not _is_skill(code))
        if unknown:
            choices = ", ".join(SKILLS)
            raise ValidationError(f"Unknown skill: {unknown}. Must be one of: {choices}.")
        return [{"code": code, "certificate_no": None, "expires_on": None} for code in codes]


def _is_skill(code: str) -> bool:
    try:
        SKILL(code)
    except ValidationError:
        return False
    return True


class VolunteerRowIn(VolunteerIn):
    """A volunteer in a spreadsheet of the register, a row each: the fields of VolunteerIn
    under the same rules, the skills being codes in one cell (no certificates)."""
    skills = SkillCodes(required=True)


class CertificateIn(Strict):
    """A certificate for one of the skills an applicant names."""
    skill = fields.String(required=True, validate=validate.OneOf(SKILLS))
    certificate_no = Text(required=True, validate=validate.Length(max=60))
    expires_on = Day(load_default=None, allow_none=True)


class ApplicationIn(Strict):
    """A person asking to volunteer. Skills are codes or SkillIn objects; each of the
    optional `certificates` attaches to one of those skills."""
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(required=True)
    skills = fields.List(fields.Nested(SkillIn), required=True,
                         validate=validate.Length(min=1, max=20))
    certificates = fields.List(fields.Nested(CertificateIn), load_default=list,
                               validate=validate.Length(max=20))

    @validates_schema
    def _certificates_of_skills_applied_with(self, data, **_):
        skills = {skill["code"]: skill for skill in data.get("skills", [])}
        errors = {}
        seen = set()
        for n, certificate in enumerate(data.get("certificates", [])):
            code = certificate["skill"]
            if code not in skills:
                errors[n] = {"skill": ["Not one of the skills applied with."]}
            elif code in seen or skills[code].get("certificate_no"):
                errors[n] = {"skill": ["This skill has a certificate already."]}
            seen.add(code)
        if errors:
            raise ValidationError({"certificates": errors})


class ApplicationListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(APPLICATION_STATUSES))


class DeclineIn(ReasonIn):
    """Why an application is declined: kept in its history."""


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


class PlaceShiftIn(ShiftIn):
    """One place's shift of a campaign day: its activity is the batch's."""
    class Meta(Strict.Meta):
        exclude = ("activity_id",)

    place = Text(required=True, validate=validate.Length(max=200))


class ShiftsIn(Strict):
    """A campaign day's shifts at several places (5·29, 7·11), made all or none."""
    activity_id = Whole(required=True, validate=ID)
    shifts = fields.List(fields.Nested(PlaceShiftIn), required=True,
                         validate=validate.Length(min=1, max=MAX_SHIFTS_AT_ONCE))


class VolunteerRefIn(Strict):
    volunteer_id = Whole(required=True, validate=ID)


class HoursCorrectionIn(Strict):
    """A coordinator's correction of the minutes a sign-up credits (0 to the shift's
    length), with the reason kept beside it."""
    minutes = Whole(required=True, validate=validate.Range(min=0, max=1440))
    reason = Text(required=True, validate=validate.Length(max=500))


class AssignIn(_Window):
    volunteer_ids = fields.List(Whole(validate=ID), required=True,
                                validate=validate.Length(min=1, max=20))
    starts_at = Moment(load_default=None)
    ends_at = Moment(load_default=None)


class ShiftChangeIn(_Window):
    """A shift moved, or its place changed, before it begins: what is not given stays."""
    starts_at = Moment()
    ends_at = Moment()
    place = fields.String(allow_none=True, validate=validate.Length(max=200))


class VisitChangeIn(_Window):
    """An assigned visit moved, or its team changed, before it begins: what is not given
    stays."""
    starts_at = Moment()
    ends_at = Moment()
    volunteer_ids = fields.List(Whole(validate=ID), validate=validate.Length(min=1, max=20))


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


class VolunteerHoursIn(Strict):
    """Hours served in a local calendar year by the volunteers of each grassroots
    association: each code counts itself and every code under it."""
    codes = fields.List(GrassrootsCode(), required=True,
                        validate=validate.Length(min=1, max=MAX_GRASSROOTS_CODES))
    year = Whole(required=True, validate=validate.Range(min=1900, max=2999))


class VisitListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(VISIT_STATUSES))


class CalendarIn(Strict):
    """The window of a volunteer's calendar: what overlaps [from, to)."""
    from_ = Moment(required=True, data_key="from")
    to = Moment(required=True)

    @validates_schema
    def _ordered_and_bounded(self, data, **_):
        in_order(data, "from_", "to", "Must not be before 'from'.")
        if data.get("from_") and data.get("to") and \
                (data["to"] - data["from_"]).days > MAX_CALENDAR_DAYS:
            raise ValidationError(f"At most {MAX_CALENDAR_DAYS} days after 'from'.", "to")


class HoursRecordsIn(PageIn):
    """Service records whose hours were credited in a period (both days included)."""
    from_ = Day(required=True, data_key="from")
    to = Day(required=True)

    @validates_schema
    def _ordered(self, data, **_):
        in_order(data, "from_", "to", "Must not be before 'from'.")


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
    shifts_attended = Whole(metadata={"description": "confirmed places on shifts now over "
                                                     "that they checked in to or were "
                                                     "credited hours for"})
    no_shows = Whole(metadata={"description": "confirmed places on shifts now over that "
                                              "they never came to"})
    reliability = fields.Float(allow_none=True, metadata={
        "description": "shifts_attended / (shifts_attended + no_shows), 2 decimals; null "
                       "before their first shift is over"})


class ApplicationOut(Schema):
    id = Whole()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(metadata={"description": "masked"})
    skills = fields.List(fields.Nested(SkillOut))
    status = fields.String(metadata={"description": ", ".join(APPLICATION_STATUSES)})
    created_at = fields.String(metadata={"format": "date-time"})
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    decline_reason = FreeText(allow_none=True)
    volunteer_id = Whole(allow_none=True, metadata={"description": "once approved"})
    history = fields.List(fields.Nested(StateChangeOut))


class ApprovedOut(Schema):
    """What approving answers the gateway: the application, and the applicant's phone
    unmasked, the default username of the login the gateway makes for them."""
    application = fields.Nested(ApplicationOut)
    phone = fields.String()


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
    no_shows = fields.List(fields.Nested(PlaceOut), metadata={
        "description": "confirmed who never came; their places stay taken"})
    status = fields.String(metadata={"description": "open, or cancelled (called off)"})
    cancel_reason = FreeText(allow_none=True, metadata={"description": "why it was called off"})


class CorrectionOut(Schema):
    """A coordinator's correction of a sign-up's minutes."""
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String()
    old_minutes = Whole()
    new_minutes = Whole()
    reason = FreeText()


class SignupOut(Schema):
    id = Whole(metadata={"description": "the sign-up's number"})
    shift_id = Whole()
    volunteer_id = Whole()
    name = fields.String(metadata={"description": "the volunteer's"})
    status = fields.String(metadata={"description": ", ".join(SIGNUP_STATUSES)})
    checked_in_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    checked_out_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    minutes = Whole(metadata={"description": "minutes the sign-up credits now"})
    history = fields.List(fields.Nested(StateChangeOut), metadata={
        "description": "state changes, and a waitlisted volunteer passed over (same status)"})
    corrections = fields.List(fields.Nested(CorrectionOut), metadata={"description": "oldest "
                                                                                     "first"})


class MovedOut(Schema):
    """A waitlisted volunteer a cancellation moved up, or passed over and why."""
    signup_id = Whole()
    volunteer_id = Whole()
    name = fields.String()
    reason = fields.String(allow_none=True)


class CancelOut(Schema):
    shift_id = Whole()
    volunteer_id = Whole()
    status = fields.String()
    promoted_signups = fields.List(Whole(), metadata={"description": "sign-up ids"})
    promoted = fields.List(fields.Nested(MovedOut))
    skipped = fields.List(fields.Nested(MovedOut), metadata={
        "description": "waitlisted ahead of the promoted whom the shift would clash with; "
                       "they stay waiting"})


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


class VolunteerNameOut(Schema):
    """A volunteer named where a person reads them: in a team, a proposal."""
    id = Whole()
    name = fields.String()


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
    volunteers = fields.List(fields.Nested(VolunteerNameOut),
                             metadata={"description": "the team, by name"})
    minutes = Whole(allow_none=True)
    notes = FreeText(allow_none=True, metadata={"description": "coordinators only"})
    history = fields.List(fields.Nested(StateChangeOut))


class ProposalOut(Schema):
    visit_id = Whole()
    volunteer_ids = fields.List(Whole(), metadata={"description": "best first"})
    volunteers = fields.List(fields.Nested(VolunteerNameOut),
                             metadata={"description": "the same, by name"})


class CalendarShiftOut(Schema):
    """A shift on a volunteer's calendar: confirmed, or waitlisted for a place."""
    id = Whole()
    title = fields.String()
    place = FreeText(allow_none=True)
    starts_at = fields.String(metadata={"format": "date-time"})
    ends_at = fields.String(metadata={"format": "date-time"})
    status = fields.String(metadata={"description": "confirmed, waitlisted"})


class CalendarVisitOut(Schema):
    """A care visit the volunteer is on the team of."""
    id = Whole()
    family_name = fields.String()
    address = FreeText(allow_none=True)
    starts_at = fields.String(metadata={"format": "date-time"})
    ends_at = fields.String(metadata={"format": "date-time"})
    status = fields.String(metadata={"description": "assigned, completed"})
    volunteers = fields.List(fields.Nested(VolunteerNameOut))


class CalendarOut(Schema):
    volunteer_id = Whole()
    name = fields.String()
    shifts = fields.List(fields.Nested(CalendarShiftOut), metadata={"description": "by start"})
    visits = fields.List(fields.Nested(CalendarVisitOut), metadata={"description": "by start"})


class HoursRecordOut(Schema):
    """One volunteer's hours from one shift or visit, as the national volunteer system takes
    them: the identity number and phone in full (the ops export only)."""
    volunteer_id = Whole()
    name = fields.String()
    id_number = fields.String()
    phone = fields.String()
    source = fields.String(metadata={"description": "shift, visit"})
    source_id = Whole()
    project = fields.String(allow_none=True,
                            metadata={"description": "the shift's activity; none for a visit"})
    starts_at = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "from check-in (within the shift) or the "
                                              "visit's start; the end is minutes later"})
    ends_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    served_on = fields.String(metadata={"format": "date"})
    minutes = Whole()


class VolunteerCountOut(Schema):
    code = fields.String()
    volunteers = Whole(metadata={"description": "active volunteers at or under the code"})


class VolunteerHoursOut(Schema):
    code = fields.String()
    minutes = Whole(metadata={"description": "minutes credited (check-outs, coordinators' "
                                             "corrections, completed visits) for service in "
                                             "the year to the volunteers at or under the code"})


class VolunteerHoursByCodeOut(Schema):
    items = fields.List(fields.Nested(VolunteerHoursOut),
                        metadata={"description": "one per code asked for, in order"})


class VolunteerCountsOut(Schema):
    items = fields.List(fields.Nested(VolunteerCountOut),
                        metadata={"description": "one per code asked for, in order"})
