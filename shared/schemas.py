"""Schemas every service's interface uses the same way."""
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.audit_chain import ACTIONS, SUBJECTS
from shared.fields import FreeText, Text, Whole

MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database


class Strict(Schema):
    """Unknown fields are an error, named, not silently dropped."""

    class Meta:
        unknown = RAISE


def in_order(data: dict, low: str, high: str, message: str) -> None:
    """Two fields given in the wrong order are an error on the second, not an empty answer."""
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        raise ValidationError(message, high)


class PageIn(Schema):
    limit = Whole(text=True, load_default=50, validate=validate.Range(min=1, max=500))
    offset = Whole(text=True, load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    after = Whole(text=True, load_default=None, validate=validate.Range(min=1, max=MAX_ID),
                  metadata={"description": "The id of the last item of the page before: "
                            "the next page, as fast for the last page as for the first."})


class ReasonIn(Strict):
    reason = Text(required=True, validate=validate.Length(max=500))


class StateChangeOut(Schema):
    """One step in the life of a stateful thing: who moved it, when, and why."""
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = FreeText(allow_none=True)


class AuditQueryIn(PageIn):
    """Which of a service's audit entries: every filter given must hold."""
    action = fields.String(load_default=None, validate=validate.OneOf(ACTIONS))
    subject_kind = fields.String(load_default=None, validate=validate.OneOf(sorted(SUBJECTS)))
    subject_id = Whole(text=True, load_default=None, validate=validate.Range(min=1, max=MAX_ID))


class AuditEntryOut(Schema):
    """Who did what to whose record, when and why: the fields by name, never their values."""
    id = Whole(metadata={"description": "the entry's place in its service's chain"})
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String(metadata={"description": "the username"})
    role = fields.String()
    action = fields.String(metadata={"enum": list(ACTIONS)})
    subject_kind = fields.String(metadata={"enum": sorted(SUBJECTS)})
    subject_id = Whole()
    # `fields` in the answer; a schema's own `fields` attribute keeps the name here
    field_names = fields.List(fields.String(), data_key="fields", metadata={
        "description": "the names of the fields revealed or changed"})
    reason = FreeText(allow_none=True)


@cache
def _documented(schema: Schema) -> frozenset[str]:
    return frozenset(field.attribute or name for name, field in schema.dump_fields.items())


def shaped(schema: Schema, data: dict) -> dict:
    """`data` as its documented Out schema dumps it. A key the schema does not describe, or
    one it describes and the data lacks, is a bug: the OpenAPI document would lie."""
    documented = _documented(schema)
    if data.keys() != documented:
        raise KeyError(f"{type(schema).__name__}: undocumented {sorted(set(data) - documented)}"
                       f", missing {sorted(documented - set(data))}")
    return schema.dump(data)
