"""Sending: the sends table is the providers' outbox. A round takes the sends that are due
(not SMS inside quiet hours; no number past its hourly limit, the rest put off until a place
frees), marks them `sending` and commits; hands them to their providers outside any
transaction; then records each outcome: sent, tried again later with growing delays, or
failed with the provider's reason. A send still `sending` once its lease has run out was cut
off mid-call; it, and any send tried before (the provider may have taken one it did not
answer in time), is looked for at its provider before it goes again (sms.py)."""
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from eventlet import GreenPool
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session, contains_eager

from services.notifications import consent
from services.notifications.domain import (
    MESSAGE,
    RATE_WINDOW,
    SEND,
    QuietHours,
    Recent,
    mask_email,
    next_try,
    ration,
)
from services.notifications.models import Message, Send
from services.notifications.parcels import Outcome, Parcel, later, sent
from services.notifications.settings import unsubscribe_url
from shared.clock import as_utc
from shared.identity import mask_identifiers, mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rules:
    quiet: QuietHours | None
    per_hour: int
    delays: list[float]
    lease: timedelta  # how long a provider may hold a send before it counts as cut off


@dataclass(frozen=True)
class Couriers:
    sms: object
    email: object


def take(session: Session, now: datetime, rules: Rules, batch: int) -> list[Parcel]:
    """The sends that go now, marked `sending` in the caller's transaction."""
    query = (select(Send).join(Send.message).options(contains_eager(Send.message))
             .where(or_(and_(Send.status == "due", Send.due_at <= now),
                        and_(Send.status == "sending", Send.claimed_at <= now - rules.lease)))
             .order_by(Send.due_at).limit(batch))
    if rules.quiet and rules.quiet.until(now):
        query = query.where(Send.channel != "sms")
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        query = query.with_for_update(skip_locked=True, of=Send)  # replicas share the work
    sends = _consenting(session, list(session.scalars(query)), now)
    if postgres:
        _hold_numbers(session, sends)
    # Counted in their hour when first handed over: they go again as they are.
    cut_off = [send for send in sends if send.status == "sending"]
    fresh = [send for send in sends if send.status == "due"]
    going, waiting = ration([(s.id, s.address_index if s.channel == "sms" else None)
                             for s in fresh], _recent(session, fresh, now), rules.per_hour, now)
    for send in fresh:
        if send.id in waiting:
            send.due_at = waiting[send.id]
    going_ids = set(going)
    return [_claim(send, now) for send in cut_off + [s for s in fresh if s.id in going_ids]]


def deliver(parcels: list[Parcel], couriers: Couriers, pool: GreenPool
            ) -> list[tuple[Parcel, Outcome]]:
    return list(zip(parcels, pool.imap(lambda parcel: _hand_over(parcel, couriers), parcels),
                    strict=True))


def record(session: Session, outcomes: list[tuple[Parcel, Outcome]], now: datetime,
           rules: Rules) -> None:
    sends = {send.id: send for send in session.scalars(
        select(Send).join(Send.message).options(contains_eager(Send.message))
        .where(Send.id.in_([parcel.send_id for parcel, _ in outcomes])))}
    for parcel, outcome in outcomes:
        send = sends[parcel.send_id]
        message = send.message
        if outcome.sent:
            SEND.step(send, "sent")
            MESSAGE.step(message, "sent")
            send.finished_at, send.provider_ref, message.error = now, outcome.ref, None
            continue
        reason = masked(outcome.reason or "", parcel)
        retry_at = next_try(send.attempts, rules.delays, now) if outcome.retry else None
        if retry_at is not None:
            SEND.step(send, "due")
            send.due_at = retry_at
            message.error = reason
            continue
        SEND.step(send, "failed")
        MESSAGE.step(message, "failed")
        send.finished_at = now
        message.error = (f"{reason} (gave up after {send.attempts} tries)" if outcome.retry
                         else reason)
        log.warning("message %d failed: %s", message.id, message.error)


def masked(reason: str, parcel: Parcel) -> str:
    """A provider's reason as staff and the log see it: the address it may quote (an SMTP
    server's refusal, a URL in a connection error) masked."""
    mask = mask_phone if parcel.channel == "sms" else mask_email
    return mask_identifiers(reason.replace(parcel.address, mask(parcel.address)))


def _hand_over(parcel: Parcel, couriers: Couriers) -> Outcome:
    courier = getattr(couriers, parcel.channel)
    try:
        if parcel.in_doubt and (ref := courier.find(parcel)):
            return sent(ref)
        return courier.send(parcel)
    except Exception as exc:  # an answer the provider's library could not read: try later
        # No traceback: its frames would hold the address in clear.
        reason = masked(f"{type(exc).__name__}: {exc}", parcel)
        log.warning("send %s to its provider: %s", parcel.key, reason)
        return later(reason)


def _consenting(session: Session, sends: list[Send], now: datetime) -> list[Send]:
    """The sends whose person has not opted out since the message was queued; the others
    are `suppressed`."""
    asked: dict[str, set[str]] = defaultdict(set)
    for send in sends:
        asked[send.message.association_code].add(send.address_index)
    said = {association: consent.consents(session, association, indexes)
            for association, indexes in asked.items()}
    consenting = []
    for send in sends:
        message = send.message
        if said[message.association_code].opted_out(send.channel, send.address_index):
            SEND.step(send, "suppressed")
            MESSAGE.step(message, "suppressed")
            send.finished_at = now
        else:
            consenting.append(send)
    return consenting


def _hold_numbers(session: Session, sends: list[Send]) -> None:
    """Each number this round may text, held until the round commits: two replicas that
    took different sends to one number count its hour one after the other, the second
    seeing what the first handed over (READ COMMITTED reads it afresh), so together they
    keep to the limit. Taken in one order, so two rounds never wait on each other in a
    circle; a transaction's lock, so PgBouncer's transaction pooling keeps it. SQLite's one
    writer (BEGIN IMMEDIATE) does the same there."""
    for number in sorted({s.address_index for s in sends
                          if s.channel == "sms" and s.status == "due"}):
        session.execute(_HOLD, {"number": number})


_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(:number, 0))")


def _recent(session: Session, sends: list[Send], now: datetime) -> dict[str, Recent]:
    numbers = {send.address_index for send in sends if send.channel == "sms"}
    if not numbers:
        return {}
    rows = session.execute(
        select(Send.address_index, func.count(), func.min(Send.claimed_at))
        .where(Send.channel == "sms", Send.address_index.in_(numbers),
               Send.status.in_(("sending", "sent")), Send.claimed_at > now - RATE_WINDOW)
        .group_by(Send.address_index))
    return {number: Recent(count, as_utc(oldest)) for number, count, oldest in rows}


def _claim(send: Send, now: datetime) -> Parcel:
    message: Message = send.message
    parcel = Parcel(send.id, send.key, send.channel, message.address, message.kind,
                    message.language, message.text, message.params,
                    unsubscribe_url(consent.token_for(message.id)),
                    in_doubt=send.status == "sending" or send.attempts > 0,
                    claimed_at=as_utc(send.claimed_at or now))
    SEND.step(send, "sending")
    send.claimed_at = now
    send.attempts += 1
    message.attempts += 1
    return parcel
