"""Recording and refunding donations: ledger, receipt and event in one transaction. The
donor hears of money recorded (`fund.donation_recorded` names them, and the pledge it
confirmed)."""
from dataclasses import dataclass, replace
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund import disbursements, donors, idempotency, ledger
from services.fund.domain import (
    ALREADY_THERE,
    DONATION,
    IMPORTED,
    check_free_cash,
    donation_entry,
    reversal_of,
)
from services.fund.models import (
    OUTBOX,
    Donation,
    Donor,
    Fund,
    IdempotencyKey,
    LedgerTransaction,
    Project,
)
from services.fund.views import donation_view
from shared import rows
from shared.clock import iso, local_date, now_utc, start_of_local_day
from shared.contracts.fund import IN_KIND
from shared.errors import Conflict, DomainError, Forbidden
from shared.grassroots import grassroots_of
from shared.lifecycle import Barred
from shared.outbox import record_event, record_events
from shared.paging import Page


@dataclass(frozen=True)
class KeyedGift:
    """A gift as validated (`body`, or why it is not valid) and as sent (`raw`, which its
    Idempotency-Key is bound to), with that key if the caller gave one."""
    body: dict | DomainError
    raw: dict
    key: str | None = None


def check_recorder(actor: dict) -> None:
    """Staff record money that has arrived; a donor gives online, through a pledge."""
    if actor["role"] == "donor":
        raise Forbidden("Give online with a pledge; it becomes a donation, with its "
                        "receipt, once the money has arrived.", "use_pledges")


def record_once(session: Session, association: str, gift: KeyedGift, actor: dict) -> dict:
    """The answer to a keyed gift, kept for its key: the first answer for a key seen before
    (409 for another body), else the view of the donation recorded now."""
    return idempotency.answered_once(
        session, key_scope(association, actor), gift.key, gift.raw,
        lambda: donation_view(record(session, association, gift.body, actor)))


def key_scope(association: str, actor: dict) -> str:
    """Keys are the caller's own: two clients may pick the same key for different gifts."""
    return f"donation:{association}:{actor['username']}"


def _seen_before(session: Session, association: str, actor: dict, key: str | None) -> bool:
    return bool(key) and session.get(IdempotencyKey, (key_scope(association, actor), key)) \
        is not None


def record(session: Session, association: str, body: dict, actor: dict) -> SimpleNamespace:
    """Money that has arrived, recorded by staff: the donation as `receive_many` gives it."""
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    project = ledger.project_for_input(session, fund, body.get("project_code"))
    gift = _gift(association, body)
    donor = donors.find_or_create(session, association, body["donor"], actor)
    [given] = receive_many(session, [Arrival(fund, project, gift, donor)], actor["username"])
    return given


def _gift(association: str, body: dict) -> dict:
    return {**body, "grassroots_code": grassroots_of(body.get("grassroots_code"), association)}


def import_batch(session: Session, association: str, batch: list[KeyedGift],
                 actor: dict) -> list:
    """Many keyed donations at once (a CSV import), each recorded as record_once() would:
    the batch is checked whole and written with one statement per table. A bad row is
    reported and the good ones are kept; a key seen before adds nothing. Should a donor or
    key written concurrently break the batch, it is done again row by row, each in a
    savepoint of its own. Per row (by position): IMPORTED, ALREADY_THERE or its DomainError."""
    try:
        with session.begin_nested():
            return _record_batch(session, association, batch, actor)
    except IntegrityError:
        return [_record_alone(session, association, row, actor) for row in batch]


