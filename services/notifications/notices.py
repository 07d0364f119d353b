"""What each event says, and to whom: plain functions from an event's data (as its schema
loaded it) to the notices it gives (a kind of message, its values, the recipients the event
names) and the reminders it books, moves or drops. The person's name is filled in per
recipient; nothing here holds an identity number, a bank account or a diagnosis."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.notifications.domain import shift_reminder_at, visit_reminder_at
from shared.clock import LOCAL, as_utc
from shared.identity import mask_identifiers
from shared.money import yuan
from shared.settings import public_url


@dataclass(frozen=True)
class Notice:
    kind: str
    values: dict
    recipients: list[dict]


@dataclass(frozen=True)
class Booking:
    """A reminder for one person, kept under `key` (a new booking under a key moves it)."""
    key: str
    kind: str
    recipient: dict
    values: dict
    starts_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class Move:
    """Every reminder under `prefix` moved to a new start (a shift's time changed)."""
    prefix: str
    values: dict
    starts_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class Drop:
    """Every reminder under `prefix` dropped; those already sent followed by `then_kind`."""
    prefix: str
    then_kind: str | None = None
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Heard:
    notices: list[Notice] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)


def when(moment: datetime) -> str:
    """A time as people read it, association time: 2026-05-29 09:00."""
    return as_utc(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def day(on: date) -> str:
    return on.isoformat()


def _all(kind: str, values: dict, data: dict) -> Heard:
    return Heard([Notice(kind, values, data["recipients"])])


def _claim(kind: str, **more: Callable[[dict], str]) -> Callable[[dict], Heard]:
    return lambda data: _all(kind, {"claim_no": data["claim_no"],
                                    **{name: value(data) for name, value in more.items()}},
                             data)


def _premium_due(data: dict) -> Heard:
    # The family hears of the share it pays itself; funds pay the others.
    if data["payer"] != "family":
        return Heard()
    return _all("premium_due", {"policy_no": data["policy_no"],
                                "amount": yuan(data["amount_fen"])}, data)


def _premium_paid(data: dict) -> Heard:
    if data["payer"] != "family" and not data["in_force"]:
        return Heard()
    return _all("premium_paid", {"policy_no": data["policy_no"],
                                 "amount": yuan(data["amount_fen"])}, data)


def _donation(data: dict) -> Heard:
    values = {"amount": yuan(data["amount_fen"]), "receipt_no": data["receipt_no"]}
    if data.get("pledge_no"):
        return _all("pledge_confirmed", {
            **values, "receipt_url": f"{public_url()}/public/trace/{data['receipt_no']}"}, data)
    return _all("donation_received", values, data)


def _shift_values(data: dict) -> dict:
    return {"title": data["title"], "when": when(data["starts_at"]), "place": data["place"]}


def _shift_key(data: dict, person: str = "") -> str:
    return f"shift:{data['shift_id']}:{person}"


def _booked(kind: str, data: dict) -> Heard:
    """Told now, reminded 2 h before the start."""
    values = _shift_values(data)
    return Heard([Notice(kind, values, data["recipients"])], bookings=[
        Booking(_shift_key(data, r["person"]), "shift_reminder", r, values, data["starts_at"],
                shift_reminder_at(data["starts_at"])) for r in data["recipients"]])


def _signed_up(data: dict) -> Heard:
    if data["status"] == "waitlisted":
        return _all("shift_waitlisted", _shift_values(data), data)
    return _booked("shift_confirmed", data)


def _shift_changed(data: dict) -> Heard:
    values = _shift_values(data)
    return Heard([Notice("shift_changed", values, data["recipients"])],
                 moves=[Move(_shift_key(data), values, data["starts_at"],
                             shift_reminder_at(data["starts_at"]))])


def _shift_cancelled(data: dict) -> Heard:
    return Heard([Notice("shift_cancelled", _shift_values(data), data["recipients"])],
                 drops=[Drop(_shift_key(data))])


def _team_and_family(data: dict) -> tuple[list[dict], list[dict]]:
    family = [r for r in data["recipients"] if r["person"].startswith("family:")]
    return [r for r in data["recipients"] if r not in family], family


def _visit_key(data: dict, person: str = "") -> str:
    return f"visit:{data['visit_id']}:{person}"


def _family_reminded(data: dict, family: list[dict], values: dict) -> list[Booking]:
    """The family hears of the visit the day before, not when the team is set."""
    return [Booking(_visit_key(data, r["person"]), "visit_tomorrow", r, values,
                    data["starts_at"], visit_reminder_at(data["starts_at"])) for r in family]


def _visit_assigned(data: dict) -> Heard:
    team, family = _team_and_family(data)
    values = {"when": when(data["starts_at"])}
    return Heard([Notice("visit_assigned", values, team)],
                 bookings=_family_reminded(data, family, values))


def _visit_changed(data: dict) -> Heard:
    team, family = _team_and_family(data)
    values = {"when": when(data["starts_at"])}
    # Those taken off the team hear that the visit is off for them.
    staying = {f"volunteer:{volunteer_id}" for volunteer_id in data["volunteer_ids"]}
    return Heard([Notice("visit_changed", values,
                         [r for r in team if r["person"] in staying]),
                  Notice("visit_cancelled", values,
                         [r for r in team if r["person"] not in staying])],
                 bookings=_family_reminded(data, family, values))


def _visit_cancelled(data: dict) -> Heard:
    team, _ = _team_and_family(data)
    values = {"when": when(data["starts_at"])}
    # A family already told of the visit hears it is off; one not yet told hears nothing.
    return Heard([Notice("visit_cancelled", values, team)],
                 drops=[Drop(_visit_key(data), "visit_cancelled", values)])


def _application(data: dict) -> Heard:
    if data["decision"] == "approved":
        return _all("application_approved", {}, data)
    return _all("application_declined", {"reason": mask_identifiers(data["reason"] or "")},
                data)


def _amount(name: str) -> Callable[[dict], str]:
    return lambda data: yuan(data[name])


HEARD: dict[str, Callable[[dict], Heard]] = {
    "insurance.claim_submitted": _claim("claim_submitted"),
    "insurance.claim_approved": _claim("claim_approved", amount=_amount("amount_approved_fen")),
    "insurance.claim_rejected": _claim("claim_rejected",
                                       reason=lambda data: mask_identifiers(data["reason"])),
    "insurance.claim_paid": _claim("claim_paid", amount=_amount("amount_paid_fen")),
    "insurance.premium_due": _premium_due,
    "insurance.premium_paid": _premium_paid,
    "insurance.policy_ending": lambda data: _all("policy_ending", {
        "policy_no": data["policy_no"], "end_date": day(data["end_date"])}, data),
    "fund.donation_recorded": _donation,
    "volunteers.shift_signed_up": _signed_up,
    "volunteers.shift_promoted": lambda data: _booked("shift_promoted", data),
    "volunteers.shift_changed": _shift_changed,
    "volunteers.shift_cancelled": _shift_cancelled,
    "volunteers.visit_assigned": _visit_assigned,
    "volunteers.visit_changed": _visit_changed,
    "volunteers.visit_cancelled": _visit_cancelled,
    "volunteers.application_decided": _application,
}


def heard(event_type: str, data: dict) -> Heard:
    """What an event says to whom. An older version of an event, from before events named
    their recipients, says nothing."""
    if "recipients" not in data:
        return Heard()
    return HEARD[event_type](data)
