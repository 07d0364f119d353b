"""Schemas of the gateway's own endpoints."""
from marshmallow import RAISE, Schema, fields, validate

from shared.actors import ROLES
from shared.fields import Text, Whole
from shared.schemas import Strict

# \Z, not $: `$` would let a trailing newline through.
USERNAME = validate.Regexp(r"^[A-Za-z0-9._-]+\Z",
                           error="Only letters, digits, '.', '_' and '-'.")


class TokenIn(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "bearer"})
    expires_in = Whole()
    role = fields.String()


class MeOut(Schema):
    username = fields.String()
    role = fields.String()
    association_code = fields.String()
    donor_id = Whole(allow_none=True)
    volunteer_id = Whole(allow_none=True)


class HealthOut(Schema):
    status = fields.String()
    services = fields.Dict(keys=fields.String(), values=fields.String())


class UserIn(Strict):
    username = fields.String(required=True, validate=[validate.Length(min=3, max=100), USERNAME])
    # At most what TokenIn accepts, or the new user could never log in.
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = Text(required=True, validate=validate.Length(max=200))


class UserOut(Schema):
    username = fields.String()
    role = fields.String()
    display_name = fields.String(allow_none=True)
    active = fields.Boolean()
    association_code = fields.String()
