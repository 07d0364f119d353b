"""Schemas of the gateway's own endpoints."""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.actors import ROLES
from shared.contracts.volunteers import ApplicationOut
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
    must_change_password = fields.Boolean(metadata={
        "description": "true after logging in with a one-time password: the token serves "
                       "only POST /api/v1/auth/password (and logout) until it is changed"})


class PasswordIn(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # At most what TokenIn accepts, or the login could never be used again.
    new_password = fields.String(required=True, validate=validate.Length(min=10, max=200))

    @validates_schema
    def _a_new_one(self, data, **_):
        if data.get("new_password") == data.get("current_password"):
            raise ValidationError("Must differ from the current password.", "new_password")


class ApproveIn(Strict):
    username = fields.String(load_default=None, allow_none=True, validate=[
        validate.Length(min=3, max=100), USERNAME], metadata={
        "description": "the volunteer's login; default: the applicant's phone number"})


class ApprovalOut(ApplicationOut):
    """An approved application, and the login made for its volunteer. The one-time password
    is shown here once and kept nowhere but as a hash."""
    username = fields.String()
    one_time_password = fields.String()


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


class CalendarFeedIn(Schema):
    class Meta:
        unknown = EXCLUDE  # a calendar app may add a parameter of its own to the address

    # Unchecked here: a missing or wrong token is refused as one (404), naming it.
    token = fields.String(load_default="", metadata={
        "description": "the volunteer's calendar token, from GET .../calendar-link"})
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh", "en")), metadata={
        "description": "the feed's language; default: from Accept-Language, else Chinese"})


class CalendarLinkOut(Schema):
    url = fields.String(metadata={"description": "the feed's address, to subscribe to in a "
                                                 "calendar app; whoever holds it can read it"})
