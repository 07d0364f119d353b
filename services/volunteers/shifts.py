"""Activities and shifts: sign-ups within capacity, a waitlist that moves up in order
(passing over whoever the shift would clash with), and hours from check-in to check-out.
Each volunteer hears of their place taken, waitlisted or moved up into."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import attendance, bookings, domain, people, recipients
from services.volunteers.models import OUTBOX, Activity, HoursEntry, Shift, Signup, Volunteer
from shared import rows
from shared.clock import as_utc, iso, local_date, now_utc
from shared.errors import Conflict, InvalidInput, NotFound
from shared.outbox import record_event
from shared.paging import Page

HELD = ("confirmed", "waitlisted", "no_show")  # a sign-up still on the shift


@dataclass(frozen=True)
class Place:
    """A volunteer's place on a shift: confirmed, waitlisted or a no-show."""
    signup: Signup
    name: str


@dataclass(frozen=True)
class Roster:
    """A shift and the places taken on it, in sign-up order."""
    shift: Shift
    places: list[Place]


@dataclass(frozen=True)
class PassedOver:
    """A waitlisted volunteer a freed place skipped, and why."""
    signup: Signup
    reason: str


@dataclass(frozen=True)
class Cancellation:
    """A cancelled place, who moved up into it and who was passed over; `names`: the
    waitlisted volunteers' names by id."""
    signup: Signup
    promoted: list[Signup]
    skipped: list[PassedOver]
    names: dict[int, str]


@dataclass(frozen=True)
class Credit:
    """Minutes a volunteer served, on a shift (`source_id` the sign-up) or a visit."""
    volunteer_id: int
    minutes: int
    source: str
    source_id: int


def create_activity(session: Session, association: str, body: dict, actor: dict) -> Activity:
    activity = Activity(association_code=association, created_by=actor["username"], **body)
    session.add(activity)
    session.flush()
    return activity


def create_shift(session: Session, association: str, body: dict) -> Roster:
    _activity(session, association, body["activity_id"])
    shift = Shift(association_code=association, **body)
    session.add(shift)
    session.flush()
    return Roster(shift, [])


def create_shifts(session: Session, association: str, body: dict) -> Page[Roster]:
    """A campaign day's shifts at several places, in the caller's one transaction: a bad
    one leaves none of them made."""
    activity = _activity(session, association, body["activity_id"])
    made = [Shift(association_code=association, activity=activity, **shift)
            for shift in body["shifts"]]
    session.add_all(made)
    session.flush()
    return Page([Roster(shift, []) for shift in made], len(made))


def _activity(session: Session, association: str, activity_id: int) -> Activity:
    try:
        return rows.one(session, Activity, association, activity_id)
    except NotFound as missing:
        raise InvalidInput(missing.message, "unknown_activity",
                           {"activity_id": ["No such activity."]}) from None


def signup(session: Session, association: str, shift_id: int, volunteer_id: int,
           actor: dict) -> attendance.SignupRecord:
    # Lock order everywhere: shift, then volunteer. The shift lock is what keeps capacity.
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    check_open(shift)
    volunteer = people.active_for_input(session, association, volunteer_id, "volunteer_id")
    if _current(session, shift.id, volunteer.id) is not None:
        raise Conflict("Already signed up for this shift.", "already_signed_up")
    window = _window(shift)
    domain.check_skills(people.skills_of(volunteer), shift.required_skills, local_date(
        window.starts_at))
    domain.check_free(window, bookings.booked_windows(session, volunteer.id))
    # A no-show keeps the place they held: a shift that is over takes nobody new into it.
    status = domain.signup_status(len(_in(session, shift.id, "confirmed", "no_show")),
                                  shift.capacity)
    entry = Signup(association_code=shift.association_code, shift_id=shift.id,
                   volunteer_id=volunteer.id, signed_up_by=actor["username"],
                   signed_up_at=now_utc())
    domain.SIGNUP.start(entry, status, actor["username"],
                        "room on the shift" if status == "confirmed" else "the shift is full")
    session.add(entry)
    session.flush()
    announce(session, shift, "volunteers.shift_signed_up", recipients.volunteer(volunteer),
             volunteer_id=volunteer.id, status=entry.status)
    return attendance.SignupRecord(entry, volunteer.name, 0)  # no minutes credited yet


def cancel(session: Session, association: str, shift_id: int, volunteer_id: int,
           actor: dict) -> Cancellation:
    """Cancel a place; the first waitlisted free at the shift's time moves up into a freed
    one, and each passed over before them is told why in their history."""
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    entry = _current(session, shift.id, volunteer_id)
    if entry is None:
        raise NotFound("This volunteer is not signed up for this shift.", "not_signed_up")
    freed = 1 if entry.status == "confirmed" else 0
    domain.SIGNUP.move(entry, "cancelled", actor["username"], "cancelled")
    waiting = {s.id: s for s in _in(session, shift.id, "waitlisted")}
    booked = bookings.booked_windows_of(session, [s.volunteer_id for s in waiting.values()])
    chosen = domain.promotion([domain.Waiting(s.id, tuple(booked[s.volunteer_id]))
                               for s in waiting.values()], _window(shift), freed)
    for signup_id in chosen.promoted:
        promoted = waiting[signup_id]
        domain.SIGNUP.move(promoted, "confirmed", actor["username"], "a place was freed")
        announce(session, shift, "volunteers.shift_promoted",
                 recipients.volunteers(session, [promoted.volunteer_id]),
                 volunteer_id=promoted.volunteer_id)
    skipped = [PassedOver(waiting[signup_id], _clash_reason(clash))
               for signup_id, clash in chosen.skipped]
    for passed_over in skipped:
        domain.SIGNUP.note(passed_over.signup, actor["username"], passed_over.reason)
    names = people.names_of(session, [s.volunteer_id for s in waiting.values()])
    return Cancellation(entry, [waiting[i] for i in chosen.promoted], skipped, names)


