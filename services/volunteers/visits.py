"""Care visits: opened once per triggering event, matched by skill and free time,
assigned by a coordinator (the team and the family's head hear of it), completed with
minutes and notes."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.volunteers import attendance, bookings, domain, people, recipients, shifts
from services.volunteers.models import OUTBOX, FamilyHome, Visit, Volunteer
from shared import rows
from shared.clock import LOCAL, as_utc, local_date, now_utc
from shared.contracts.fund import SPECIAL_FAMILY_ASSISTANCE
from shared.contracts.insurance import PREMIUM_KEY
from shared.db import per_dialect
from shared.outbox import record_event
from shared.paging import Page
from shared.recipients import open_contact

ASSISTANCE_SKILLS = ["social_work"]
RECENT_DAYS = 90
SELF = "volunteers"  # who opens a visit that an event asked for


@dataclass(frozen=True)
class WantedVisit:
    """A visit an event asks for, one per `key` (the trigger). `family`: the name the event
    gives (the register's head of the family wins); `day`: the day wanted, if not tomorrow."""
    key: str
    family: str
    reason: str
    skills: list[str]
    family_id: int | None = None
    address: str | None = None
    day: date | None = None


@dataclass(frozen=True)
class TeamVisit:
    """A visit with `names`: its team's names by volunteer id."""
    visit: Visit
    names: dict[int, str]


@dataclass(frozen=True)
class Proposal:
    """The volunteers proposed for a visit, best first, and their names by id."""
    visit_id: int
    volunteer_ids: list[int]
    names: dict[int, str]


def open_for_claim(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    if not data.get("care_visit"):
        return
    reason = f"Insurance claim {data['claim_no']} approved ({data['product_code']})"
    _open(session, envelope, WantedVisit(
        f"claim:{data['association_code']}:{data['claim_id']}", data["insured_name"], reason,
        data.get("care_visit_skills") or ASSISTANCE_SKILLS, data.get("family_id")))


def open_for_assistance(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    if not _family_assistance(data):
        return
    number = data["disbursement_id"]
    reason = f"Special-family assistance paid (disbursement {number})"
    _open(session, envelope, WantedVisit(
        f"disbursement:{data['association_code']}:{number}",
        data.get("reference") or f"disbursement {number}", reason, ASSISTANCE_SKILLS,
        data.get("family_id")))


def _family_assistance(data: dict) -> bool:
    """Special-family assistance paid to a family, as the fund's category for it says; not a
    premium the fund paid for someone's policy, nor other spending."""
    if data.get("category") is not None:
        return data["category"] == SPECIAL_FAMILY_ASSISTANCE
    # An event from before it said what the money was for (versions 1 and 2, or a payment
    # older than categories): judged as it was then, by the fund that paid and the key.
    return data["fund_code"] == "SPECIAL_FAMILY" and \
        not (data.get("source_key") or "").startswith(PREMIUM_KEY)


def open_for_care_plan(session: Session, envelope: dict) -> None:
    """One visit per family and due day, however often the reminder comes."""
    data = envelope["data"]
    due = data["due_on"].isoformat()
    reason = f"Care plan visit due {due}"
    _open(session, envelope, WantedVisit(
        f"care:{data['association_code']}:{data['family_id']}:{due}", data["family_name"],
        reason, data["skills"], data["family_id"], data["address"], day=data["due_on"]))


def _open(session: Session, envelope: dict, wanted: WantedVisit) -> None:
    """The visit opens on the day wanted, never before tomorrow, to leave time to assign."""
    association = envelope["data"]["association_code"]
    family = wanted.family
    address = wanted.address
    home = _home(session, association, wanted.family_id)
    if home is not None:  # the family as the families service has it, not the trigger
        family = home.head_name
        address = address or home.address
    tomorrow = local_date(now_utc()) + timedelta(days=1)
    start = datetime.combine(max(wanted.day or tomorrow, tomorrow), time(9), LOCAL)
    start = start.astimezone(UTC)  # stored in UTC, as everything is
    visit = Visit(association_code=association, trigger_key=wanted.key,
                  trigger_event_id=envelope["event_id"], family_name=family,
                  reason=wanted.reason, family_id=wanted.family_id, address=address,
                  required_skills=list(wanted.skills), starts_at=start,
                  ends_at=start + timedelta(hours=2), volunteer_ids=[])
    domain.VISIT.start(visit, "open", SELF, wanted.reason)
    try:
        with session.begin_nested():
            session.add(visit)
    except IntegrityError:
        return  # this trigger already opened its visit
    record_event(session, OUTBOX, "volunteers.visit_requested", {
        "association_code": association, "visit_id": visit.id,
        "required_skills": visit.required_skills, "trigger_event_id": envelope["event_id"],
        "family_id": visit.family_id})


def remember_family(session: Session, envelope: dict) -> None:
    """A family registered or changed: keep its head (and how to reach them), village and
    address, and show them on its visits not yet done. An announcement older than the one
    kept changes nothing."""
    data = envelope["data"]
    head = next((m["name"] for m in data["members"] if m["relation"] == "head"), None)
    if head is None:
        return
    reached = data.get("head") or {}  # version 2 on: the head as messages reach them
    announced = session.execute(_ANNOUNCING(session), {
        "family_id": data["family_id"], "association_code": data["association_code"],
        "family_no": data["family_no"], "head_name": head,
        "head_phone": open_contact(reached.get("phone"), "phone"),
        "village_code": data["village_code"], "address": data.get("address"),
        "announced_at": as_utc(envelope["occurred_at"])})
    if announced.rowcount == 1:
        session.execute(_SHOWING, {"association": data["association_code"],
                                   "family": data["family_id"], "head": head,
                                   "address": data.get("address") or None})


def _announcing(dialect):
    """One statement, whoever announced first (a family registered is mostly new here):
    the home inserted, or updated unless what is kept was announced later."""
    homes = FamilyHome.__table__  # Core, not the ORM's bulk insert: its rowcount tells
    insert = dialect.insert(homes)
    kept = ("association_code", "family_no", "head_name", "head_phone", "village_code",
            "address", "announced_at")
    return insert.on_conflict_do_update(
        index_elements=[homes.c.family_id],
        set_={name: insert.excluded[name] for name in kept},
        where=homes.c.announced_at <= insert.excluded.announced_at)


_ANNOUNCING = per_dialect(_announcing)
_VISITS = Visit.__table__
# The visits not yet done show the family as last announced (the address kept if none).
_SHOWING = update(_VISITS).where(
    _VISITS.c.association_code == bindparam("association"),
    _VISITS.c.family_id == bindparam("family"), _VISITS.c.status != "completed").values(
    family_name=bindparam("head"),
    address=func.coalesce(bindparam("address", type_=_VISITS.c.address.type), _VISITS.c.address))


def _home(session: Session, association: str, family_id: int | None) -> FamilyHome | None:
    if family_id is None:
        return None
    home = session.get(FamilyHome, family_id)
    return home if home is not None and home.association_code == association else None


def proposals(session: Session, association: str, visit_id: int) -> Proposal:
    visit = rows.one(session, Visit, association, visit_id)
    since = local_date(now_utc()) - timedelta(days=RECENT_DAYS)
    active = list(session.scalars(select(Volunteer).where(
        Volunteer.association_code == association, Volunteer.status == "active")
        .options(selectinload(Volunteer.skills))))
    ids = [v.id for v in active]
    booked = bookings.booked_windows_of(session, ids)
    recent = people.minutes_by_volunteer(session, ids, since)
    records = attendance.records_of(session, ids)
    candidates = []
    for volunteer in active:
        attended, no_shows = records.get(volunteer.id, (0, 0))
        candidates.append(domain.Candidate(
            volunteer.id, tuple(people.skills_of(volunteer)), tuple(booked[volunteer.id]),
            recent.get(volunteer.id, 0), domain.reliability(attended, no_shows)))
    proposed = domain.propose(candidates, visit.required_skills, window_of(visit))
    return Proposal(visit.id, proposed, {v.id: v.name for v in active})


def assign(session: Session, association: str, visit_id: int, body: dict,
           actor: dict) -> TeamVisit:
    visit = rows.one(session, Visit, association, visit_id, lock=True)
    domain.VISIT.check(visit.status, "assigned")
    if body.get("starts_at") and body.get("ends_at"):
        visit.starts_at = body["starts_at"]
        visit.ends_at = body["ends_at"]
    visit.volunteer_ids = team_for(session, visit, body["volunteer_ids"])
    domain.VISIT.move(visit, "assigned", actor["username"],
                      "team: " + ", ".join(map(str, visit.volunteer_ids)))
    announce(session, visit, "volunteers.visit_assigned", assigned_by=actor["username"])
    return with_team(session, [visit])[0]


def team_for(session: Session, visit: Visit, volunteer_ids: list[int]) -> list[int]:
    """The team, in id order, once each is found active and free at the visit's time and
    together they hold the skills it needs."""
    window = window_of(visit)
    team = sorted(set(volunteer_ids))
    skills = []
    for volunteer_id in team:
        volunteer = people.active_for_input(session, visit.association_code, volunteer_id,
                                            "volunteer_ids")
        domain.check_free(window, bookings.booked_windows(session, volunteer.id,
                                                          except_visit=visit.id))
        skills.append(domain.valid_skills(people.skills_of(volunteer), local_date(
            window.starts_at)))
    domain.check_team_covers(skills, visit.required_skills)
    return team


def announce(session: Session, visit: Visit, event_type: str, also: list[int] = (),
             **extra) -> None:
    """An event about the visit to its team (and `also` these volunteers) and the family's
    head: when, and the village, never the address."""
    home = _home(session, visit.association_code, visit.family_id)
    heard = recipients.volunteers(session, [*visit.volunteer_ids, *also]) + \
        recipients.family(home)
    record_event(session, OUTBOX, event_type, {
        "association_code": visit.association_code, "visit_id": visit.id,
        "family_id": visit.family_id, "village_code": home.village_code if home else None,
        "starts_at": as_utc(visit.starts_at), "ends_at": as_utc(visit.ends_at),
        "volunteer_ids": list(visit.volunteer_ids), "recipients": heard, **extra})


def complete(session: Session, association: str, visit_id: int, body: dict,
             actor: dict) -> TeamVisit:
    visit = rows.one(session, Visit, association, visit_id, lock=True)
    domain.VISIT.move(visit, "completed", actor["username"], f"{body['minutes']} minutes")
    visit.minutes = body["minutes"]
    visit.notes = body["notes"]
    for volunteer_id in visit.volunteer_ids:
        shifts.record_hours(session, association,
                            shifts.Credit(volunteer_id, visit.minutes, "visit", visit.id))
    record_event(session, OUTBOX, "volunteers.visit_completed", {
        "association_code": association, "visit_id": visit.id,
        "volunteer_ids": list(visit.volunteer_ids), "minutes": visit.minutes,
        "family_id": visit.family_id})
    return with_team(session, [visit])[0]


def listing(session: Session, association: str, query: dict) -> Page[TeamVisit]:
    found = select(Visit).where(Visit.association_code == association)
    if query.get("status"):
        found = found.where(Visit.status == query["status"])
    found = rows.page(session, found, [Visit.id], query)
    return Page(with_team(session, found.items), found.total)


def with_team(session: Session, visits: list[Visit]) -> list[TeamVisit]:
    """Visits with their teams by name, in one more query in all."""
    names = people.names_of(session,
                            sorted({vid for v in visits for vid in v.volunteer_ids or []}))
    return [TeamVisit(visit, names) for visit in visits]


def window_of(visit: Visit) -> domain.Window:
    return domain.Window(as_utc(visit.starts_at), as_utc(visit.ends_at))

