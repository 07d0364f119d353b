"""What the volunteers service accepts and returns."""
from datetime import UTC

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from shared.events.catalogue import SKILLS
from shared.fields import Mobile, ResidentId, Text
from shared.schemas import MAX_ID, PageIn, Strict

ID = validate.Range(min=1, max=MAX_ID)


class _UtcMoment(fields.AwareDateTime):
    """Kept in UTC: SQLite stores a datetime's wall time and forgets its offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)


def _moment(**kwargs):
    return _UtcMoment(default_timezone=UTC, **kwargs)


class SkillIn(Strict):
    code = fields.String(required=True, validate=validate.OneOf(SKILLS))
    certificate_no = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=60))
    expires_on = fields.Date(load_default=None, allow_none=True)

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
    activity_id = fields.Integer(required=True, strict=True, validate=ID)
    starts_at = _moment(required=True)
    ends_at = _moment(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1,
                                                                                max=1000))
    required_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)),
                                  load_default=list)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class VolunteerRefIn(Strict):
    volunteer_id = fields.Integer(required=True, strict=True, validate=ID)


class AssignIn(_Window):
    volunteer_ids = fields.List(fields.Integer(strict=True, validate=ID), required=True,
                                validate=validate.Length(min=1, max=20))
    starts_at = _moment(load_default=None)
    ends_at = _moment(load_default=None)


class CompleteIn(Strict):
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1,
                                                                               max=1440))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class PeriodIn(PageIn):
    from_ = fields.Date(load_default=None, data_key="from")
    to = fields.Date(load_default=None)


class VisitListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("open", "assigned", "completed")))


class VolunteerOut(Strict):
    id = fields.Integer()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(metadata={"description": "masked"})
    status = fields.String()
    skills = fields.List(fields.Dict())
    hours_total = fields.Float(metadata={"description": "hours, from minutes_total / 60"})
    minutes_total = fields.Integer()


class ShiftOut(Strict):
    id = fields.Integer()
    activity_id = fields.Integer()
    title = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    capacity = fields.Integer()
    required_skills = fields.List(fields.String())
    confirmed = fields.List(fields.Dict())
    waitlisted = fields.List(fields.Dict())


class VisitOut(Strict):
    id = fields.Integer()
    family_name = fields.String()
    reason = fields.String()
    required_skills = fields.List(fields.String())
    starts_at = fields.String()
    ends_at = fields.String()
    status = fields.String()
    volunteer_ids = fields.List(fields.Integer())
    minutes = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True, metadata={"description": "coordinators only"})
