"""The insurance service's contract: what it accepts and answers, and its codes."""
from marshmallow import Schema, fields, validate, validates_schema

from shared.contracts.families import FamilyId
from shared.contracts.fund import FUND_CODE
from shared.contracts.volunteers import SKILLS
from shared.fields import Day, FreeText, Mobile, ResidentId, Text, Whole
from shared.money import Fen
from shared.schemas import PageIn, StateChangeOut, Strict, in_order

PRODUCT_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a code like ABC_1.")
FAMILY_CATEGORIES = ("only_child", "two_daughters", "special_family",
                     "sterilisation_complication")
CLAIM_STATUSES = ("submitted", "flagged", "approved_awaiting_funds", "approved", "paid",
                  "rejected")
POLICY_STATUSES = ("active", "expired", "cancelled")
# Reason codes of the automatic checks on a claim.
FLAGS = ("policy_not_active", "waiting_period", "over_per_claim_cap", "over_per_year_cap",
         "ineligible_age", "ineligible_category", "probable_duplicate", "before_birth")

ERRORS = {
    "unknown_product": "A request names a product that does not exist (422).",
    "unknown_policy": "A claim names a policy that does not exist (422 on policy_no).",
    "policy_not_found": "No such policy (404).",
    "claim_not_found": "No such claim (404).",
    "ineligible": "The insured person is not eligible for the product (422).",
    "already_insured": "The person already holds an active policy of the product (409).",
    "approval_refused": "The claim breaks a hard rule or a cap at this amount (409).",
    "illegal_transition": "The claim or policy is not in a state that allows this (409).",
    "four_eyes": "The staff user who registered a claim cannot approve it (403).",
    "admin_only": "Only an admin may define products (403).",
    "payout_fund_unusable": "A product's payout fund does not exist or cannot pay claims "
                            "(422 on payout_fund_code).",
}


class ProductIn(Strict):
    code = fields.String(required=True, validate=PRODUCT_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    payout_fund_code = fields.String(required=True, validate=FUND_CODE)
    per_claim_cap_fen = Fen(required=True)
    per_year_cap_fen = Fen(required=True)
    waiting_days = Whole(required=True, validate=validate.Range(min=0, max=3650))
    term_days = Whole(required=True, validate=validate.Range(min=1,
                                                                                 max=3650))
    min_age = Whole(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=150))
    max_age = Whole(load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=150))
    categories = fields.List(fields.String(validate=validate.OneOf(FAMILY_CATEGORIES)),
                             load_default=list)
    care_visit = fields.Boolean(load_default=False)
    care_visit_skills = fields.List(fields.String(validate=validate.OneOf(SKILLS)),
                                    load_default=list)

    @validates_schema
    def _in_order(self, data, **_):
        in_order(data, "min_age", "max_age", "Must not be below min_age.")
        in_order(data, "per_claim_cap_fen", "per_year_cap_fen",
                 "Must not be below per_claim_cap_fen.")


class InsuredIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(load_default=None, allow_none=True)


class PolicyIn(Strict):
    product_code = fields.String(required=True, validate=PRODUCT_CODE)
    insured = fields.Nested(InsuredIn, required=True)
    start_date = Day(required=True)
    family_category = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(FAMILY_CATEGORIES))
    family_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=60))
    family_id = FamilyId(load_default=None, allow_none=True)


class ClaimIn(Strict):
    policy_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    incident_date = Day(required=True)
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
    family_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=60))


# What comes back: the service dumps every answer through these (shared.schemas.shaped).
class ProductOut(Schema):
    code = fields.String()
    name = fields.String()
    payout_fund_code = fields.String()
    per_claim_cap_fen = Whole()
    per_year_cap_fen = Whole()
    waiting_days = Whole()
    term_days = Whole()
    min_age = Whole(allow_none=True)
    max_age = Whole(allow_none=True)
    categories = fields.List(fields.String())
    care_visit = fields.Boolean()
    care_visit_skills = fields.List(fields.String())


class InsuredOut(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(allow_none=True, metadata={"description": "masked"})


class ClaimantOut(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})


class PolicyOut(Schema):
    id = Whole()
    policy_no = fields.String()
    product_code = fields.String()
    status = fields.String(metadata={"description": ", ".join(POLICY_STATUSES)})
    start_date = fields.String(metadata={"format": "date"})
    end_date = fields.String(metadata={"format": "date"})
    insured = fields.Nested(InsuredOut)
    family_category = fields.String(allow_none=True)
    family_code = fields.String(allow_none=True)
    family_id = Whole(allow_none=True)
    cancel_reason = FreeText(allow_none=True)
    history = fields.List(fields.Nested(StateChangeOut))


class FlagOut(Schema):
    code = fields.String(metadata={"description": ", ".join(FLAGS)})
    message = fields.String()
    claim_id = Whole(allow_none=True)


class PayoutOut(Schema):
    status = fields.String(metadata={"description": "requested, waiting_for_funds or paid"})
    disbursement_id = Whole(allow_none=True)
    amount_fen = Whole()
    paid_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ClaimOut(Schema):
    id = Whole()
    claim_no = fields.String()
    policy_no = fields.String()
    product_code = fields.String()
    insured = fields.Nested(ClaimantOut)
    incident_date = fields.String(metadata={"format": "date"})
    amount_claimed_fen = Whole()
    amount_approved_fen = Whole(allow_none=True)
    description = FreeText()
    status = fields.String(metadata={"description": ", ".join(CLAIM_STATUSES)})
    flags = fields.List(fields.Nested(FlagOut))
    registered_by = fields.String()
    family_id = Whole(allow_none=True, metadata={"description": "its policy's family"})
    history = fields.List(fields.Nested(StateChangeOut))
    payout = fields.Nested(PayoutOut, allow_none=True)