def _record_batch(session: Session, association: str, batch: list[KeyedGift],
                  actor: dict) -> list:
    scope = key_scope(association, actor)
    outcomes = [row.body if isinstance(row.body, DomainError) else None for row in batch]
    keyed = [n for n, row in enumerate(batch) if row.key and outcomes[n] is None]
    repeats = {}  # a key given twice in the batch, same body: row -> its first row
    for n, seen in zip(keyed, idempotency.seen_many(
            session, scope, [(batch[n].key, batch[n].raw) for n in keyed]), strict=True):
        if seen == idempotency.KEPT:
            outcomes[n] = ALREADY_THERE
        elif isinstance(seen, int):
            repeats[n] = outcomes[n] = keyed[seen]
        else:
            outcomes[n] = seen  # None (new) or a Conflict
    fresh = [n for n, outcome in enumerate(outcomes) if outcome is None]
    arrivals = _arrivals_of(session, association, [batch[n].body for n in fresh])
    good = [(n, arrival) for n, arrival in zip(fresh, arrivals, strict=True)
            if not isinstance(arrival, DomainError)]
    for n, arrival in zip(fresh, arrivals, strict=True):
        outcomes[n] = arrival if isinstance(arrival, DomainError) else IMPORTED
    if good:
        found = donors.find_or_create_many(session, association,
                                           [batch[n].body["donor"] for n, _ in good], actor)
        given = receive_many(session, [replace(arrival, donor=donor) for (_, arrival), donor
                                       in zip(good, found, strict=True)], actor["username"])
        idempotency.keep_many(session, scope, [
            (batch[n].key, batch[n].raw, donation_view(donation))
            for (n, _), donation in zip(good, given, strict=True) if batch[n].key])
    for n, first in repeats.items():
        outcomes[n] = ALREADY_THERE if outcomes[first] == IMPORTED else outcomes[first]
    return outcomes


def _arrivals_of(session: Session, association: str, bodies: list[dict]) -> list:
    """An Arrival (its donor still to be found) for each body, its funds locked in one
    query, or its error."""
    funds = ledger.funds_for_input(session, association, {b["fund_code"] for b in bodies})
    projects = {}
    for body in bodies:
        fund = funds[body["fund_code"]]
        code = body.get("project_code")
        if code and not isinstance(fund, DomainError) and (fund.code, code) not in projects:
            try:
                projects[fund.code, code] = ledger.project_for_input(session, fund, code)
            except DomainError as error:
                projects[fund.code, code] = error
    return [_arrival(association, funds[body["fund_code"]],
                     projects.get((body["fund_code"], body.get("project_code"))), body)
            for body in bodies]


def _arrival(association: str, fund, project, body: dict):
    for found in (fund, project):
        if isinstance(found, DomainError):
            return found
    try:
        return Arrival(fund, project, _gift(association, body))
    except DomainError as error:
        return error


def _record_alone(session: Session, association: str, row: KeyedGift, actor: dict):
    if isinstance(row.body, DomainError):
        return row.body
    try:
        before = _seen_before(session, association, actor, row.key)
        with session.begin_nested():
            record_once(session, association, row, actor)
        return ALREADY_THERE if before else IMPORTED
    except DomainError as error:
        return error


@dataclass(frozen=True)
class Arrival:
    """Money (or goods) that has arrived: the fund (and project) it goes to, the gift and
    who gave it. `gift` has amount_fen, channel, anonymous, note, description, the
    grassroots_code it counts for (checked by the caller; the association's own when
    absent) and, for a pledge confirmed, its pledge_no."""
    fund: Fund
    project: Project | None
    gift: dict
    donor: Donor | None = None

    @property
    def memo(self) -> str:
        if self.project:
            return f"donation to {self.fund.code}/{self.project.code}"
        return f"donation to {self.fund.code}"


def receive(session: Session, arrival: Arrival, recorded_by: str) -> Donation:
    """Ledger lines, a receipt number and the event of money that has arrived, in the
    caller's transaction. The fund (and project) rows are locked by the caller."""
    [given] = receive_many(session, [arrival], recorded_by)
    return session.get(Donation, given.id)


_NEW_DONATIONS = insert(Donation.__table__).returning(Donation.__table__.c.id,
                                                    sort_by_parameter_order=True)


