"""The insurance service's contract: what it accepts and answers, and its codes."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.families import VILLAGE_CODE, FamilyId
from shared.contracts.fund import FUND_CODE
from shared.contracts.volunteers import SKILLS
from shared.fields import BankAccount, Day, FreeText, Mobile, ResidentId, Text, Whole
from shared.money import MAX_FEN, Fen
from shared.schemas import PageIn, StateChangeOut, Strict, in_order

PRODUCT_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a code like ABC_1.")
FAMILY_CATEGORIES = ("only_child", "two_daughters", "special_family",
                     "sterilisation_complication")
CLAIM_STATUSES = ("submitted", "flagged", "approved_awaiting_funds", "approved", "paid",
                  "rejected", "under_appeal")
# The papers a claim may carry, and those a product can require before an approval.
DOCUMENT_KINDS = ("hospital_invoice", "discharge_summary", "id_copy", "death_certificate",
                  "other")
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")  # told by content
APPEAL_DECISIONS = ("upheld", "overturned")
POLICY_STATUSES = ("pending_payment", "active", "expired", "lapsed", "cancelled")
# Who pays a part of a premium; a share naming a fund is paid by that fund (the premium
# saga), the others are recorded by staff when the money comes.
PAYERS = ("government", "department", "society", "family")
SHARE_STATUSES = ("due", "awaiting_funds", "paid")
# Reason codes of the automatic checks on a claim.
FLAGS = ("policy_not_active", "waiting_period", "over_per_claim_cap", "over_per_year_cap",
         "ineligible_age", "ineligible_category", "probable_duplicate", "before_birth",
         "premium_unpaid", "sampled")
# The families register's categories as the products name them (bulk enrolment);
# a family of another category is covered only by products open to every category.
CATEGORY_OF_FAMILY = {"only_child": "only_child", "two_daughters": "two_daughters",
                      "special_bereaved": "special_family", "special_disabled": "special_family"}


PREMIUM_KEY = "premium:"


def premium_key(association: str, policy_id: int, payer: str) -> str:
    """What names one premium share across the saga (`premium:341181:17:government`): the
    fund opens one disbursement per key, and its events carry it back as `source_key`."""
    return f"{PREMIUM_KEY}{association}:{policy_id}:{payer}"


def share_of_key(source_key: str | None) -> tuple[str, int, str] | None:
    """(association, policy id, payer) of a premium share's key; None for any other key."""
    kind, association, policy_id, payer = ((source_key or "").split(":") + [""] * 4)[:4]
    if kind != "premium" or not policy_id.isdigit() or payer not in PAYERS:
        return None
    return association, int(policy_id), payer

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
    "premium_fund_unusable": "A premium share's fund does not exist or cannot pay premiums "
                             "(422 on premium_shares.N.fund_code).",
    "unknown_payer": "The policy has no premium share of this payer (422 on payer).",
    "paid_by_fund": "The share is paid by its fund through the premium saga, not by hand "
                    "(422 on payer).",
    "amount_not_share": "A payment must be exactly the share's amount (422 on amount_fen).",
    "share_already_paid": "The share was paid before (409).",
    "policy_not_pending": "The policy is not waiting for its premium (409).",
    "documents_missing": "The claim lacks a document its product requires; the fields name "
                         "the kinds (409).",
    "document_not_accepted": "A document whose content is not a PDF, JPEG or PNG, whatever "
                             "its name or declared type (422 on file).",
    "document_too_large": "A document over DOCUMENT_MAX_BYTES (413).",
    "document_kind_differs": "The same file is already on the claim as another kind (409).",
    "document_not_found": "No document with this hash on the claim (404).",
    "already_appealed": "A claim is appealed at most once (409).",
    "renewal_refused": "Some policies were not renewed (unknown, not active, already renewed, "
                       "no longer eligible): the others were; errors name each (409).",
    "product_version_changed": "The product's terms changed since the version given (409 on "
                               "product_version).",
}


