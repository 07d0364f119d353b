"""Volunteers by grassroots association: the active volunteers serving with a county,
township or village association, and the hours its volunteers served in a year, each code
counting itself and every code under it. Counted in SQL, one grouped query per code
length."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.volunteers.models import HoursEntry, Volunteer
from shared import regions

ACTIVE = "active"


@dataclass(frozen=True)
class Count:
    code: str
    volunteers: int  # active, at or under the code


@dataclass(frozen=True)
class Hours:
    code: str
    minutes: int  # credited for service in the year to its volunteers, at or under the code


def counts(session: Session, association: str, codes: list[str]) -> list[Count]:
    """One count per code asked for, in order."""
    found: dict[str, int] = {}
    for length, wanted in regions.by_prefix(codes).items():
        prefix = func.substr(Volunteer.grassroots_code, 1, length)
        query = (select(prefix, func.count())
                 .where(regions.within(Volunteer.association_code, association),
                        Volunteer.status == ACTIVE, prefix.in_(sorted(wanted)))
                 .group_by(prefix))
        found.update({wanted[lead]: int(n) for lead, n in session.execute(query)})
    return [Count(code, found.get(code, 0)) for code in codes]


def minutes_served(session: Session, association: str, codes: list[str],
                   year: int) -> list[Hours]:
    """One per code asked for, in order: the minutes credited (as the volunteers' hours
    pages count them: check-outs, coordinators' corrections, completed visits) for service
    on a day of the local year, to every volunteer of the code or one under it, active or
    not now."""
    found: dict[str, int] = {}
    for length, wanted in regions.by_prefix(codes).items():
        prefix = func.substr(Volunteer.grassroots_code, 1, length)
        query = (select(prefix, func.sum(HoursEntry.minutes))
                 .join(Volunteer, Volunteer.id == HoursEntry.volunteer_id)
                 .where(regions.within(HoursEntry.association_code, association),
                        HoursEntry.served_on.between(date(year, 1, 1), date(year, 12, 31)),
                        prefix.in_(sorted(wanted)))
                 .group_by(prefix))
        found.update({wanted[lead]: int(n or 0) for lead, n in session.execute(query)})
    return [Hours(code, found.get(code, 0)) for code in codes]