def _clash_reason(clash: domain.Window) -> str:
    kind, number = clash.booked_by  # every window `bookings` gives names what holds it
    start = iso(clash.starts_at)
    end = iso(clash.ends_at)
    reason = (f"skipped: clashes with shift {number} from {start} to {end}" if kind == "shift"
              else f"skipped: clashes with visit {number} from {start} to {end}")
    return reason


def check_in(session: Session, association: str, shift_id: int, volunteer_id: int) -> Signup:
    shift, entry = _confirmed(session, association, shift_id, volunteer_id)
    if entry.checked_in_at is not None:
        raise Conflict("Already checked in.", "already_checked_in")
    now = now_utc()
    domain.check_in_open(_window(shift), now)
    entry.checked_in_at = now
    return entry


def check_out(session: Session, association: str, shift_id: int, volunteer_id: int) -> Signup:
    shift, entry = _confirmed(session, association, shift_id, volunteer_id)
    if entry.checked_in_at is None or entry.checked_out_at is not None:
        raise Conflict("Check in first, and check out only once.", "not_checked_in")
    entry.checked_out_at = now_utc()
    minutes = domain.served_minutes(_window(shift), as_utc(entry.checked_in_at),
                                    as_utc(entry.checked_out_at))
    if minutes and not entry.corrections:  # a coordinator's figure, once given, stands
        record_hours(session, association, Credit(volunteer_id, minutes, "shift", entry.id))
    return entry


def record_hours(session: Session, association: str, credit: Credit) -> None:
    session.add(HoursEntry(association_code=association, volunteer_id=credit.volunteer_id,
                           minutes=credit.minutes, source=credit.source,
                           source_id=credit.source_id, served_on=local_date(now_utc())))
    record_event(session, OUTBOX, "volunteers.hours_recorded", {
        "association_code": association, "volunteer_id": credit.volunteer_id,
        "minutes": credit.minutes, "source": credit.source, "source_id": credit.source_id})


def rosters(session: Session, found: list[Shift]) -> list[Roster]:
    """Shifts with their confirmed, waitlisted and no-show volunteers, in one more query."""
    query = (select(Signup, Volunteer.name).join(Volunteer, Volunteer.id == Signup.volunteer_id)
             .where(Signup.shift_id.in_([shift.id for shift in found]),
                    Signup.status.in_(HELD)).order_by(Signup.id))
    places: dict[int, list[Place]] = {shift.id: [] for shift in found}
    for entry, name in session.execute(query):
        places[entry.shift_id].append(Place(entry, name))
    return [Roster(shift, places[shift.id]) for shift in found]


def roster(session: Session, association: str, shift_id: int) -> Roster:
    return rosters(session, [rows.one(session, Shift, association, shift_id)])[0]


def listing(session: Session, association: str, page: dict) -> Page[Roster]:
    query = (select(Shift).where(Shift.association_code == association)
             .options(selectinload(Shift.activity)))
    found = rows.page(session, query, [Shift.starts_at, Shift.id], page)
    return Page(rosters(session, found.items), found.total)


def _window(shift: Shift) -> domain.Window:
    return domain.Window(as_utc(shift.starts_at), as_utc(shift.ends_at))


def _in(session: Session, shift_id: int, *statuses: str) -> list[Signup]:
    return list(session.scalars(select(Signup).where(
        Signup.shift_id == shift_id, Signup.status.in_(statuses)).order_by(Signup.id)))


def _current(session: Session, shift_id: int, volunteer_id: int) -> Signup | None:
    return session.scalars(select(Signup).where(
        Signup.shift_id == shift_id, Signup.volunteer_id == volunteer_id,
        Signup.status.in_(HELD))).first()


def _confirmed(session, association, shift_id, volunteer_id) -> tuple[Shift, Signup]:
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    entry = _current(session, shift.id, volunteer_id)
    if entry is None or entry.status != "confirmed":
        raise Conflict("Only a confirmed volunteer can check in or out.", "not_confirmed")
    return shift, entry


def check_open(shift: Shift) -> None:
    """A shift called off takes nobody and changes no more."""
    if shift.status == "cancelled":
        raise Conflict("The shift was called off.", "shift_cancelled",
                       {"status": [f"is {shift.status}"]})


def booked(session: Session, shift_id: int) -> list[Signup]:
    """The places a shift's volunteers hold or wait for, in sign-up order."""
    return _in(session, shift_id, "confirmed", "waitlisted")


def announce(session: Session, shift: Shift, event_type: str, heard: list[dict],
             **extra) -> None:
    """An event about the shift, to the volunteers `heard` names: when and where it is."""
    record_event(session, OUTBOX, event_type, {
        "association_code": shift.association_code, "shift_id": shift.id,
        "title": shift.activity.title, "starts_at": as_utc(shift.starts_at),
        "ends_at": as_utc(shift.ends_at), "place": shift.place, "recipients": heard,
        **extra})
