"""The fund service's contract: what it accepts (at the HTTP edge and again at its RPC
boundary), what it answers, and its codes."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shared.clock import local_date, now_utc
from shared.contracts.families import FamilyId
from shared.fields import (
    CreditCode,
    Day,
    FreeText,
    GrassrootsCode,
    Mobile,
    ResidentId,
    Text,
    Whole,
)
from shared.money import Fen
from shared.schemas import MAX_ID, PageIn, StateChangeOut, Strict, in_order

FUND_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="Must be a fund code like GENERAL.")
PROJECT_CODE = validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$",
                               error="Must be a project code like SHANGEN_2026.")
CASH_CHANNELS = ("cash", "bank", "wechat", "alipay")
IN_KIND = "in_kind"  # goods given: receipted at their valuation, never spendable as cash
CHANNELS = CASH_CHANNELS + (IN_KIND,)
ONLINE_CHANNELS = ("wechat", "alipay", "bank")  # what a pledge may be paid through
DONOR_KINDS = ("person", "company", "government", "organisation")
EMAIL_LENGTH = 254  # the longest address SMTP carries
DONATION_STATUSES = ("recorded", "refunded")
DISBURSEMENT_STATUSES = ("requested", "paid", "rejected", "awaiting_funds")
PLEDGE_STATUSES = ("pending", "confirmed", "flagged", "cancelled", "expired")
# A recurring gift: a pledge a month, the first at once, for 1 to 60 months.
RECURRING_STATUSES = ("active", "completed", "cancelled")
MAX_RECURRING_MONTHS = 60
# What money is spent on. `admin_cost` only from unrestricted funds, at most 10% of the
# year's spending (慈善法 第六十条).
CATEGORIES = ("special_family_assistance", "insurance_payout", "insurance_premium",
              "elderly_care", "child_care", "poverty_relief", "health_education", "admin_cost")
ADMIN_COST = "admin_cost"
SPECIAL_FAMILY_ASSISTANCE = "special_family_assistance"

# Error codes this service answers with (besides invalid_input, unsigned_actor and
# role_not_allowed, which every service uses).
ERRORS = {
    "fund_not_found": "No fund with this code (404).",
    "unknown_fund": "A request body names a fund that does not exist (422 on fund_code).",
    "payout_fund_unusable": "A product's payout fund does not exist or cannot pay claims "
                            "(422 on payout_fund_code).",
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
    "unknown_project": "A request names a project the fund does not have (422).",
    "project_exists": "The fund already has a project with this code (409).",
    "project_required": "A restricted fund spends only through a project (422).",
    "category_not_allowed": "The fund does not allow this category (422 on category).",
    "project_insufficient": "More than the project holds (409).",
    "admin_cost_cap": "Admin costs would pass 10% of the year's spending (409).",
    "refund_four_eyes": "The staff user who recorded a donation cannot refund it (403).",
    "use_pledges": "Donors give online through pledges (403).",
    "online_gift_too_large": "An online pledge above the online limit (422 on amount_fen).",
    "pledge_not_found": "No such pledge (404).",
    "not_your_pledge": "A donor reads only their own pledges (403).",
    "recurring_plan_not_found": "No such recurring plan (404).",
    "not_your_plan": "A donor reads and cancels only their own recurring plans (403).",
    "recurring_needs_login": "A recurring gift is started by a donor logged in, or by staff "
                             "(403).",
    "amount_mismatch": "The payment's amount differs from the pledge's; it is flagged (409).",
    "grassroots_outside": "A grassroots code not under the caller's association "
                          "(422 on grassroots_code).",
    "donor_differs": "A spreadsheet's row gives the donor holding its identity number or "
                     "credit code another name, kind or phone; an import only fills in what a "
                     "donor lacks (409 by column).",
}
MAX_GRASSROOTS_CODES = 200


def Grassroots(**options) -> GrassrootsCode:
    """The grassroots association money is attributed to; the association's own if none."""
    return GrassrootsCode(load_default=None, allow_none=True, metadata={
        "description": "a township (9 digits) or village (12 digits) under the association; "
                       "default: the association's own code"}, **options)


class DonorIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(load_default=None, allow_none=True)
    credit_code = CreditCode(load_default=None, allow_none=True)
    phone = Mobile(load_default=None, allow_none=True)
    # How the donor hears by e-mail (a receipt, a pledge confirmed); not an identifier.
    email = fields.Email(load_default=None, allow_none=True,
                         validate=validate.Length(max=EMAIL_LENGTH))

    @validates_schema
    def _identifier_fits_kind(self, data, **_):
        if data["kind"] == "person" and data.get("credit_code"):
            raise ValidationError("A person has an identity number, not a credit code.",
                                  "credit_code")
        if data["kind"] != "person" and data.get("id_number"):
            raise ValidationError("Only a person has an identity number; give the credit code.",
                                  "id_number")


class DonorRowIn(DonorIn):
    """A donor in a spreadsheet of the register, a row each: the fields of a donor typed by
    hand, held to the same rules."""


class DonationIn(Strict):
    """Money (or goods) the association has received, recorded by staff."""
    fund_code = fields.String(required=True, validate=FUND_CODE)
    project_code = fields.String(load_default=None, allow_none=True, validate=PROJECT_CODE)
    amount_fen = Fen(required=True, metadata={"description": "for in_kind: the valuation"})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    donor = fields.Nested(DonorIn, required=True)
    anonymous = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    description = Text(load_default=None, allow_none=True, validate=validate.Length(max=500),
                       metadata={"description": "what was given (in_kind only)"})
    grassroots_code = Grassroots()

    @validates_schema
    def _goods_are_described(self, data, **_):
        if data.get("channel") == IN_KIND and not data.get("description"):
            raise ValidationError("Say what was given.", "description")
        if data.get("channel") != IN_KIND and data.get("description"):
            raise ValidationError("Only goods (in_kind) have a description.", "description")


class DonorDonationIn(DonationIn):
    """A donor giving as themself: who they are comes from their login."""
    donor = fields.Nested(DonorIn, load_default=None, allow_none=True)


class PayeeIn(Strict):
    name = Text(required=True, validate=validate.Length(max=200))
    id_number = ResidentId(load_default=None, allow_none=True)


class DisbursementIn(Strict):
    fund_code = fields.String(required=True, validate=FUND_CODE)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    project_code = fields.String(load_default=None, allow_none=True, validate=PROJECT_CODE,
                                 metadata={"description": "required from a restricted fund"})
    amount_fen = Fen(required=True)
    purpose = Text(required=True, validate=validate.Length(max=500))
    payee = fields.Nested(PayeeIn, required=True)
    reference = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
    family_id = FamilyId(load_default=None, allow_none=True)
    grassroots_code = Grassroots()


class FundIn(Strict):
    code = fields.String(required=True, validate=FUND_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    restricted = fields.Boolean(required=True)
    allowed_categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)), load_default=None,
        validate=validate.Length(min=1),
        metadata={"description": "default: every category (restricted: all but admin_cost)"})

    @post_load
    def _categories(self, data, **_):
        chosen = data["allowed_categories"]
        if chosen is None:
            chosen = [c for c in CATEGORIES if not (data["restricted"] and c == ADMIN_COST)]
        if data["restricted"] and ADMIN_COST in chosen:
            raise ValidationError("Admin costs come only from unrestricted funds.",
                                  "allowed_categories")
        data["allowed_categories"] = sorted(set(chosen), key=CATEGORIES.index)
        return data


class ProjectIn(Strict):
    code = fields.String(required=True, validate=PROJECT_CODE)
    name = Text(required=True, validate=validate.Length(max=200))
    purpose = Text(required=True, validate=validate.Length(max=1000))
    budget_fen = Fen(load_default=None, allow_none=True)


class RecurringIn(Strict):
    months = Whole(required=True, validate=validate.Range(min=1, max=MAX_RECURRING_MONTHS))


