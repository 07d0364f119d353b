"""Who is asking: the gateway passes an actor with every RPC call, checked on arrival."""
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from shared.errors import invalid_from_marshmallow
from shared.settings import association_code

ROLES = ("donor", "staff", "coordinator", "volunteer", "admin")


class ActorSchema(Schema):
    class Meta:
        unknown = INCLUDE

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(ROLES + ("system",)))
    association_code = fields.String(load_default=None, validate=validate.Length(equal=6))
    donor_id = fields.Integer(load_default=None, allow_none=True)


def load(schema: Schema, payload):
    """Validated input, or InvalidInput naming every bad field."""
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as exc:
        raise invalid_from_marshmallow(exc) from None


def load_actor(actor: dict) -> dict:
    actor = load(ActorSchema(), actor)
    actor["association_code"] = actor["association_code"] or association_code()
    return actor
