"""The figures the leadership reads per association: its own (members, families, and,
from the timelines, visits done and claims paid for its families) joined with the fund's
money and the volunteers service's people. An association's figures take in every
association under it: codes nest, so "under" is "begins with"."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.families import domain
from services.families.associations import Association
from services.families.models import Family, Member, TimelineEntry
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


def own_figures(session: Session, county: str, codes: list[str], year: int) -> dict:
    """code -> what this service knows of it, for codes of one length (one level)."""
    if not codes:
        return {}
    width = len(codes[0])
    start, end = year_bounds(year)
    since = now_utc() - timedelta(days=VISITS_DAYS)

    def counted(column, query) -> dict[str, int]:
        prefix = func.substr(column, 1, width)
        grouped = (query.add_columns(prefix).where(prefix.in_(codes)).group_by(prefix))
        return {code: n for n, code in session.execute(grouped)}

    def entries(kind: str, *when) -> dict[str, int]:
        return counted(Family.village_code, select(func.count(TimelineEntry.id))
                       .join(Family, Family.id == TimelineEntry.family_id)
                       .where(TimelineEntry.association_code == county,
                              TimelineEntry.kind == kind, *when))

    members = counted(Member.grassroots_code, select(func.count(Member.id)).where(
        Member.association_code == county))
    families = counted(Family.village_code, select(func.count(Family.id)).where(
        Family.association_code == county))
    low_income = counted(Family.village_code, select(func.count(Family.id)).where(
        Family.association_code == county, Family.low_income.is_(True)))
    village = func.substr(Family.village_code, 1, width)
    by_category: dict[str, dict[str, int]] = {}
    for n, category, code in session.execute(
            select(func.count(Family.id), Family.category, village)
            .where(Family.association_code == county, village.in_(codes))
            .group_by(Family.category, village)):
        by_category.setdefault(code, {})[category] = n
    visits = entries("visit_completed", TimelineEntry.at >= since)
    claims = entries("claim_paid", TimelineEntry.at >= start, TimelineEntry.at < end)
    return {code: {"members": members.get(code, 0), "families": families.get(code, 0),
                   "families_by_category": {category: by_category.get(code, {}).get(
                       category, 0) for category in CATEGORIES},
                   "low_income_families": low_income.get(code, 0),
                   "visits_done_90d": visits.get(code, 0),
                   "claims_paid_year": claims.get(code, 0)} for code in codes}


def combined(own: dict, money: list[dict], volunteers: list[dict]) -> dict:
    """code -> every figure, from this service's and the others' answers."""
    money_of = {m["code"]: m for m in money}
    people_of = {v["code"]: v["volunteers"] for v in volunteers}
    return {code: {
        **figures, "volunteers": people_of.get(code, 0),
        "donations_fen_year": money_of.get(code, {}).get("donations_fen", 0),
        "spent_fen_year": money_of.get(code, {}).get("spent_fen", 0)}
        for code, figures in own.items()}


def ranking(code: str, by: str, associations: list[Association], figures: dict) -> Ranking:
    rows = [{"code": a.code, "name": a.name, **figures[a.code]} for a in associations]
    return Ranking(code, by, domain.ranked(rows, by))

