"""The figures the leadership reads per association: its own (members, families, and,
from the timelines, visits done and claims paid for its families) joined with the fund's
money and the volunteers service's people. An association's figures take in every
association under it: codes nest, so "under" is "begins with" (shared.regions: a
province's or city's figures are its counties')."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.families import domain
from services.families.associations import Association
from services.families.models import Family, Member, TimelineEntry
from shared import regions
from shared.clock import now_utc, year_bounds
from shared.contracts.associations import VISITS_DAYS
from shared.contracts.families import CATEGORIES


@dataclass(frozen=True)
class Ranking:
    """The associations under `code` by the figure `by`, highest first: each one's code,
    name, figures and rank."""
    code: str
    by: str
    items: list[dict]


def own_figures(session: Session, association: str, codes: list[str], year: int) -> dict:
    """code -> what this service knows of it (a province's or city's codes count their
    counties')."""
    found: dict = {}
    for width, wanted in regions.by_prefix(codes).items():
        found.update(_of_width(session, association, width, wanted, year))
    return {code: found[code] for code in codes}


def _of_width(session: Session, association: str, width: int, wanted: dict[str, str],
              year: int) -> dict:
    """The figures of codes whose prefixes (wanted: prefix -> code) have `width` digits."""
    start, end = year_bounds(year)
    since = now_utc() - timedelta(days=VISITS_DAYS)
    leads = sorted(wanted)

    def counted(column, query) -> dict[str, int]:
        lead = func.substr(column, 1, width)
        grouped = (query.add_columns(lead).where(lead.in_(leads)).group_by(lead))
        return {lead: n for n, lead in session.execute(grouped)}

    def entries(kind: str, *when) -> dict[str, int]:
        return counted(Family.village_code, select(func.count(TimelineEntry.id))
                       .join(Family, Family.id == TimelineEntry.family_id)
                       .where(regions.within(TimelineEntry.association_code, association),
                              TimelineEntry.kind == kind, *when))

    members = counted(Member.grassroots_code, select(func.count(Member.id)).where(
        regions.within(Member.association_code, association)))
    families = counted(Family.village_code, select(func.count(Family.id)).where(
        regions.within(Family.association_code, association)))
    low_income = counted(Family.village_code, select(func.count(Family.id)).where(
        regions.within(Family.association_code, association), Family.low_income.is_(True)))
    village = func.substr(Family.village_code, 1, width)
    by_category: dict[str, dict[str, int]] = {}
    for n, category, lead in session.execute(
            select(func.count(Family.id), Family.category, village)
            .where(regions.within(Family.association_code, association), village.in_(leads))
            .group_by(Family.category, village)):
        by_category.setdefault(lead, {})[category] = n
    visits = entries("visit_completed", TimelineEntry.at >= since)
    claims = entries("claim_paid", TimelineEntry.at >= start, TimelineEntry.at < end)
    return {code: {"members": members.get(lead, 0), "families": families.get(lead, 0),
                   "families_by_category": {category: by_category.get(lead, {}).get(
                       category, 0) for category in CATEGORIES},
                   "low_income_families": low_income.get(lead, 0),
                   "visits_done_90d": visits.get(lead, 0),
                   "claims_paid_year": claims.get(lead, 0)} for lead, code in wanted.items()}


def combined(own: dict, money: list[dict], volunteers: list[dict]) -> dict:
    """code -> every figure, from this service's and the others' answers."""
    money_of = {m["code"]: m for m in money}
    people_of = {v["code"]: v["volunteers"] for v in volunteers}
    return {code: {
        **figures, "volunteers": people_of.get(code, 0),
        "donations_fen_year": money_of.get(code, {}).get("donations_fen", 0),
        "spent_fen_year": money_of.get(code, {}).get("spent_fen", 0)}
        for code, figures in own.items()}


def summed(each: Iterable[dict]) -> dict:
    """Figures added up (a province's from its counties'); none: every figure 0."""
    total: dict = {"members": 0, "volunteers": 0, "families": 0, "low_income_families": 0,
                   "visits_done_90d": 0, "donations_fen_year": 0, "spent_fen_year": 0,
                   "claims_paid_year": 0,
                   "families_by_category": dict.fromkeys(CATEGORIES, 0)}
    for figures in each:
        for name, value in figures.items():
            if name == "families_by_category":
                for category, n in value.items():
                    total[name][category] += n
            else:
                total[name] += value
    return total


def ranking(code: str, by: str, associations: list[Association], figures: dict) -> Ranking:
    rows = [{"code": a.code, "name": a.name, **figures[a.code]} for a in associations]
    return Ranking(code, by, domain.ranked(rows, by))

