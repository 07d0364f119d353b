"""Money by grassroots association: what a county, township or village association raised
and spent in a local year, each code counting itself and every code under it (a township
its villages, the county everything, a province or city its counties'). Summed in SQL,
one grouped query per code length."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from services.fund.models import Disbursement, Donation, LedgerTransaction
from shared import regions
from shared.clock import year_bounds
from shared.contracts.fund import IN_KIND


@dataclass(frozen=True)
class GrassrootsTotal:
    code: str
    donations_fen: int  # money (not goods) received in the year less the year's refunds
    spent_fen: int  # disbursements paid in the year


@dataclass(frozen=True)
class _Codes:
    """Codes whose prefixes are of one length (a province, city, county, township or
    village: shared.regions.prefix) and the year's UTC bounds."""
    length: int
    codes: dict[str, str]  # prefix -> the code asked about
    start: datetime
    stop: datetime


def totals(session: Session, association: str, codes: list[str],
           year: int) -> list[GrassrootsTotal]:
    """One per code asked for, in order: money donations recorded in the year less the
    year's refunds of money donations (a refund counts in the year it was made, as in the
    ledger), and disbursements paid in the year."""
    start, stop = year_bounds(year)
    donated: dict[str, int] = {}
    spent: dict[str, int] = {}
    for length, wanted_codes in sorted(regions.by_prefix(codes).items()):
        wanted = _Codes(length, wanted_codes, start, stop)
        donated.update(_donated(session, association, wanted))
        spent.update(_spent(session, association, wanted))
    return [GrassrootsTotal(code, donated.get(code, 0), spent.get(code, 0)) for code in codes]


def _donated(session: Session, association: str, wanted: _Codes) -> dict[str, int]:
    refund = aliased(LedgerTransaction)
    prefix = func.substr(Donation.grassroots_code, 1, wanted.length)
    recorded = and_(Donation.recorded_at >= wanted.start, Donation.recorded_at < wanted.stop)
    refunded = and_(refund.posted_at >= wanted.start, refund.posted_at < wanted.stop)
    net = (func.coalesce(func.sum(case((recorded, Donation.amount_fen), else_=0)), 0)
           - func.coalesce(func.sum(case((refunded, Donation.amount_fen), else_=0)), 0))
    query = (select(prefix, net).select_from(Donation)
             .outerjoin(refund, refund.id == Donation.refund_transaction_id)
             .where(regions.within(Donation.association_code, association),
                    Donation.channel != IN_KIND, prefix.in_(sorted(wanted.codes)),
                    recorded | refunded)
             .group_by(prefix))
    return {wanted.codes[lead]: int(amount) for lead, amount in session.execute(query)}


def _spent(session: Session, association: str, wanted: _Codes) -> dict[str, int]:
    prefix = func.substr(Disbursement.grassroots_code, 1, wanted.length)
    query = (select(prefix, func.coalesce(func.sum(Disbursement.amount_fen), 0))
             .join(LedgerTransaction, LedgerTransaction.id == Disbursement.ledger_transaction_id)
             .where(regions.within(Disbursement.association_code, association),
                    Disbursement.status == "paid",
                    LedgerTransaction.posted_at >= wanted.start,
                    LedgerTransaction.posted_at < wanted.stop,
                    prefix.in_(sorted(wanted.codes)))
             .group_by(prefix))
    return {wanted.codes[lead]: int(amount) for lead, amount in session.execute(query)}
