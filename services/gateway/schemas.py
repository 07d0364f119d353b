"""Schemas of the gateway's own endpoints."""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.gateway import passwords
from shared.actors import ROLES
from shared.audit_chain import SUBJECTS
from shared.contracts.volunteers import ApplicationOut
from shared.fields import Text, Whole
from shared.schemas import AuditEntryOut, AuditQueryIn, Strict

AUDITED = tuple(dict.fromkeys(SUBJECTS.values()))  # the services keeping an audit log

# \Z, not $: `$` would let a trailing newline through.
REGION = validate.Regexp(r"^[1-9][0-9]{5}\Z", error="Must be an association's code (6 digits).")
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
    # At most what TokenIn accepts, or the login could never be used again. The rest of what
    # it must be depends on the login (passwords.weaknesses, checked by change_password).
    new_password = fields.String(required=True, validate=validate.Length(
        min=passwords.MIN_LENGTH, max=200))

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


class ReadyOut(Schema):
    status = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class UserIn(Strict):
    username = fields.String(required=True, validate=[validate.Length(min=3, max=100), USERNAME])
    # At most what TokenIn accepts, or the new user could never log in.
    password = fields.String(required=True, validate=validate.Length(
        min=passwords.MIN_LENGTH, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = Text(required=True, validate=validate.Length(max=200))
    association_code = fields.String(load_default=None, allow_none=True, validate=REGION,
                                     metadata={"description": "the association the login "
                                               "belongs to: yours when left out, or a city's "
                                               "or county's under it (an admin of a province "
                                               "or city sets up the first logins of those "
                                               "under it)"})

    @validates_schema
    def _strong_enough(self, data, **_):
        weak = passwords.weaknesses(data["password"], data["username"], data["role"])
        if weak:
            raise ValidationError(weak, "password")


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


class ImportQueryIn(Schema):
    dry_run = fields.Boolean(load_default=True, metadata={
        "description": "check every row and tell what would happen, writing nothing "
                       "(the default: false writes)"})
    all_or_nothing = fields.Boolean(load_default=False, metadata={
        "description": "write only if no row is in error"})
    lang = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        ("zh", "en")), metadata={"description": "the errors' language; default: from "
                                                "Accept-Language, else Chinese"})


class ImportFileIn(Strict):
    """The multipart form of an import: its `file` alone (.xlsx, or CSV in UTF-8 or
    GB18030)."""


class TemplateIn(Schema):
    lang = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(("zh", "en")))


class ImportErrorOut(Schema):
    row = Whole(metadata={"description": "the row's number in the file (1: the headers)"})
    column = fields.String(allow_none=True, metadata={
        "description": "the header as the file has it; null: the row as a whole"})
    code = fields.String(metadata={"description": "invalid_value, duplicate_row, "
                                                  "group_in_error, or the service's code"})
    message = fields.String(metadata={"description": "in the reader's language"})


class ImportOut(Schema):
    import_id = fields.String()
    register = fields.String()
    filename = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "running, done or failed"})
    dry_run = fields.Boolean()
    all_or_nothing = fields.Boolean()
    rows = Whole(metadata={"description": "rows in the file, the headers and blank rows "
                                          "not counted"})
    done = Whole(metadata={"description": "rows sent so far (progress)"})
    to_do = Whole(metadata={"description": "rows to send in all (twice the rows, all or "
                                           "nothing)"})
    valid = Whole(allow_none=True)
    invalid = Whole(allow_none=True)
    created = Whole(allow_none=True, metadata={"description": "rows that made a new record "
                                                              "(would, in a dry run)"})
    updated = Whole(allow_none=True)
    unchanged = Whole(allow_none=True)
    written = fields.Boolean(allow_none=True, metadata={
        "description": "whether anything was (would be, in a dry run) written"})
    errors = fields.List(fields.Nested(ImportErrorOut), metadata={
        "description": "by row; the first 1 000 (all in errors.xlsx)"})
    errors_total = Whole()
    failure = fields.String(allow_none=True)
    started_at = fields.String(metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class AuditListIn(AuditQueryIn):
    """The audit log of every service, or of one; a kind of record names its service."""

    class Meta:
        exclude = ("after",)  # each service's entries have ids of their own

    service = fields.String(load_default=None, validate=validate.OneOf(AUDITED))


class AuditItemOut(AuditEntryOut):
    service = fields.String(metadata={"description": "whose audit log: the entry's id is "
                                                     "its place in that service's chain"})
