"""Volunteers by grassroots association: the active volunteers serving with a county,
township or village association, each code counting itself and every code under it.
Counted in SQL, one grouped query per code length."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.volunteers.models import Volunteer

ACTIVE = "active"


@dataclass(frozen=True)
class Count:
    code: str
    volunteers: int  # active, at or under the code


def counts(session: Session, association: str, codes: list[str]) -> list[Count]:
    """One count per code asked for, in order."""
    found: dict[str, int] = {}
    for length in sorted({len(code) for code in codes}):
        prefix = func.substr(Volunteer.grassroots_code, 1, length)
        query = (select(prefix, func.count())
                 .where(Volunteer.association_code == association, Volunteer.status == ACTIVE,
                        prefix.in_(sorted({code for code in codes if len(code) == length})))
                 .group_by(prefix))
        found.update({code: int(n) for code, n in session.execute(query)})
    return [Count(code, found.get(code, 0)) for code in codes]
