"""Money by grassroots association: what a county, township or village association raised
and spent in a local year, each code counting itself and every code under it (a township
its villages, the county everything, a province or city its counties'). Added up from the
month totals postings keep (`grassroots_months`), one grouped query per code length."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.fund.models import GrassrootsMonth
from shared import regions


@dataclass(frozen=True)
class GrassrootsTotal:
    code: str
    donations_fen: int  # money (not goods) received in the year less the year's refunds
    spent_fen: int  # disbursements paid in the year


def totals(session: Session, association: str, codes: list[str],
           year: int) -> list[GrassrootsTotal]:
    """One per code asked for, in order: money donations recorded in the year less the
    year's refunds of money donations (a refund counts in the year it was made, as in the
    ledger), and disbursements paid in the year."""
    found: dict[str, tuple[int, int]] = {}
    for length, wanted in sorted(regions.by_prefix(codes).items()):
        found.update(_year(session, association, length, wanted, year))
    return [GrassrootsTotal(code, *found.get(code, (0, 0))) for code in codes]


def _year(session: Session, association: str, length: int, wanted: dict[str, str],
          year: int) -> dict[str, tuple[int, int]]:
    """code asked about -> (money raised less refunds, spent) over the year's local months
    of every code beginning with its prefix of `length` digits."""
    kept = GrassrootsMonth
    prefix = func.substr(kept.grassroots_code, 1, length)
    query = (select(prefix, func.sum(kept.donated_fen) - func.sum(kept.refunded_fen),
                    func.sum(kept.spent_fen))
             .where(regions.within(kept.association_code, association),
                    kept.month >= date(year, 1, 1), kept.month < date(year + 1, 1, 1),
                    prefix.in_(sorted(wanted)))
             .group_by(prefix))
    return {wanted[lead]: (int(raised), int(spent))
            for lead, raised, spent in session.execute(query)}
