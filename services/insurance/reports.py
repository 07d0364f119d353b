"""The year's reports, summed by the database from the policies' premium shares and the
claims (`shared.contracts.insurance_reports` says what each figure counts). Sums are read
with int(): PostgreSQL answers a SUM of BIGINTs as a decimal."""
from datetime import date
from fractions import Fraction

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.insurance.models import Claim, ClaimHistory, Policy, PremiumShare, Product
from shared.contracts.insurance_reports import (
    RATIO_PLACES,
    ClaimReportOut,
    LossRatioReportOut,
    PremiumReportOut,
)
from shared.errors import NotFound
from shared.schemas import shaped


def report(session: Session, association: str, kind: str, year: int) -> dict:
    """The report `kind` of the year, as its Out schema documents it."""
    if kind not in REPORTS:
        raise NotFound(f"No report {kind}.", "report_not_found")
    make, schema = REPORTS[kind]
    return shaped(schema, {"year": year, "items": make(session, association, year)})


def premiums(session: Session, association: str, year: int) -> list[dict]:
    owed = or_(PremiumShare.status == "paid", Policy.status != "cancelled")
    paid = PremiumShare.status == "paid"
    found = session.execute(
        select(Product.code, PremiumShare.payer,
               func.sum(case((owed, PremiumShare.amount_fen), else_=0)),
               func.sum(case((paid, PremiumShare.amount_fen), else_=0)))
        .join(Policy, PremiumShare.policy_id == Policy.id)
        .join(Product, Policy.product_id == Product.id)
        .where(Policy.association_code == association, _within(Policy.start_date, year))
        .group_by(Product.code, PremiumShare.payer)
        .order_by(Product.code, PremiumShare.payer))
    return [{"product_code": code, "payer": payer, "due_fen": int(due), "paid_fen": int(paid_fen)}
            for code, payer, due, paid_fen in found]


def claims(session: Session, association: str, year: int) -> list[dict]:
    last_rejection = (select(func.max(ClaimHistory.id).label("id"))
                      .where(ClaimHistory.to_status == "rejected")
                      .group_by(ClaimHistory.claim_id).subquery())
    rejection = (select(ClaimHistory.claim_id, ClaimHistory.reason)
                 .join(last_rejection, ClaimHistory.id == last_rejection.c.id).subquery())
    reason = case((Claim.status == "rejected", rejection.c.reason))
    found = session.execute(
        select(Product.code, Claim.status, reason, func.count(Claim.id),
               func.sum(Claim.amount_claimed_fen),
               func.coalesce(func.sum(Claim.amount_approved_fen), 0))
        .join(Policy, Claim.policy_id == Policy.id)
        .join(Product, Policy.product_id == Product.id)
        .outerjoin(rejection, rejection.c.claim_id == Claim.id)
        .where(Claim.association_code == association, _within(Claim.incident_date, year))
        .group_by(Product.code, Claim.status, reason)
        .order_by(Product.code, Claim.status, reason))
    return [{"product_code": code, "status": status, "rejection_reason": why, "claims": count,
             "claimed_fen": int(claimed), "approved_fen": int(approved)}
            for code, status, why, count, claimed, approved in found]


def loss_ratio(session: Session, association: str, year: int) -> list[dict]:
    first, last = _bounds(year)
    # Paid premiums by the days of cover they pay for; the share of each span that falls
    # in the year is worked out below, exactly, and rounded once per product.
    spans = session.execute(
        select(Product.code, Policy.start_date, Policy.end_date,
               func.sum(PremiumShare.amount_fen))
        .join(Policy, PremiumShare.policy_id == Policy.id)
        .join(Product, Policy.product_id == Product.id)
        .where(Policy.association_code == association, PremiumShare.status == "paid",
               Policy.start_date <= last, Policy.end_date >= first)
        .group_by(Product.code, Policy.start_date, Policy.end_date))
    earned: dict[str, Fraction] = {}
    for code, start, end, paid in spans:
        earned[code] = earned.get(code, Fraction(0)) + earned_in(int(paid), start, end, year)
    paid_claims = {code: int(paid) for code, paid in session.execute(
        select(Product.code, func.sum(Claim.amount_approved_fen))
        .join(Policy, Claim.policy_id == Policy.id)
        .join(Product, Policy.product_id == Product.id)
        .where(Claim.association_code == association, Claim.status == "paid",
               _within(Claim.incident_date, year))
        .group_by(Product.code))}
    return [_ratio_row(code, rounded(earned.get(code, Fraction(0))), paid_claims.get(code, 0))
            for code in sorted(set(earned) | set(paid_claims))]


def earned_in(paid_fen: int, start: date, end: date, year: int) -> Fraction:
    """The part of a premium paid for cover from `start` to `end` (both days covered) that
    the year earns: as many parts of it as days of the cover fall in the year."""
    first, last = _bounds(year)
    days_in_year = (min(end, last) - max(start, first)).days + 1
    return Fraction(paid_fen * max(days_in_year, 0), (end - start).days + 1)


def rounded(fen: Fraction) -> int:
    """To the nearest fen, a half fen up."""
    return int(fen + Fraction(1, 2)) if fen >= 0 else -int(-fen + Fraction(1, 2))


def ratio(paid_claims_fen: int, earned_fen: int) -> float | None:
    return round(paid_claims_fen / earned_fen, RATIO_PLACES) if earned_fen else None


def _ratio_row(code: str, earned_fen: int, paid_claims_fen: int) -> dict:
    return {"product_code": code, "earned_premium_fen": earned_fen,
            "paid_claims_fen": paid_claims_fen, "ratio": ratio(paid_claims_fen, earned_fen)}


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _within(column, year: int):
    first, last = _bounds(year)
    return and_(column >= first, column <= last)


REPORTS = {"premiums": (premiums, PremiumReportOut()), "claims": (claims, ClaimReportOut()),
           "loss-ratio": (loss_ratio, LossRatioReportOut())}
