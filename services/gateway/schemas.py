"""Schemas of the gateway's own endpoints."""
from marshmallow import RAISE, Schema, fields, validate


class TokenIn(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "bearer"})
    expires_in = fields.Integer()
    role = fields.String()


class MeOut(Schema):
    username = fields.String()
    role = fields.String()
    association_code = fields.String()
    donor_id = fields.Integer(allow_none=True)
    volunteer_id = fields.Integer(allow_none=True)


class HealthOut(Schema):
    status = fields.String()
    services = fields.Dict(keys=fields.String(), values=fields.String())
