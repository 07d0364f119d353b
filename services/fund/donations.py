"""Recording and refunding donations: ledger, receipt and event in one transaction."""
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund import disbursements, donors, idempotency, ledger
from services.fund.domain import DONATION, check_free_cash, donation_entry, reversal_of
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
from shared.clock import iso, local_date, now_utc
from shared.contracts.fund import IN_KIND
from shared.errors import Conflict, DomainError, Forbidden
from shared.grassroots import grassroots_of
from shared.outbox import record_event, record_events


def record(session: Session, association: str, body: dict, raw: dict, actor: dict,
           key: str | None) -> dict:
    """`body` is validated input; `raw` is what was sent, which the key is bound to."""
    return idempotency.answered_once(session, key_scope(association, actor), key, raw,
                                     lambda: _record(session, association, body, actor))


def key_scope(association: str, actor: dict) -> str:
    """Keys are the caller's own: two clients may pick the same key for different gifts."""
    return f"donation:{association}:{actor['username']}"


def seen_before(session: Session, association: str, actor: dict, key: str | None) -> bool:
    return bool(key) and session.get(IdempotencyKey, (key_scope(association, actor), key)) \
        is not None


def _record(session: Session, association: str, body: dict, actor: dict) -> dict:
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    project = ledger.project_for_input(session, fund, body.get("project_code"))
    gift = _gift(association, body)
    donor = donors.find_or_create(session, association, body["donor"])
    [given] = receive_many(session, [(fund, project, donor, gift)], actor["username"])
    return given


def _gift(association: str, body: dict) -> dict:
    return {**body, "grassroots_code": grassroots_of(body.get("grassroots_code"), association)}


ImportRow = tuple[dict | DomainError, dict, str | None]  # validated body or why not, raw, key


def import_batch(session: Session, association: str, batch: list[ImportRow],
                 actor: dict) -> dict:
    """Many keyed donations at once (a CSV import), each recorded as record() would: the
    batch is checked whole and written with one statement per table. A bad row is reported
    and the good ones are kept; a key seen before adds nothing. Should a donor or key
    written concurrently break the batch, it is done again row by row, each in a savepoint
    of its own. Only counts and the bad rows (by position) come back."""
    try:
        with session.begin_nested():
            outcomes = _record_batch(session, association, batch, actor)
    except IntegrityError:
        outcomes = [_record_alone(session, association, row, actor) for row in batch]
    return _import_report(outcomes)


def _record_batch(session: Session, association: str, batch: list[ImportRow],
                  actor: dict) -> list:
    """Per row: "imported", "already_there" or its DomainError."""
    scope = key_scope(association, actor)
    outcomes = [body if isinstance(body, DomainError) else None for body, _, _ in batch]
    keyed = [(n, key, raw) for n, (_, raw, key) in enumerate(batch)
             if key and outcomes[n] is None]
    repeats = {}  # a key given twice in the batch, same body: row -> its first row
    for (n, _, _), seen in zip(keyed, idempotency.seen_many(
            session, scope, [(key, raw) for _, key, raw in keyed]), strict=True):
        if seen == idempotency.KEPT:
            outcomes[n] = "already_there"
        elif isinstance(seen, int):
            repeats[n] = outcomes[n] = keyed[seen][0]
        else:
            outcomes[n] = seen  # None (new) or a Conflict
    fresh = [n for n, outcome in enumerate(outcomes) if outcome is None]
    gifts = _gifts_of(session, association, [batch[n][0] for n in fresh])
    good = [(n, gift) for n, gift in zip(fresh, gifts, strict=True)
            if not isinstance(gift, DomainError)]
    for n, gift in zip(fresh, gifts, strict=True):
        outcomes[n] = gift if isinstance(gift, DomainError) else "imported"
    if good:
        found = donors.find_or_create_many(session, association,
                                           [batch[n][0]["donor"] for n, _ in good])
        given = receive_many(session, [(fund, project, donor, gift) for (_, (fund, project,
                             gift)), donor in zip(good, found, strict=True)], actor["username"])
        idempotency.keep_many(session, scope, [
            (batch[n][2], batch[n][1], view)
            for (n, _), view in zip(good, given, strict=True) if batch[n][2]])
    for n, first in repeats.items():
        outcomes[n] = "already_there" if outcomes[first] == "imported" else outcomes[first]
    return outcomes


def _gifts_of(session: Session, association: str, bodies: list[dict]) -> list:
    """(fund, project, gift) for each body, its funds locked in one query, or its error."""
    funds = ledger.funds_for_input(session, association, {b["fund_code"] for b in bodies})
    projects = {}
    for body in bodies:
        fund, code = funds[body["fund_code"]], body.get("project_code")
        if code and not isinstance(fund, DomainError) and (fund.code, code) not in projects:
            try:
                projects[fund.code, code] = ledger.project_for_input(session, fund, code)
            except DomainError as error:
                projects[fund.code, code] = error
    return [_gift_for(association, funds[body["fund_code"]],
                      projects.get((body["fund_code"], body.get("project_code"))), body)
            for body in bodies]


def _gift_for(association: str, fund, project, body: dict):
    for found in (fund, project):
        if isinstance(found, DomainError):
            return found
    try:
        return fund, project, _gift(association, body)
    except DomainError as error:
        return error