class PledgeIn(Strict):
    """A gift promised online: money that has not arrived yet. With `recurring`, the first
    month of a monthly plan: each later month's pledge (its own pay reference) is made on
    the same day of the month (the month's last day when it has fewer)."""
    fund_code = fields.String(required=True, validate=FUND_CODE)
    project_code = fields.String(load_default=None, allow_none=True, validate=PROJECT_CODE)
    amount_fen = Fen(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(ONLINE_CHANNELS))
    donor = fields.Nested(DonorIn, load_default=None, allow_none=True,
                          metadata={"description": "required when not logged in as a donor"})
    anonymous = fields.Boolean(load_default=False)
    grassroots_code = Grassroots()
    recurring = fields.Nested(RecurringIn, load_default=None, allow_none=True,
                              metadata={"description": "a donor logged in, or staff"})


class RecurringListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(RECURRING_STATUSES))


class ConfirmIn(Strict):
    channel_txn_id = Text(required=True, validate=validate.Length(max=100))


class PaymentNotifyIn(Strict):
    """What a payment channel's server says was paid."""
    pledge_no = Text(required=True, validate=validate.Length(max=40))
    channel_txn_id = Text(required=True, validate=validate.Length(max=100))
    amount_fen = Fen(required=True)


class PledgeListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(PLEDGE_STATUSES))


class ReconcileLineIn(Strict):
    """One bank-statement line: who paid in, how much, with which reference."""
    line = Whole(required=True, validate=validate.Range(min=1))
    reference = fields.String(required=True, validate=validate.Length(max=200))
    amount_fen = Whole(required=True)
    txn_id = Text(required=True, validate=validate.Length(max=100))


class AnnualReceiptIn(Schema):
    year = Whole(text=True, load_default=None, validate=validate.Range(min=2000, max=2999))


class PublicPeriodIn(PageIn):
    from_ = Day(load_default=None, data_key="from")
    to = Day(load_default=None)

    @validates_schema
    def _ordered(self, data, **_):
        in_order(data, "from_", "to", "Must not be before 'from'.")


class DonationListIn(PageIn):
    donor_id = Whole(text=True, load_default=None, allow_none=True,
                              validate=validate.Range(min=1, max=MAX_ID))
    fund_code = fields.String(load_default=None, allow_none=True, validate=FUND_CODE)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(DONATION_STATUSES))
    from_ = Day(load_default=None, data_key="from",
                metadata={"description": "recorded on or after this local date"})
    to = Day(load_default=None, metadata={"description": "recorded on or before this local date"})

    @validates_schema
    def _ordered(self, data, **_):
        in_order(data, "from_", "to", "Must not be before 'from'.")


class DonorListIn(PageIn):
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(DONOR_KINDS))
    ids = fields.List(Whole(validate=validate.Range(min=1, max=MAX_ID)), load_default=None,
                      validate=validate.Length(max=500),
                      metadata={"description": "only these donors (a page's, in one call)"})


class DisbursementListIn(PageIn):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(DISBURSEMENT_STATUSES))


class GrassrootsTotalsIn(Strict):
    """Money by grassroots association: each code counts itself and every code under it."""
    codes = fields.List(GrassrootsCode(), required=True,
                        validate=validate.Length(min=1, max=MAX_GRASSROOTS_CODES))
    year = Whole(load_default=None, allow_none=True,
                 validate=validate.Range(min=1900, max=2999),
                 metadata={"description": "a local calendar year; default: this year"})

    @post_load
    def _this_year(self, data, **_):
        data["year"] = data["year"] or local_date(now_utc()).year
        return data


class StatementIn(Schema):
    """A period of the association's local dates; by default this year up to today. With
    `limit` (and `offset`), only that page of the lines, with `line_count` and `months`
    (money in and out by local month) for the whole period: a page costs the same
    however many lines the period holds."""
    from_ = Day(load_default=None, data_key="from")
    to = Day(load_default=None)
    limit = Whole(text=True, load_default=None, validate=validate.Range(min=1, max=500))
    offset = Whole(text=True, load_default=0, validate=validate.Range(min=0, max=MAX_ID))

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
    balance_fen = Whole(metadata={"description": "cash, projects included"})
    in_kind_fen = Whole(metadata={"description": "goods received, at valuation"})
    allowed_categories = fields.List(fields.String())


