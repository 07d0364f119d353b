"""The yearly assessment of grassroots associations (先进基层协会评估): the county sets a
year's criteria and the scores of its manual items; an association's assessment weighs the
associations directly under it, each taking in everything under it (codes nest: "under" is
"begins with"). This module keeps the criteria and scores and counts what this service holds;
the volunteers' hours and the money come from their services (the entrypoint asks them);
the rules are `grading`'s."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.families import grading
from services.families.associations import Association, children, find, known_codes
from services.families.grading import Criterion, Number, ratio
from services.families.models import (
    AssessmentCriteria,
    AssessmentScore,
    Family,
    HelpRecord,
    Member,
    MemberContact,
    MemberDay,
)
from shared.errors import InvalidInput, NotFound

# Counted in this service; the others come from the volunteers' and the fund's.
OWN_SOURCES = ("members_per_100_households", "contact_coverage_pct", "help_records_per_family",
               "member_days_held")
VOLUNTEER_HOURS = "volunteer_hours"
MONEY_RAISED = "money_raised_fen"


@dataclass(frozen=True)
class Score:
    code: str
    year: int
    key: str
    score: Decimal


@dataclass(frozen=True)
class Setting:
    """What an assessment is made of: the county's criteria, the associations assessed,
    and the manual scores given."""
    code: str
    year: int
    criteria: list[Criterion]
    assessed: list[Association]
    manual: dict[tuple[str, str], Decimal]

    def uses(self, source: str) -> bool:
        return any(c.source == source for c in self.criteria)


def _own(county: str, code: str) -> None:
    """Criteria and scores are the county's: set at its own code only."""
    if code != county:
        raise NotFound(f"No association {str(code)[:20]!r} to set criteria for.",
                       "association_not_found")


def set_criteria(session: Session, county: str, code: str, body: dict,
                 actor: dict) -> AssessmentCriteria:
    """The year's criteria, replacing any set before."""
    _own(county, code)
    criteria = grading.check_criteria(body["year"], body["items"])
    session.execute(delete(AssessmentCriteria).where(
        AssessmentCriteria.association_code == county, AssessmentCriteria.year == body["year"]))
    row = AssessmentCriteria(association_code=county, year=body["year"],
                             items=[vars(c) for c in criteria], set_by=actor["username"])
    session.add(row)
    session.flush()
    return row


def criteria_of(session: Session, county: str, year: int) -> list[Criterion]:
    grading.check_year(year)
    row = session.scalars(select(AssessmentCriteria).where(
        AssessmentCriteria.association_code == county,
        AssessmentCriteria.year == year)).one_or_none()
    if row is None:
        raise NotFound(f"No assessment criteria for {year}.", "criteria_not_set")
    return [Criterion(**item) for item in row.items]


def set_score(session: Session, county: str, code: str, year: int, body: dict,
              actor: dict) -> Score:
    _own(county, code)
    criteria = criteria_of(session, county, year)
    problems: dict[str, list[str]] = {}
    if body["code"] == county or not known_codes(session, county, [body["code"]]):
        problems["code"] = ["Must be a grassroots association under the county."]
    if body["key"] not in {c.key for c in criteria if not c.computed}:
        problems["key"] = [f"Must be a manual item of the {year} criteria."]
    try:
        score = grading.check_score(body["score"])
    except InvalidInput as refused:
        problems.update(refused.fields)
    if problems:
        raise InvalidInput("The score is not acceptable.", "invalid_input", problems)
    found = session.scalars(select(AssessmentScore).where(
        AssessmentScore.association_code == county, AssessmentScore.year == year,
        AssessmentScore.code == body["code"], AssessmentScore.key == body["key"])
        .with_for_update()).one_or_none()
    if found is None:
        session.add(AssessmentScore(association_code=county, year=year, code=body["code"],
                                    key=body["key"], score=score, set_by=actor["username"]))
    else:
        found.score, found.set_by = score, actor["username"]
    session.flush()
    return Score(body["code"], year, body["key"], score)


def setting(session: Session, county: str, code: str, year: int) -> Setting:
    find(session, county, code)
    criteria = criteria_of(session, county, year)
    assessed = children(session, county, code)
    manual = {(row.code, row.key): Decimal(row.score) for row in session.scalars(
        select(AssessmentScore).where(AssessmentScore.association_code == county,
                                      AssessmentScore.year == year))}
    return Setting(code, year, criteria, assessed, manual)


def own_values(session: Session, county: str, codes: list[str],
               year: int) -> dict[str, dict[str, Number]]:
    """source -> code -> value, for the sources this service counts; `codes` of one length
    (the associations directly under one)."""
    if not codes:
        return {source: {} for source in OWN_SOURCES}
    width = len(codes[0])
    first, last = date(year, 1, 1), date(year, 12, 31)

    def counted(column, query) -> dict[str, int]:
        prefix = func.substr(column, 1, width)
        grouped = query.add_columns(prefix).where(prefix.in_(codes)).group_by(prefix)
        return {code: int(n) for n, code in session.execute(grouped)}

    def of_families(query) -> dict[str, int]:
        return counted(Family.village_code, query.where(Family.association_code == county))

    members = counted(Member.grassroots_code, select(func.count(Member.id)).where(
        Member.association_code == county))
    families = of_families(select(func.count(Family.id)))
    contacted = of_families(select(func.count(func.distinct(MemberContact.family_id))).join(
        Family, Family.id == MemberContact.family_id).where(
        MemberContact.association_code == county,
        MemberContact.contacted_on.between(first, last)))
    helped = of_families(select(func.count(HelpRecord.id)).join(
        Family, Family.id == HelpRecord.family_id).where(
        HelpRecord.association_code == county, HelpRecord.helped_on.between(first, last)))
    days = counted(MemberDay.grassroots_code, select(func.count(MemberDay.id)).where(
        MemberDay.association_code == county, MemberDay.held_on.between(first, last)))

    def per_family(found: dict[str, int], times: int = 1) -> dict[str, Number]:
        return {code: ratio(found.get(code, 0), families.get(code, 0), times) for code in codes}

    return {"members_per_100_households": per_family(members, 100),
            "contact_coverage_pct": per_family(contacted, 100),
            "help_records_per_family": per_family(helped),
            "member_days_held": {code: days.get(code, 0) for code in codes}}
