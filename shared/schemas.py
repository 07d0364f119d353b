"""Schemas every service's interface uses the same way."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate

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


class ReasonIn(Strict):
    reason = Text(required=True, validate=validate.Length(max=500))


class StateChangeOut(Schema):
    """One step in the life of a stateful thing: who moved it, when, and why."""
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = FreeText(allow_none=True)


def shaped(schema: Schema, data: dict) -> dict:
    """`data` as its documented Out schema dumps it. A key the schema does not describe, or
    one it describes and the data lacks, is a bug: the OpenAPI document would lie."""
    documented = {field.attribute or name for name, field in schema.dump_fields.items()}
    if set(data) != documented:
        raise KeyError(f"{type(schema).__name__}: undocumented {sorted(set(data) - documented)}"
                       f", missing {sorted(documented - set(data))}")
    return schema.dump(data)
