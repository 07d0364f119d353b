"""The fund service's contract: what it accepts (at the HTTP edge and again at its RPC
boundary), what it answers, and its codes."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shared.clock import local_date, now_utc
from shared.fields import CreditCode, Mobile, ResidentId, Text
from shared.money import Fen
from shared.schemas import MAX_ID, PageIn, StateChangeOut, Strict

FUND_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a fund code like GENERAL.")
CHANNELS = ("cash", "bank", "wechat", "alipay")
DONOR_KINDS = ("person", "company")
DONATION_STATUSES = ("recorded", "refunded")
DISBURSEMENT_STATUSES = ("requested", "paid", "rejected", "awaiting_funds")

# Error codes this service answers with (besides invalid_input, unsigned_actor and
# role_not_allowed, which every service uses).
ERRORS = {
    "fund_not_found": "No fund with this code (404).",
    "unknown_fund": "A request body names a fund that does not exist (422 on fund_code).",
    "donor_not_found": "No such donor (404).",
    "donation_not_found": "No such donation (404).",
    "disbursement_not_found": "No such disbursement (404).",
    "insufficient_funds": "The fund holds less than the amount (409).",
    "idempotency_key_reused": "The Idempotency-Key was used for another body (409).",
    "already_refunded": "The donation was refunded before (409).",
    "illegal_transition": "The disbursement is not in a state that allows this (409).",
    "four_eyes": "The requester cannot approve their own request (403).",
    "not_your_donation": "A donor reads only their own donations (403).",
    "admin_only": "Only an admin may see a full identity number (403).",
}


class DonorIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(load_default=None, allow_none=True)
    credit_code = CreditCode(load_default=None, allow_none=True)
    phone = Mobile(load_default=None, allow_none=True)

    @validates_schema
    def _identifier_fits_kind(self, data, **_):
        if data["kind"] == "person" and data.get("credit_code"):
            raise ValidationError("A person has an identity number, not a credit code.",
                                  "credit_code")
        if data["kind"] == "company" and data.get("id_number"):
            raise ValidationError("A company has a credit code, not an identity number.",
                                  "id_number")


class DonationIn(Strict):
    fund_code = fields.String(required=True, validate=FUND_CODE)
    amount_fen = Fen(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    donor = fields.Nested(DonorIn, required=True)
    anonymous = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DonorDonationIn(DonationIn):
    """A donor giving as themself: who they are comes from their login."""
    donor = fields.Nested(DonorIn, load_default=None, allow_none=True)


class PayeeIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(load_default=None, allow_none=True)


class DisbursementIn(Strict):
    fund_code = fields.String(required=True, validate=FUND_CODE)
    amount_fen = Fen(required=True)
    purpose = Text(required=True, validate=validate.Length(max=500))
    payee = fields.Nested(PayeeIn, required=True)
    reference = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))


class FundIn(Strict):
    code = fields.String(required=True, validate=FUND_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    restricted = fields.Boolean(required=True)


class DonationListIn(PageIn):
    donor_id = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=1, max=MAX_ID))


class DisbursementListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(DISBURSEMENT_STATUSES))


class StatementIn(Schema):
    """A period of the association's local dates; by default this year up to today."""
    from_ = fields.Date(load_default=None, data_key="from")
    to = fields.Date(load_default=None)

    @post_load
    def _defaults_in_order(self, data, **_):
        today = local_date(now_utc())
        data["from_"] = data["from_"] or date(today.year, 1, 1)
        data["to"] = data["to"] or today
        if data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")
        return data


# What comes back: the service dumps every answer through these (shared.schemas.shaped).
class FundOut(Schema):
    code = fields.String()
    name = fields.String()
    restricted = fields.Boolean()
    balance_fen = fields.Integer()


class DonorOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})
    credit_code = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked"})


class IdentityOut(Schema):
    donor_id = fields.Integer()
    id_number = fields.String(allow_none=True, metadata={"description": "in full; recorded"})


class DonationOut(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    amount_fen = fields.Integer()
    fund_code = fields.String()
    donor_id = fields.Integer()
    channel = fields.String()
    anonymous = fields.Boolean()
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "recorded or refunded"})
    recorded_at = fields.String(metadata={"format": "date-time"})
    refund_reason = fields.String(allow_none=True)


class PayeeOut(Schema):
    name = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})


class DisbursementOut(Schema):
    id = fields.Integer()
    fund_code = fields.String()
    amount_fen = fields.Integer()
    purpose = fields.String()
    payee = fields.Nested(PayeeOut)
    reference = fields.String(allow_none=True)
    status = fields.String(metadata={"description": ", ".join(DISBURSEMENT_STATUSES)})
    reason = fields.String(allow_none=True)
    requested_by = fields.String()
    decided_by = fields.String(allow_none=True)
    requested_at = fields.String(metadata={"format": "date-time"})
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    history = fields.List(fields.Nested(StateChangeOut))


class StatementLineOut(Schema):
    posted_at = fields.String(metadata={"format": "date-time"})
    kind = fields.String()
    memo = fields.String()
    in_fen = fields.Integer()
    out_fen = fields.Integer()
    balance_fen = fields.Integer()


class StatementOut(Schema):
    fund_code = fields.String()
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})
    opening_balance_fen = fields.Integer()
    closing_balance_fen = fields.Integer()
    total_in_fen = fields.Integer()
    total_out_fen = fields.Integer()
    lines = fields.List(fields.Nested(StatementLineOut))
