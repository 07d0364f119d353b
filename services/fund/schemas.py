"""What the fund accepts, at the HTTP edge and again at its RPC boundary."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.events.catalogue import CHANNELS
from shared.fields import CreditCode, Mobile, ResidentId, Text
from shared.money import Fen
from shared.schemas import MAX_ID, PageIn, Strict

FUND_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a fund code like GENERAL.")


class DonorIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(("person", "company")))
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
                           validate=validate.OneOf(("requested", "paid", "rejected",
                                                    "awaiting_funds")))


class StatementIn(Schema):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data, **_):
        if data["from_"] > data["to"]:
            raise ValidationError("Must not be before 'from'.", "to")


# What comes back (documented in OpenAPI; the service builds plain dicts of this shape).
class FundOut(Schema):
    code = fields.String()
    name = fields.String()
    restricted = fields.Boolean()
    balance_fen = fields.Integer()


class DonationOut(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    amount_fen = fields.Integer()
    fund_code = fields.String()
    donor_id = fields.Integer()
    channel = fields.String()
    anonymous = fields.Boolean()
    status = fields.String(metadata={"description": "recorded or refunded"})
    recorded_at = fields.String()


class DisbursementOut(Schema):
    id = fields.Integer()
    fund_code = fields.String()
    amount_fen = fields.Integer()
    purpose = fields.String()
    payee = fields.Dict(metadata={"description": "name and masked id_number"})
    reference = fields.String(allow_none=True)
    status = fields.String()
    reason = fields.String(allow_none=True)
    requested_by = fields.String()
    decided_by = fields.String(allow_none=True)


class StatementLineOut(Schema):
    posted_at = fields.String()
    kind = fields.String()
    memo = fields.String()
    in_fen = fields.Integer()
    out_fen = fields.Integer()
    balance_fen = fields.Integer()


class StatementOut(Schema):
    fund_code = fields.String()
    opening_balance_fen = fields.Integer()
    closing_balance_fen = fields.Integer()
    total_in_fen = fields.Integer()
    total_out_fen = fields.Integer()
    lines = fields.List(fields.Nested(StatementLineOut))