class PremiumShareIn(Strict):
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    share_pct = Whole(required=True, validate=validate.Range(min=1, max=100))
    fund_code = fields.String(load_default=None, allow_none=True, validate=FUND_CODE,
                              metadata={"description": "the fund that pays this share"})


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
    required_documents = fields.List(fields.String(validate=validate.OneOf(DOCUMENT_KINDS)),
                                     load_default=list,
                                     metadata={"description": "kinds a claim needs before an "
                                                              "approval"})
    premium_fen = Whole(load_default=0, validate=validate.Range(min=0, max=MAX_FEN))
    premium_shares = fields.List(fields.Nested(PremiumShareIn), load_default=list,
                                 validate=validate.Length(max=len(PAYERS)))

    @validates_schema
    def _in_order(self, data, **_):
        in_order(data, "min_age", "max_age", "Must not be below min_age.")
        in_order(data, "per_claim_cap_fen", "per_year_cap_fen",
                 "Must not be below per_claim_cap_fen.")

    @validates_schema
    def _shares(self, data, **_):
        shares = data.get("premium_shares") or []
        if not data.get("premium_fen"):
            if shares:
                raise ValidationError("Only a product with a premium has shares of it.",
                                      "premium_shares")
            return
        payers = [share["payer"] for share in shares]
        if len(set(payers)) != len(payers):
            raise ValidationError("Each payer at most once.", "premium_shares")
        if sum(share["share_pct"] for share in shares) != 100:
            raise ValidationError("The shares must sum to 100 percent.", "premium_shares")


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
    village_code = fields.String(load_default=None, allow_none=True, validate=VILLAGE_CODE,
                                 metadata={"description": "the family's village, for renewing "
                                                          "a village's policies"})


class PolicyRowIn(Strict):
    """An enrolment in a spreadsheet of the policies an association already holds: a row
    each, the insured person's fields flat, held to the same rules as PolicyIn's."""
    product_code = fields.String(required=True, validate=PRODUCT_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(required=True)
    phone = Mobile(load_default=None, allow_none=True)
    start_date = Day(required=True)
    family_category = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(FAMILY_CATEGORIES))
    family_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=60))


class PaymentIn(Strict):
    """A premium share paid by its payer, as staff record it."""
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    amount_fen = Fen(required=True)


class BulkEnrolIn(Strict):
    product_code = fields.String(required=True, validate=PRODUCT_CODE)
    village_code = fields.String(required=True, validate=VILLAGE_CODE,
                                 metadata={"description": "a village's code, or a township's "
                                                          "for all of its villages"})
    start_date = Day(required=True)


# --- renewal: next year's policies ------------------------------------------------------
RENEWAL_OUTCOMES = ("renewed", "already_renewed", "policy_not_found", "not_renewable",
                    "ineligible", "already_insured")
MAX_RENEWALS = 10_000  # policy numbers in one request


class RenewalListIn(PageIn):
    product_code = fields.String(required=True, validate=PRODUCT_CODE)
    village_code = fields.String(load_default=None, validate=VILLAGE_CODE,
                                 metadata={"description": "a village's code, or a township's "
                                                          "for all of its villages"})
    ends_before = Day(load_default=None, metadata={"description": "policies ending before "
                                                                  "this day; default in 60 days"})


