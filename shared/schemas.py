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
