"""The insurance reports' contract: a calendar year's premiums, claims and loss ratio, per
product, as the county asks for them at year end. Money is in fen.

- Premiums: the shares of the policies whose cover starts in the year, by product and payer.
  `due_fen` is every share still owed or paid (an unpaid share of a cancelled policy is owed
  no more); `paid_fen` the shares paid.
- Claims: the claims whose incident is in the year, by product and status; rejected claims
  are counted apart by the reason of their last rejection.
- Loss ratio: a paid premium is earned evenly over its policy's days of cover, so the year
  earns the part of it whose days fall in the year (a policy from 1 July to 30 June earns
  half of it in each year). `paid_claims_fen`: claims paid for incidents in the year.
  `ratio` = paid claims ÷ earned premiums, to 4 decimal places; null when nothing was earned.
"""
from marshmallow import Schema, fields, post_load, validate

from shared.clock import local_date, now_utc
from shared.fields import Whole
from shared.schemas import Strict

FIRST_YEAR, LAST_YEAR = 1900, 2999
RATIO_PLACES = 4


class ReportIn(Strict):
    year = Whole(text=True, load_default=None, allow_none=True,
                 validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR),
                 metadata={"description": "a calendar year; default: this year"})

    @post_load
    def _this_year(self, data, **_):
        data["year"] = data["year"] or local_date(now_utc()).year
        return data


class PremiumRowOut(Schema):
    product_code = fields.String(required=True)
    payer = fields.String(required=True)
    due_fen = fields.Integer(required=True, metadata={
        "description": "shares of the policies whose cover starts in the year, but an unpaid "
                       "share of a cancelled policy"})
    paid_fen = fields.Integer(required=True)


class PremiumReportOut(Schema):
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(PremiumRowOut), required=True)


class ClaimRowOut(Schema):
    product_code = fields.String(required=True)
    status = fields.String(required=True)
    rejection_reason = fields.String(allow_none=True, required=True,
                                     metadata={"description": "rejected claims only"})
    claims = fields.Integer(required=True)
    claimed_fen = fields.Integer(required=True)
    approved_fen = fields.Integer(required=True)


class ClaimReportOut(Schema):
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(ClaimRowOut), required=True)


class LossRatioRowOut(Schema):
    product_code = fields.String(required=True)
    earned_premium_fen = fields.Integer(required=True, metadata={
        "description": "paid premiums, each earned evenly over its policy's days of cover: "
                       "the part whose days fall in the year"})
    paid_claims_fen = fields.Integer(required=True, metadata={
        "description": "claims paid for incidents in the year"})
    ratio = fields.Float(allow_none=True, required=True, metadata={
        "description": "paid claims / earned premiums, 4 decimal places; null when nothing "
                       "was earned"})


class LossRatioReportOut(Schema):
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(LossRatioRowOut), required=True)