class RenewIn(Strict):
    """Chosen policies by number, or a village's (or township's) policies of a product ending
    before a day; `product_version`, if given, must still be the product's newest."""
    policy_nos = fields.List(fields.String(validate=validate.Length(min=1, max=40)),
                             validate=validate.Length(min=1, max=MAX_RENEWALS))
    product_code = fields.String(validate=PRODUCT_CODE)
    village_code = fields.String(validate=VILLAGE_CODE)
    ends_before = Day(load_default=None)
    product_version = Whole(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def _chosen_or_a_village(self, data, **kwargs):
        if data.get("policy_nos") is None and not data.get("village_code"):
            raise ValidationError("Give policy_nos, or a village_code and a product_code.",
                                  "policy_nos")
        if data.get("village_code") and not data.get("product_code"):
            raise ValidationError("A village is renewed a product at a time.", "product_code")
        if data.get("policy_nos") is not None and data.get("village_code"):
            raise ValidationError("Give policy_nos or a village_code, not both.",
                                  "village_code")


class Payable(Schema):
    payer = fields.String(metadata={"description": ", ".join(PAYERS)})
    share_pct = Whole()
    amount_fen = Whole()
    fund_code = fields.String(allow_none=True, metadata={"description": "paid by this fund"})


class RenewalMadeOut(Schema):
    policy_no = fields.String()
    status = fields.String(metadata={"description": ", ".join(POLICY_STATUSES)})
    unpaid_fen = Whole(metadata={"description": "premium shares still due"})
    shares = fields.List(fields.Nested(lambda: PolicyShareOut()))


class RenewalDueOut(Schema):
    """A policy ending soon, and what its renewal costs whom on the product's newest terms."""
    id = Whole()
    policy_no = fields.String()
    status = fields.String()
    insured = fields.Nested(lambda: InsuredOut())
    family_code = fields.String(allow_none=True)
    village_code = fields.String(allow_none=True)
    end_date = fields.String(metadata={"format": "date"})
    next_start_date = fields.String(metadata={"format": "date"})
    next_end_date = fields.String(metadata={"format": "date"})
    product_version = Whole(metadata={"description": "the newest: a renewal's terms"})
    premium_fen = Whole()
    shares = fields.List(fields.Nested(Payable))
    renewal = fields.Nested(RenewalMadeOut, allow_none=True,
                            metadata={"description": "the renewal made, if any"})


class RenewalResultOut(Schema):
    policy_no = fields.String()
    outcome = fields.String(metadata={"description": ", ".join(RENEWAL_OUTCOMES)})
    message = FreeText()
    renewal_policy_no = fields.String(allow_none=True)


class RenewalOut(Schema):
    """200 when every policy was renewed now; 409 when any was not (the others are renewed
    all the same), `errors` naming each policy that was not."""
    renewed = Whole()
    results = fields.List(fields.Nested(RenewalResultOut))


class PayeeAccountIn(Strict):
    """The bank account a claim is paid into; its number is shown masked everywhere."""
    name = Text(load_default=None, allow_none=True, validate=validate.Length(max=200),
                metadata={"description": "the account holder; default: the insured"})
    bank = Text(required=True, validate=validate.Length(max=100))
    account_no = BankAccount(required=True, metadata={"description": "12 to 30 digits"})


class ClaimIn(Strict):
    policy_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    incident_date = Day(required=True)
    amount_claimed_fen = Fen(required=True)
    description = Text(required=True, validate=validate.Length(max=2000))
    payee = fields.Nested(PayeeAccountIn, load_default=None, allow_none=True)


class ApproveIn(Strict):
    amount_approved_fen = Fen(required=True)


class DocumentIn(Strict):
    """The form fields of a document upload (multipart/form-data) besides its `file`."""
    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))


class DocumentUploadIn(DocumentIn):
    """A document as the gateway passes it on: the file's bytes in base64."""
    filename = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=200))
    content = fields.String(required=True, metadata={"description": "base64"})


class AppealDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(APPEAL_DECISIONS))
    reason = Text(required=True, validate=validate.Length(max=500))
    amount_approved_fen = Fen(load_default=None, allow_none=True,
                              metadata={"description": "required when overturned"})

    @validates_schema
    def _amount_when_overturned(self, data, **_):
        overturned = data.get("decision") == "overturned"
        if overturned and data.get("amount_approved_fen") is None:
            raise ValidationError("Required when the appeal is overturned.",
                                  "amount_approved_fen")
        if not overturned and data.get("amount_approved_fen") is not None:
            raise ValidationError("Only an overturned appeal approves an amount.",
                                  "amount_approved_fen")


class PublicClaimIn(Schema):
    id_last4 = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9]{3}[0-9Xx]$", error="Must be the last 4 characters of the identity number."),
        metadata={"description": "the last 4 characters of the insured's identity number"})


class ClaimListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(CLAIM_STATUSES))


class PolicyListIn(PageIn):
    product_code = fields.String(load_default=None, allow_none=True, validate=PRODUCT_CODE)
    id_number = ResidentId(load_default=None, allow_none=True)
    family_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=60))


# What comes back: the service dumps every answer through these (shared.schemas.shaped).
class PremiumShareOut(Schema):
    payer = fields.String(metadata={"description": ", ".join(PAYERS)})
    share_pct = Whole()
    fund_code = fields.String(allow_none=True)


