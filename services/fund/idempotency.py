"""Keyed requests: the same key and body get the first answer; another body, a 409."""
import json

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.fund.domain import fingerprint
from services.fund.models import IdempotencyKey
from shared.db import per_dialect
from shared.errors import Conflict


def claim_key(session: Session, scope: str, key: str, body: dict) -> dict | None:
    """Reserve the key in this transaction, or return the answer already given for it.

    The row is written before any work: a concurrent retry with the same key waits on it
    (PostgreSQL) or behind the write lock (SQLite), then finds the first answer. One
    statement when the key is new: an insert that does nothing on a key already kept."""
    print_ = fingerprint(body)
    reserved = session.connection().execute(_reserve(session), {
        "scope": scope, "key": key, "fingerprint": print_, "response": ""}).first()
    if reserved is not None:
        return None
    kept = session.execute(select(IdempotencyKey.fingerprint, IdempotencyKey.response).where(
        IdempotencyKey.scope == scope, IdempotencyKey.key == key)).one()
    if kept.fingerprint != print_:
        raise _reused()
    return json.loads(kept.response)


@per_dialect
def _reserve(dialect):
    table = IdempotencyKey.__table__
    return dialect.insert(table).on_conflict_do_nothing().returning(table.c.key)


def _reused() -> Conflict:
    return Conflict("This Idempotency-Key was used with a different request.",
                    "idempotency_key_reused", {"Idempotency-Key": ["Used for another body."]})


KEPT = "kept"


def seen_many(session: Session, scope: str, keyed: list[tuple[str, dict]]) -> list:
    """For each (key, body) of a batch: None for a key not seen before; KEPT for one kept
    before with this body; the position in `keyed` of its first row for a key given again
    in the batch with the same body; its Conflict for another body. Keys are looked up in
    one query; the caller keeps the new ones' answers with keep_many."""
    kept = dict(session.execute(select(IdempotencyKey.key, IdempotencyKey.fingerprint).where(
        IdempotencyKey.scope == scope, IdempotencyKey.key.in_({key for key, _ in keyed}))).all())
    first_of = {}  # key -> (its position, the fingerprint of its body)
    seen = []
    for position, (key, body) in enumerate(keyed):
        print_ = fingerprint(body)
        if key in kept:
            seen.append(KEPT if kept[key] == print_ else _reused())
        elif key in first_of:
            first, first_print = first_of[key]
            seen.append(first if first_print == print_ else _reused())
        else:
            first_of[key] = position, print_
            seen.append(None)
    return seen


def keep_many(session: Session, scope: str, answers: list[tuple[str, dict, dict]]) -> None:
    """(key, body, answer) of a batch's new keys, written in one statement; a key written
    concurrently fails it, and the caller goes row by row."""
    if answers:
        session.execute(insert(IdempotencyKey), [
            {"scope": scope, "key": key, "fingerprint": fingerprint(body),
             "response": json.dumps(answer)} for key, body, answer in answers])


_ANSWER = update(IdempotencyKey.__table__).where(
    IdempotencyKey.__table__.c.scope == bindparam("kept_scope"),
    IdempotencyKey.__table__.c.key == bindparam("kept_key"))


def keep_answer(session: Session, scope: str, key: str, answer: dict) -> None:
    session.connection().execute(_ANSWER, {"kept_scope": scope, "kept_key": key,
                                           "response": json.dumps(answer)})


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
