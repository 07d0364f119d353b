"""Volunteers by grassroots association: the active volunteers serving with a county,
township or village association, each code counting itself and every code under it.
Counted in SQL, one grouped query per code length."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.volunteers.models import Volunteer
from shared.contracts.volunteers import VolunteerCountsOut
from shared.schemas import shaped

COUNTS = VolunteerCountsOut()
ACTIVE = "active"


def counts(session: Session, association: str, codes: list[str]) -> dict:
    """One item per code asked for, in order."""
    found: dict[str, int] = {}
    for length in sorted({len(code) for code in codes}):
        prefix = func.substr(Volunteer.grassroots_code, 1, length)
        query = (select(prefix, func.count())
                 .where(Volunteer.association_code == association, Volunteer.status == ACTIVE,
                        prefix.in_(sorted({code for code in codes if len(code) == length})))
                 .group_by(prefix))
        found.update({code: int(n) for code, n in session.execute(query)})
    return shaped(COUNTS, {"items": [{"code": code, "volunteers": found.get(code, 0)}
                                     for code in codes]})
