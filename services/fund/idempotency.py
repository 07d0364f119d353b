"""Keyed requests: the same key and body get the first answer; another body, a 409."""
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund.domain import fingerprint
from services.fund.models import IdempotencyKey
from shared.errors import Conflict


def claim_key(session: Session, scope: str, key: str, body: dict) -> dict | None:
    """Reserve the key in this transaction, or return the answer already given for it.

    The row is written before any work: a concurrent retry with the same key waits on it
    (PostgreSQL) or behind the write lock (SQLite), then finds the first answer."""
    print_ = fingerprint(body)
    try:
        with session.begin_nested():
            session.add(IdempotencyKey(scope=scope, key=key, fingerprint=print_, response=""))
        return None
    except IntegrityError:
        pass
    kept = session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.scope == scope, IdempotencyKey.key == key)).one()
    if kept.fingerprint != print_:
        raise Conflict("This Idempotency-Key was used with a different request.",
                       "idempotency_key_reused", {"Idempotency-Key": ["Used for another body."]})
    return json.loads(kept.response)


def keep_answer(session: Session, scope: str, key: str, answer: dict) -> None:
    kept = session.get(IdempotencyKey, (scope, key))
    kept.response = json.dumps(answer)


def answered_once(session: Session, scope: str, key: str | None, raw: dict, work) -> dict:
    """`work()`'s answer, or, for a key seen before, the first answer (409 if the body
    differs). Without a key the work is simply done."""
    if key:
        first = claim_key(session, scope, key, raw)
        if first is not None:
            return first
    answer = work()
    if key:
        keep_answer(session, scope, key, answer)
    return answer