def receive_many(session: Session, arrivals: list[Arrival],
                 recorded_by: str) -> list[SimpleNamespace]:
    """receive() for arrivals of one association, in order, with one statement per table.
    Each donation as plain columns the views read as they read a Donation: no ORM object is
    built for what was just written."""
    association = arrivals[0].fund.association_code
    transaction_ids = ledger.post_many(session, association, [
        ledger.Posting(a.fund, donation_entry(a.fund.code, a.gift["channel"],
                                              a.gift["amount_fen"],
                                              a.project.code if a.project else None),
                       a.memo, a.project, a.gift.get("grassroots_code") or association)
        for a in arrivals])
    now = now_utc()
    numbers = ledger.next_receipt_nos(session, association, local_date(now).year,
                                      len(arrivals))
    given = [{
        "association_code": association, "fund_id": a.fund.id,
        "project_id": a.project.id if a.project else None, "donor_id": a.donor.id,
        "amount_fen": a.gift["amount_fen"], "channel": a.gift["channel"],
        "anonymous": a.gift.get("anonymous", False), "note": a.gift.get("note"),
        "description": a.gift.get("description"), "recorded_by": recorded_by,
        "grassroots_code": a.gift.get("grassroots_code") or association, "status": "recorded",
        "ledger_transaction_id": transaction_id, "recorded_at": now, "receipt_no": number}
        for a, transaction_id, number in zip(arrivals, transaction_ids, numbers, strict=True)]
    for row, donation_id in zip(given, session.connection().execute(
            _NEW_DONATIONS, given).scalars(), strict=True):
        row["id"] = donation_id
    record_events(session, OUTBOX, "fund.donation_recorded", [{
        "association_code": association, "donation_id": row["id"],
        "receipt_no": row["receipt_no"], "fund_code": a.fund.code,
        "amount_fen": row["amount_fen"], "channel": row["channel"], "donor_id": a.donor.id,
        "anonymous": row["anonymous"], "recorded_at": iso(now),
        "pledge_no": a.gift.get("pledge_no"), "recipients": donors.heard_by(a.donor)}
        for row, a in zip(given, arrivals, strict=True)])
    for fund in {id(a.fund): a.fund for a in arrivals
                 if a.gift["channel"] != IN_KIND}.values():
        disbursements.pay_waiting(session, fund)
    return [SimpleNamespace(**row, fund=a.fund, project=a.project, refund_reason=None,
                            history=[]) for row, a in zip(given, arrivals, strict=True)]


def get(session: Session, association: str, donation_id: int, lock: bool = False) -> Donation:
    return rows.one(session, Donation, association, donation_id, lock)


def listing(session: Session, association: str, query: dict, actor: dict) -> Page[Donation]:
    """The association's donations, newest first, narrowed by what `query` names (a donor,
    a fund, a status, local dates recorded on); a donor sees only their own."""
    donor_id = query["donor_id"]
    if actor["role"] == "donor":
        donor_id = actor["donor_id"] or 0
    found = select(Donation).where(Donation.association_code == association)
    if donor_id is not None:
        found = found.where(Donation.donor_id == donor_id)
    if query["fund_code"] is not None:
        found = found.where(Donation.fund_id.in_(select(Fund.id).where(
            Fund.association_code == association, Fund.code == query["fund_code"])))
    if query["status"] is not None:
        found = found.where(Donation.status == query["status"])
    if query["from_"] is not None:
        found = found.where(Donation.recorded_at >= start_of_local_day(query["from_"]))
    if query["to"] is not None:
        found = found.where(Donation.recorded_at < start_of_local_day(
            query["to"] + timedelta(days=1)))
    return rows.page(session, found, [Donation.id.desc()], query)


def refund(session: Session, association: str, donation_id: int, reason: str,
           actor: dict) -> Donation:
    donation = get(session, association, donation_id, lock=True)
    if donation.status == "refunded":
        raise Conflict("The donation was already refunded.", "already_refunded")
    _move_to_refunded(donation, actor["username"], reason)
    fund = ledger.find_fund(session, association, donation.fund.code, lock=True)
    project = ledger.find_project(session, fund, donation.project.code, lock=True) \
        if donation.project else None
    if project is None and donation.channel != IN_KIND:  # projects' money is not its to return
        check_free_cash(fund.code, fund.balance_fen, ledger.held_by_projects(session, fund),
                        donation.amount_fen)
    original = ledger.entry_of(session.get(LedgerTransaction, donation.ledger_transaction_id))
    reversal = ledger.post(session, association, ledger.Posting(
        fund, reversal_of(original, "refund"), f"refund of {donation.receipt_no}", project,
        donation.grassroots_code))
    donation.refund_transaction_id = reversal.id
    donation.refund_reason = reason
    donation.refunded_by = actor["username"]
    record_event(session, OUTBOX, "fund.donation_refunded", {
        "association_code": association, "donation_id": donation.id,
        "receipt_no": donation.receipt_no, "fund_code": fund.code,
        "amount_fen": donation.amount_fen, "reason": reason, "refunded_by": actor["username"]})
    return donation


def _move_to_refunded(donation: Donation, actor: str, reason: str) -> None:
    """Before the money moves, so the refusals come in the order they always did."""
    recorder = Barred(donation.recorded_by, "The staff user who recorded a donation cannot "
                                            "also refund it.", "refund_four_eyes")
    DONATION.move(donation, "refunded", actor, reason, four_eyes=recorder)