class ProjectOut(Schema):
    code = fields.String()
    name = fields.String()
    purpose = FreeText()
    budget_fen = Whole(allow_none=True)
    received_fen = Whole()
    spent_fen = Whole()
    balance_fen = Whole()


class FundProjectOut(Schema):
    """A project named with its fund, without the ledger's totals: what a page needs to
    offer or name the association's projects."""
    fund_code = fields.String()
    code = fields.String()
    name = fields.String()
    budget_fen = Whole(allow_none=True)
    balance_fen = Whole()


class DonorOut(Schema):
    id = Whole()
    kind = fields.String()
    name = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})
    credit_code = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked"})
    email = fields.String(allow_none=True, metadata={"description": "masked"})


class IdentityOut(Schema):
    donor_id = Whole()
    id_number = fields.String(allow_none=True, metadata={"description": "in full; recorded"})
    credit_code = fields.String(allow_none=True, metadata={"description": "in full; recorded"})


class DonationOut(Schema):
    id = Whole()
    receipt_no = fields.String()
    amount_fen = Whole()
    fund_code = fields.String()
    project_code = fields.String(allow_none=True)
    description = FreeText(allow_none=True, metadata={"description": "goods (in_kind)"})
    recorded_by = fields.String()
    donor_id = Whole()
    channel = fields.String()
    anonymous = fields.Boolean()
    note = FreeText(allow_none=True)
    status = fields.String(metadata={"description": "recorded or refunded"})
    recorded_at = fields.String(metadata={"format": "date-time"})
    refund_reason = FreeText(allow_none=True)
    grassroots_code = fields.String(metadata={"description": "county, township or village"})
    history = fields.List(fields.Nested(StateChangeOut),
                          metadata={"description": "its refund, once refunded"})


class PayeeOut(Schema):
    name = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})


class DisbursementOut(Schema):
    id = Whole()
    fund_code = fields.String()
    category = fields.String(allow_none=True)
    project_code = fields.String(allow_none=True)
    amount_fen = Whole()
    purpose = FreeText()
    payee = fields.Nested(PayeeOut)
    reference = fields.String(allow_none=True)
    family_id = Whole(allow_none=True)
    grassroots_code = fields.String(metadata={"description": "county, township or village"})
    status = fields.String(metadata={"description": ", ".join(DISBURSEMENT_STATUSES)})
    reason = FreeText(allow_none=True)
    requested_by = fields.String()
    decided_by = fields.String(allow_none=True)
    requested_at = fields.String(metadata={"format": "date-time"})
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    history = fields.List(fields.Nested(StateChangeOut))


class StatementLineOut(Schema):
    posted_at = fields.String(metadata={"format": "date-time"})
    kind = fields.String()
    memo = FreeText()
    in_fen = Whole()
    out_fen = Whole()
    balance_fen = Whole()


class StatementMonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    in_fen = Whole()
    out_fen = Whole()


class StatementOut(Schema):
    fund_code = fields.String()
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})
    opening_balance_fen = Whole()
    closing_balance_fen = Whole()
    total_in_fen = Whole()
    total_out_fen = Whole()
    lines = fields.List(fields.Nested(StatementLineOut))


class StatementPageOut(StatementOut):
    """A statement asked for with `limit`: a page of its lines."""
    line_count = Whole(metadata={"description": "The period's lines in all."})
    months = fields.List(fields.Nested(StatementMonthOut),
                         metadata={"description": "Money in and out by local month."})