class ProductOut(Schema):
    code = fields.String()
    version = Whole(metadata={"description": "a new one each time the terms change"})
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
    required_documents = fields.List(fields.String(metadata={
        "description": ", ".join(DOCUMENT_KINDS)}))
    premium_fen = Whole()
    premium_shares = fields.List(fields.Nested(PremiumShareOut))


class InsuredOut(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    phone = fields.String(allow_none=True, metadata={"description": "masked"})


class ClaimantOut(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})


class PolicyShareOut(Schema):
    payer = fields.String(metadata={"description": ", ".join(PAYERS)})
    share_pct = Whole()
    amount_fen = Whole()
    fund_code = fields.String(allow_none=True, metadata={"description": "paid by this fund"})
    status = fields.String(metadata={"description": ", ".join(SHARE_STATUSES)})
    paid_by = fields.String(allow_none=True)
    paid_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    disbursement_id = Whole(allow_none=True)


class PolicyOut(Schema):
    id = Whole()
    policy_no = fields.String()
    product_code = fields.String()
    product_version = Whole(metadata={"description": "the product's terms it keeps"})
    status = fields.String(metadata={"description": ", ".join(POLICY_STATUSES)})
    start_date = fields.String(metadata={"format": "date"})
    end_date = fields.String(metadata={"format": "date"})
    insured = fields.Nested(InsuredOut)
    family_category = fields.String(allow_none=True)
    family_code = fields.String(allow_none=True)
    family_id = Whole(allow_none=True)
    village_code = fields.String(allow_none=True)
    renews_policy_no = fields.String(allow_none=True, metadata={"description": "the policy "
                                                                "of the year before it renews"})
    cancel_reason = FreeText(allow_none=True)
    history = fields.List(fields.Nested(StateChangeOut))
    premium_fen = Whole()
    shares = fields.List(fields.Nested(PolicyShareOut),
                         metadata={"description": "who pays which part of the premium"})


class SkippedOut(Schema):
    name = fields.String()
    reason = fields.String(metadata={"description": "already_insured, ineligible_age, "
                                                    "ineligible_category or before_birth"})
    message = FreeText()


class BulkEnrolOut(Schema):
    enrolled = Whole()
    policy_nos = fields.List(fields.String())
    skipped = fields.List(fields.Nested(SkippedOut))


class FlagOut(Schema):
    code = fields.String(metadata={"description": ", ".join(FLAGS)})
    message = fields.String()
    claim_id = Whole(allow_none=True)


class PayoutOut(Schema):
    status = fields.String(metadata={"description": "requested, waiting_for_funds or paid"})
    disbursement_id = Whole(allow_none=True)
    amount_fen = Whole()
    paid_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class PayeeAccountOut(Schema):
    name = fields.String(allow_none=True)
    bank = fields.String()
    account_no = fields.String(metadata={"description": "masked: the last 4 digits only"})


class DocumentOut(Schema):
    kind = fields.String(metadata={"description": ", ".join(DOCUMENT_KINDS)})
    sha256 = fields.String(metadata={"description": "the content's hash; downloads name it"})
    size_bytes = Whole()
    content_type = fields.String(metadata={"description": ", ".join(DOCUMENT_TYPES)})
    filename = FreeText(allow_none=True)
    uploaded_by = fields.String()
    uploaded_at = fields.String(metadata={"format": "date-time"})


class AppealOut(Schema):
    reason = FreeText()
    appealed_by = fields.String()
    appealed_at = fields.String(metadata={"format": "date-time"})
    rejected_by = fields.String(metadata={"description": "may not decide it"})
    decision = fields.String(allow_none=True, metadata={"description": ", ".join(
        APPEAL_DECISIONS)})
    decision_reason = FreeText(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class PublicClaimOut(Schema):
    claim_no = fields.String()
    status = fields.String(metadata={"description": ", ".join(CLAIM_STATUSES)})


class DocumentContentOut(Schema):
    """A document's bytes for the gateway to send (RPC only)."""
    content_type = fields.String()
    filename = fields.String(allow_none=True)
    content = fields.String(metadata={"description": "base64"})


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
    payee = fields.Nested(PayeeAccountOut, allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))
    missing_documents = fields.List(fields.String(), metadata={
        "description": "kinds the product requires that the claim lacks"})
    appeal = fields.Nested(AppealOut, allow_none=True)
