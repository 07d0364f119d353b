"""Registering volunteers (one person, once: an entry in the audit log) and reading their
records and hours."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.volunteers import attendance, domain
from services.volunteers.models import AUDIT, OUTBOX, HoursEntry, Volunteer, VolunteerSkill
from shared import audit, rows
from shared.audit_chain import Entry
from shared.crypto import blind
from shared.errors import Conflict, InvalidInput, NotFound
from shared.grassroots import grassroots_of
from shared.outbox import record_event
from shared.paging import Page

REGISTERED = ("name", "id_number", "phone", "skills")
OPTIONAL = ("availability", "grassroots_code")


@dataclass(frozen=True)
class Served:
    """A volunteer and what they have served: minutes in all (or in a period), and the
    shifts now over that they came to and missed."""
    volunteer: Volunteer
    minutes: int = 0
    attended: int = 0
    no_shows: int = 0


@dataclass(frozen=True)
class Rank:
    rank: int
    volunteer_id: int
    name: str
    minutes: int


def register(session: Session, association: str, body: dict, actor: dict) -> Volunteer:
    volunteer = Volunteer(association_code=association, name=body["name"],
                          id_number=body["id_number"], phone=body["phone"], status="active",
                          availability=body.get("availability"),
                          grassroots_code=grassroots_of(body.get("grassroots_code"),
                                                        association),
                          skills=[VolunteerSkill(association_code=association, skill=s["code"],
                                                 certificate_no=s.get("certificate_no"),
                                                 expires_on=s.get("expires_on"))
                                  for s in _unique(body["skills"])])
    try:
        with session.begin_nested():
            session.add(volunteer)
    except IntegrityError:
        existing = session.scalars(select(Volunteer.id).where(
            Volunteer.association_code == association,
            Volunteer.id_index == blind(body["id_number"], "id_number"))).first()
        raise Conflict(f"This person is already registered as volunteer {existing}.",
                       "already_registered", {"id_number": [f"Volunteer {existing}."]}) from None
    audit.record(session, AUDIT, actor, Entry("register", "volunteer", volunteer.id, (
        *REGISTERED, *(name for name in OPTIONAL if body.get(name)))))
    record_event(session, OUTBOX, "volunteers.volunteer_registered", {
        "association_code": association, "volunteer_id": volunteer.id, "name": volunteer.name,
        "skills": [s.skill for s in volunteer.skills]})
    return volunteer


def _unique(skills: list[dict]) -> list[dict]:
    return list({s["code"]: s for s in skills}.values())


def get(session: Session, association: str, volunteer_id: int, lock: bool = False) -> Volunteer:
    return rows.one(session, Volunteer, association, volunteer_id, lock)


def active_for_input(session: Session, association: str, volunteer_id: int,
                     field: str) -> Volunteer:
    """A volunteer named in a request: unknown is bad input, inactive a conflict."""
    try:
        volunteer = get(session, association, volunteer_id, lock=True)
    except NotFound:
        raise InvalidInput(f"No volunteer {volunteer_id}.", "unknown_volunteer",
                           {field: [f"No volunteer {volunteer_id}."]}) from None
    if volunteer.status != "active":
        raise Conflict(f"Volunteer {volunteer_id} is not active.", "inactive")
    return volunteer


def skills_of(volunteer: Volunteer) -> list[domain.Skill]:
    return [domain.Skill(s.skill, s.certificate_no, s.expires_on) for s in volunteer.skills]


def minutes_served(session: Session, volunteer_id: int, start: date | None = None,
                   end: date | None = None) -> int:
    return minutes_by_volunteer(session, [volunteer_id], start, end).get(volunteer_id, 0)


def minutes_by_volunteer(session: Session, volunteer_ids: list[int], start: date | None = None,
                         end: date | None = None) -> dict[int, int]:
    """Minutes served by each of the volunteers, in one query."""
    query = (select(HoursEntry.volunteer_id, func.sum(HoursEntry.minutes))
             .where(HoursEntry.volunteer_id.in_(volunteer_ids))
             .group_by(HoursEntry.volunteer_id))
    if start:
        query = query.where(HoursEntry.served_on >= start)
    if end:
        query = query.where(HoursEntry.served_on <= end)
    return dict(session.execute(query).all())


def listing(session: Session, association: str, page: dict) -> Page[Served]:
    query = (select(Volunteer).where(Volunteer.association_code == association)
             .options(selectinload(Volunteer.skills)))
    found = rows.page(session, query, [Volunteer.id], page)
    return Page(_served(session, found.items), found.total)


def record(session: Session, association: str, volunteer_id: int) -> Served:
    return _served(session, [get(session, association, volunteer_id)])[0]


def _served(session: Session, volunteers: list[Volunteer]) -> list[Served]:
    """Each volunteer's minutes and shifts, in two queries however many volunteers."""
    ids = [v.id for v in volunteers]
    minutes = minutes_by_volunteer(session, ids)
    records = attendance.records_of(session, ids)
    served = []
    for volunteer in volunteers:
        attended, no_shows = records.get(volunteer.id, (0, 0))
        served.append(Served(volunteer, minutes.get(volunteer.id, 0), attended, no_shows))
    return served


def hours(session: Session, association: str, volunteer_id: int, start: date | None,
          end: date | None) -> Served:
    """The minutes the volunteer served in the period."""
    volunteer = get(session, association, volunteer_id)
    return Served(volunteer, minutes_served(session, volunteer.id, start, end))


def names_of(session: Session, volunteer_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(Volunteer.id, Volunteer.name)
                                .where(Volunteer.id.in_(volunteer_ids))).all())


def ranking(session: Session, association: str, start: date | None, end: date | None,
            limit: int) -> Page[Rank]:
    """Volunteers by minutes served in the period, most first (for annual recognition)."""
    total = func.sum(HoursEntry.minutes).label("minutes")
    query = (select(Volunteer.id, Volunteer.name, total).join(HoursEntry)
             .where(Volunteer.association_code == association))
    if start:
        query = query.where(HoursEntry.served_on >= start)
    if end:
        query = query.where(HoursEntry.served_on <= end)
    ranked = session.execute(query.group_by(Volunteer.id, Volunteer.name)
                             .order_by(total.desc(), Volunteer.id).limit(limit))
    found = [Rank(n, vid, name, minutes) for n, (vid, name, minutes) in enumerate(ranked, 1)]
    return Page(found, len(found))