def _record_alone(session: Session, association: str, row: ImportRow, actor: dict):
    body, raw, key = row
    if isinstance(body, DomainError):
        return body
    try:
        before = seen_before(session, association, actor, key)
        with session.begin_nested():
            record(session, association, body, raw, actor, key)
        return "already_there" if before else "imported"
    except DomainError as error:
        return error


def _import_report(outcomes: list) -> dict:
    return {"imported": outcomes.count("imported"),
            "already_there": outcomes.count("already_there"),
            "bad": [{"row": n, "message": outcome.message, "fields": outcome.fields}
                    for n, outcome in enumerate(outcomes) if isinstance(outcome, DomainError)]}


def receive(session: Session, fund: Fund, project: Project | None, donor: Donor, gift: dict,
            recorded_by: str) -> Donation:
    """Money (or goods) that has arrived: ledger lines, a receipt number and the event, in
    the caller's transaction. `gift` has amount_fen, channel, anonymous, note, description
    and the grassroots_code it counts for (checked by the caller; the association's own
    when absent). The fund (and project) rows are locked by the caller."""
    [given] = receive_many(session, [(fund, project, donor, gift)], recorded_by)
    return session.get(Donation, given["id"])


_NEW_DONATIONS = insert(Donation.__table__).returning(Donation.__table__.c.id,
                                                    sort_by_parameter_order=True)


def receive_many(session: Session, gifts: list[tuple[Fund, Project | None, Donor, dict]],
                 recorded_by: str) -> list[dict]:
    """receive() for (fund, project, donor, gift) of one association, in order, with one
    statement per table; each donation's view."""
    association = gifts[0][0].association_code
    transaction_ids = ledger.post_many(session, association, [
        (fund, donation_entry(fund.code, gift["channel"], gift["amount_fen"],
                              project.code if project else None),
         f"donation to {fund.code}/{project.code}" if project else f"donation to {fund.code}",
         project) for fund, project, _, gift in gifts])
    now = now_utc()
    numbers = ledger.next_receipt_nos(session, association, local_date(now).year, len(gifts))
    given = [{
        "association_code": association, "fund_id": fund.id,
        "project_id": project.id if project else None, "donor_id": donor.id,
        "amount_fen": gift["amount_fen"], "channel": gift["channel"],
        "anonymous": gift.get("anonymous", False), "note": gift.get("note"),
        "description": gift.get("description"), "recorded_by": recorded_by,
        "grassroots_code": gift.get("grassroots_code") or association, "status": "recorded",
        "ledger_transaction_id": transaction_id, "recorded_at": now, "receipt_no": number}
        for (fund, project, donor, gift), transaction_id, number in zip(
            gifts, transaction_ids, numbers, strict=True)]
    for row, donation_id in zip(given, session.connection().execute(
            _NEW_DONATIONS, given).scalars(), strict=True):
        row["id"] = donation_id
    record_events(session, OUTBOX, "fund.donation_recorded", [{
        "association_code": association, "donation_id": row["id"],
        "receipt_no": row["receipt_no"], "fund_code": fund.code,
        "amount_fen": row["amount_fen"], "channel": row["channel"], "donor_id": donor.id,
        "anonymous": row["anonymous"], "recorded_at": iso(now)}
        for row, (fund, _, donor, _) in zip(given, gifts, strict=True)])
    for fund in {id(f): f for f, _, _, gift in gifts if gift["channel"] != IN_KIND}.values():
        disbursements.pay_waiting(session, fund)
    # The rows as the view reads a Donation: no ORM object is built for what was just written.
    return [donation_view(SimpleNamespace(**row, fund=fund, project=project, refund_reason=None,
                                          history=[]))
            for row, (fund, project, _, _) in zip(given, gifts, strict=True)]


def get(session: Session, association: str, donation_id: int, lock: bool = False) -> Donation:
    return rows.one(session, Donation, association, donation_id, lock)


def listing(session: Session, association: str, donor_id: int | None, limit: int,
            offset: int) -> dict:
    query = select(Donation).where(Donation.association_code == association)
    if donor_id is not None:
        query = query.where(Donation.donor_id == donor_id)
    found, total = rows.page(session, query, [Donation.id.desc()], limit, offset)
    return {"items": [donation_view(d) for d in found], "total": total}


def refund(session: Session, association: str, donation_id: int, reason: str,
           actor: dict) -> dict:
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
    reversal = ledger.post(session, association, fund, reversal_of(original, "refund"),
                           f"refund of {donation.receipt_no}", project)
    donation.refund_transaction_id = reversal.id
    donation.refund_reason = reason
    donation.refunded_by = actor["username"]
    record_event(session, OUTBOX, "fund.donation_refunded", {
        "association_code": association, "donation_id": donation.id,
        "receipt_no": donation.receipt_no, "fund_code": fund.code,
        "amount_fen": donation.amount_fen, "reason": reason, "refunded_by": actor["username"]})
    return donation_view(donation)


def _move_to_refunded(donation: Donation, actor: str, reason: str) -> None:
    """Before the money moves, so the refusals come in the order they always did."""
    try:
        DONATION.move(donation, "refunded", actor, reason, four_eyes=donation.recorded_by)
    except Forbidden:  # the four-eyes rule, in the words a refund has always used
        raise Forbidden("The staff user who recorded a donation cannot also refund it.",
                        "refund_four_eyes") from None
