"""Who is asking. The gateway authenticates a person and passes them to the services as an
actor signed with the key every service holds (`SERVICE_KEY`); a service refuses an actor
that is unsigned or whose signature does not match, so a message put on the broker by hand
cannot act as anyone. Role groups live here, so every service reads them the same way."""
import hashlib
import hmac
import json

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from shared.errors import Forbidden, invalid_from_marshmallow
from shared.settings import association_code, service_key

ROLES = ("donor", "staff", "coordinator", "volunteer", "admin", "auditor", "province_staff",
         "province_auditor")
SYSTEM = "system"  # the services' own work (demo data, imports, exports)
AUDITOR = "auditor"  # reads what staff and coordinators read; changes nothing
# Logins of a province's or city's association read what a county's auditor reads, of
# every county under them (the gateway signs them for the county they read), and change
# nothing. Their association keeps no records of its own besides its logins and counties.
PROVINCE_READERS = ("province_staff", "province_auditor")
READ_ONLY = (AUDITOR,) + PROVINCE_READERS
# The roles a login may have: in a county, any but the province's; above, the province's
# and the admin who sets up its cities and counties and their first logins.
ABOVE_COUNTY_ROLES = ("admin",) + PROVINCE_READERS
COUNTY_ROLES = tuple(role for role in ROLES if role not in PROVINCE_READERS)

# Who may change things...
ADMIN = ("admin", SYSTEM)
STAFF = ("staff",) + ADMIN
COORDINATORS = ("coordinator",) + ADMIN
DONORS = ("donor",) + STAFF
VOLUNTEERS = ("volunteer",) + COORDINATORS
# ...and who may read them.
STAFF_READERS = STAFF + READ_ONLY
COORDINATOR_READERS = COORDINATORS + READ_ONLY
DONOR_READERS = DONORS + READ_ONLY
VOLUNTEER_READERS = VOLUNTEERS + READ_ONLY
ANYONE = ROLES + (SYSTEM,)
PUBLIC = "public"  # someone on the public pages, not logged in
EVERYONE = ANYONE + (PUBLIC,)
PLEDGERS = ("donor", PUBLIC) + STAFF
# Who reads the association's figures by grassroots association (money raised and spent,
# volunteers), its dashboards, rankings and members: those who read the fund's or the
# coordinators' records; no donor or volunteer.
LEADERSHIP = tuple(dict.fromkeys(STAFF_READERS + COORDINATOR_READERS))
# Staff register and change families; coordinators read them too (they plan the visits).
FAMILY_READERS = LEADERSHIP
# Admins set up the associations; staff keep the members; coordinators hold member days.
MEMBER_KEEPERS = STAFF
MEMBER_DAY_HOLDERS = tuple(dict.fromkeys(STAFF + COORDINATORS))
# Help given to a family (精准帮扶) is recorded by staff and by coordinators, who see
# the care visits done; an auditor reads it but records nothing.
HELP_RECORDERS = tuple(dict.fromkeys(STAFF + COORDINATORS))
# Staff bring in families, members, policies and donors from spreadsheets, coordinators
# volunteers (each register's own roles: services/gateway/imports/registers.py).
IMPORTERS = tuple(dict.fromkeys(STAFF + COORDINATORS))
# Who reads the audit log of reveals and of changes to people's records: those who audit,
# and the admin who answers for the install. Not staff or coordinators, whose work it records.
AUDIT_READERS = ("admin", AUDITOR, "province_auditor")
# Who may see a person's full identity number: an admin, as a person whose look is recorded
# (never the services' own work).
IDENTITY_REVEALERS = ("admin",)
# Coordinators read the products too: a product may ask for a care visit.
PRODUCT_READERS = STAFF_READERS + ("coordinator",)
# A donor's and a volunteer's own pages: only their logins have a donor or volunteer record to
# show there (DONORS and VOLUNTEERS add those who act on others' records).
DONOR_SELF = ("donor",)
VOLUNTEER_SELF = ("volunteer",)
# The staff side: every login but a donor's or a volunteer's own, who reach their own records
# alone. Its sessions end after a while unused and its passwords are longer (等保 2.0 level 3).
STAFF_SIDE = tuple(role for role in ROLES if role not in DONOR_SELF + VOLUNTEER_SELF)

SIGNED = ("username", "role", "association_code", "donor_id", "volunteer_id")


class ActorSchema(Schema):
    class Meta:
        unknown = INCLUDE

    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(EVERYONE))
    association_code = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(equal=6))
    donor_id = fields.Integer(load_default=None, allow_none=True)
    volunteer_id = fields.Integer(load_default=None, allow_none=True)
    signature = fields.String(load_default=None, allow_none=True)


_ACTOR = ActorSchema()  # reused: building a schema copies its fields, loading keeps no state


def load(schema: Schema, payload):
    """Validated input, or InvalidInput naming every bad field."""
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as exc:
        raise invalid_from_marshmallow(exc) from None


def _digest(actor: dict, key: str | None = None) -> str:
    canonical = json.dumps({name: actor.get(name) for name in SIGNED}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hmac.new((key or service_key()).encode(), canonical.encode(),
                    hashlib.sha256).hexdigest()


def sign(actor: dict, key: str | None = None) -> dict:
    """The actor as the services accept it: its fields and their signature."""
    plain = {name: actor.get(name) for name in SIGNED}
    return {**plain, "signature": _digest(plain, key)}


def load_actor(actor, roles: tuple[str, ...] | None = None) -> dict:
    """The caller, verified: signed by a holder of the service key, and (when `roles` is
    given) in one of those roles. The association defaults to this install's."""
    if not isinstance(actor, dict):
        raise Forbidden("The caller is not identified.", "unsigned_actor")
    actor = load(_ACTOR, actor)
    given = actor.get("signature") or ""
    if not given or not hmac.compare_digest(given, _digest(actor)):
        raise Forbidden("The caller's identity is not signed by the gateway.", "unsigned_actor")
    if roles is not None and actor["role"] not in roles:
        raise Forbidden(f"The {actor['role']} role may not do this.", "role_not_allowed")
    actor["association_code"] = actor["association_code"] or association_code()
    return actor


def system_actor(username: str, association: str | None = None) -> dict:
    """The services' own work for an association (this process's ASSOCIATION_CODE unless
    named), signed with the key of this install."""
    return sign({"username": username, "role": SYSTEM,
                 "association_code": association or association_code()})


def public_actor(association_code: str | None = None) -> dict:
    """Someone not logged in, looking at one association's public pages."""
    return sign({"username": PUBLIC, "role": PUBLIC, "association_code": association_code})


def check_as_self(actor: dict, volunteer_id: int) -> None:
    """A volunteer acts and reads only as themself."""
    if actor["role"] == "volunteer" and actor.get("volunteer_id") != volunteer_id:
        raise Forbidden("A volunteer may act only as themself.", "not_yourself")


def check_own_donation(actor: dict, donor_id: int | None) -> None:
    """A donor reads only their own gifts."""
    if actor["role"] == "donor" and (actor.get("donor_id") is None
                                     or actor["donor_id"] != donor_id):
        raise Forbidden("This donation is not yours.", "not_your_donation")