class PledgeOut(Schema):
    id = Whole()
    pledge_no = fields.String()
    status = fields.String(metadata={"description": ", ".join(PLEDGE_STATUSES)})
    fund_code = fields.String()
    project_code = fields.String(allow_none=True)
    amount_fen = Whole()
    channel = fields.String()
    donor_id = Whole()
    anonymous = fields.Boolean()
    pay_reference = fields.String(metadata={"description": "quote it with the payment"})
    expires_at = fields.String(metadata={"format": "date-time"})
    created_at = fields.String(metadata={"format": "date-time"})
    channel_txn_id = fields.String(allow_none=True)
    grassroots_code = fields.String(metadata={"description": "kept by its donation"})
    donation = fields.Nested(DonationOut, allow_none=True)
    history = fields.List(fields.Nested(StateChangeOut))
    recurring_plan_id = Whole(allow_none=True, metadata={"description": "its monthly plan"})
    month = Whole(allow_none=True, metadata={"description": "which month of its plan"})


class RecurringOut(Schema):
    """A monthly plan and the months' pledges made so far."""
    id = Whole()
    status = fields.String(metadata={"description": ", ".join(RECURRING_STATUSES)})
    donor_id = Whole()
    fund_code = fields.String()
    project_code = fields.String(allow_none=True)
    amount_fen = Whole(metadata={"description": "a month's"})
    channel = fields.String()
    months = Whole()
    months_made = Whole()
    next_month_on = fields.String(allow_none=True, metadata={
        "format": "date", "description": "when the next month's pledge is made"})
    confirmed_fen = Whole(metadata={"description": "what the months confirmed so far gave"})
    created_at = fields.String(metadata={"format": "date-time"})
    pledges = fields.List(fields.Nested(PledgeOut), metadata={"description": "month by month"})
    history = fields.List(fields.Nested(StateChangeOut))


class ReceiptOut(Schema):
    """The official receipt (捐赠票据) of one donation."""
    receipt_no = fields.String()
    amount_fen = Whole()
    amount_in_words = fields.String(metadata={"example": "壹佰贰拾叁元肆角伍分"})
    fund_name = fields.String()
    project_name = fields.String(allow_none=True)
    donor_name = fields.String()
    in_kind_description = FreeText(allow_none=True)
    issued_at = fields.String(metadata={"format": "date-time"})
    association_name = fields.String()
    trace_url = fields.String()
    status = fields.String(metadata={"description": "valid, or void once refunded"})


class AnnualReceiptOut(Schema):
    donor_id = Whole()
    donor_name = fields.String()
    year = Whole()
    total_fen = Whole()
    total_in_words = fields.String()
    association_name = fields.String()
    receipts = fields.List(fields.Nested(ReceiptOut))


class PublicFundOut(Schema):
    code = fields.String()
    name = fields.String()
    restricted = fields.Boolean()
    received_fen = Whole()
    spent_fen = Whole()
    balance_fen = Whole()
    projects = fields.List(fields.Nested(ProjectOut))


class PublicDisbursementOut(Schema):
    paid_at = fields.String(metadata={"format": "date-time"})
    fund_code = fields.String()
    project_code = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    amount_fen = Whole()
    payee = fields.String(metadata={"description": "masked: 张*"})


class SpendingOut(Schema):
    key = fields.String(metadata={"description": "a month (YYYY-MM), a category or a project"})
    amount_fen = Whole()


class PublicSpendingOut(Schema):
    by_month = fields.List(fields.Nested(SpendingOut))
    by_category = fields.List(fields.Nested(SpendingOut))
    by_project = fields.List(fields.Nested(SpendingOut))


class TraceOut(Schema):
    """Where a gift went: its fund and project and what they paid out since; no donor."""
    receipt_no = fields.String()
    recorded_at = fields.String(metadata={"format": "date-time"})
    amount_fen = Whole()
    status = fields.String()
    fund_code = fields.String()
    fund_name = fields.String()
    project_code = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    paid_out_since_fen = Whole()
    paid_out_since = fields.List(fields.Nested(PublicDisbursementOut))


class GrassrootsTotalOut(Schema):
    code = fields.String()
    donations_fen = Whole(metadata={"description": "money (not goods) received in the year "
                                                   "less the year's refunds of such gifts"})
    spent_fen = Whole(metadata={"description": "disbursements paid in the year"})


class GrassrootsTotalsOut(Schema):
    items = fields.List(fields.Nested(GrassrootsTotalOut),
                        metadata={"description": "one per code asked for, in order"})
