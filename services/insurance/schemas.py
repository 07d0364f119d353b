"""What the insurance service accepts and returns."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.fund.schemas import FUND_CODE
from services.insurance.domain import FAMILY_CATEGORIES
from shared.events.catalogue import SKILLS
from shared.fields import Mobile, ResidentId, Text
from shared.money import Fen
from shared.schemas import PageIn, Strict

PRODUCT_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a code like ABC_1.")
CLAIM_STATUSES = ("submitted", "flagged", "approved_awaiting_funds", "approved", "paid",
                  "rejected")


class ProductIn(Strict):
    code = fields.String(required=True, validate=PRODUCT_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    payout_fund_code = fields.String(required=True, validate=FUND_CODE)
    per_claim_cap_fen = Fen(required=True)
    per_year_cap_fen = Fen(required=True)
    waiting_days = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=0, max=3650))
    term_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1,
                                                                                 max=3650))
    min_age = fields.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=150))
    max_age = fields.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=150))
    categories = fields.List(fields.String(validate=validate.OneOf(FAMILY_CATEGORIES)),
                             load_default=list)
    care_visit = fields.Boolean(load_default=False)
    care_visit_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)),
                                    load_default=list)

    @validates_schema
    def _ages_in_order(self, data, **_):
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            raise ValidationError("Must not be below min_age.", "max_age")


class InsuredIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(load_default=None, allow_none=True)


class PolicyIn(Strict):
    product_code = fields.String(required=True, validate=PRODUCT_CODE)
    insured = fields.Nested(InsuredIn, required=True)
    start_date = fields.Date(required=True)
    family_category = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(FAMILY_CATEGORIES))
    family_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=60))


class ClaimIn(Strict):
    policy_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    incident_date = fields.Date(required=True)
    amount_claimed_fen = Fen(required=True)
    description = Text(required=True, validate=validate.Length(max=2000))


class ApproveIn(Strict):
    amount_approved_fen = Fen(required=True)


class ClaimListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(CLAIM_STATUSES))


class PolicyListIn(PageIn):
    product_code = fields.String(load_default=None, allow_none=True, validate=PRODUCT_CODE)
    id_number = ResidentId(load_default=None, allow_none=True)
    family_code = fields.String(load_default=None, allow_none=True)


# What comes back (documented in OpenAPI).
class ProductOut(Schema):
    code = fields.String()
    name = fields.String()
    payout_fund_code = fields.String()
    per_claim_cap_fen = fields.Integer()
    per_year_cap_fen = fields.Integer()
    waiting_days = fields.Integer()
    term_days = fields.Integer()
    min_age = fields.Integer(allow_none=True)
    max_age = fields.Integer(allow_none=True)
    categories = fields.List(fields.String())
    care_visit = fields.Boolean()


class PolicyOut(Schema):
    id = fields.Integer()
    policy_no = fields.String()
    product_code = fields.String()
    status = fields.String(metadata={"description": "active, expired or cancelled"})
    start_date = fields.Date()
    end_date = fields.Date()
    insured = fields.Dict(metadata={"description": "name, masked id_number, masked phone"})
    family_category = fields.String(allow_none=True)
    family_code = fields.String(allow_none=True)


class FlagOut(Schema):
    code = fields.String()
    message = fields.String()
    claim_id = fields.Integer(allow_none=True)


class HistoryOut(Schema):
    at = fields.String()
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String(allow_none=True)


class ClaimOut(Schema):
    id = fields.Integer()
    claim_no = fields.String()
    policy_no = fields.String()
    product_code = fields.String()
    incident_date = fields.Date()
    amount_claimed_fen = fields.Integer()
    amount_approved_fen = fields.Integer(allow_none=True)
    description = fields.String()
    status = fields.String()
    flags = fields.List(fields.Nested(FlagOut))
    history = fields.List(fields.Nested(HistoryOut))
    payout = fields.Dict(allow_none=True, metadata={
        "description": "disbursement_id, status (waiting_for_funds or paid), paid_at"})

