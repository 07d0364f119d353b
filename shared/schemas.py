"""Schemas every service's interface uses the same way."""
from marshmallow import RAISE, Schema, fields, validate

from shared.fields import Text

MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database


class Strict(Schema):
    """Unknown fields are an error, named, not silently dropped."""

    class Meta:
        unknown = RAISE


class PageIn(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))


class ReasonIn(Strict):
    reason = Text(required=True, validate=validate.Length(max=500))


class StateChangeOut(Schema):
    """One step in the life of a stateful thing: who moved it, when, and why."""
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String(allow_none=True)


def shaped(schema: Schema, data: dict) -> dict:
    """`data` as its documented Out schema dumps it. A key the schema does not describe, or
    one it describes and the data lacks, is a bug: the OpenAPI document would lie."""
    documented = {field.attribute or name for name, field in schema.dump_fields.items()}
    if set(data) != documented:
        raise KeyError(f"{type(schema).__name__}: undocumented {sorted(set(data) - documented)}"
                       f", missing {sorted(documented - set(data))}")
    return schema.dump(data)


def page_of(schema: Schema, items: list[dict], total: int) -> dict:
    """A list endpoint's answer: one page of items, and how many there are in all."""
    return {"items": [shaped(schema, item) for item in items], "total": total}
