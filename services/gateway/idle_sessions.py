"""A staff-side session ends after SESSION_IDLE_MINUTES without use (等保 2.0 level 3).

A session is its token's: the token was last used when it was issued, or when a request
last recorded a use of it. A request records one only when the recorded use is a step old
(a minute, or a tenth of the limit when that is shorter), so a token in steady use costs a
write a minute, not one per request. The limit counts from the recorded use: a session may
end up to one step early, never late. The record is a row of the gateway's database, so
every replica of the gateway sees the same.

Donors and volunteers keep the plain TOKEN_TTL_SECONDS: their logins reach their own gifts,
shifts and hours alone, not other people's records, and a volunteer's phone may sit in a
pocket for a whole shift between check-in and check-out."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from services.gateway.models import TokenUse
from shared.clock import as_utc
from shared.db import per_dialect
from shared.settings import session_idle_minutes, token_ttl_seconds

LONGEST_STEP = timedelta(minutes=1)


def idle_limit() -> timedelta:
    return timedelta(minutes=session_idle_minutes())


def step() -> timedelta:
    """How old the recorded use must be before a request records it again."""
    return min(LONGEST_STEP, idle_limit() / 10)


def last_use(claims: dict, recorded: datetime | None) -> datetime:
    """When the token was last used, as far as the sessions know."""
    # A token from before tokens carried `iat` was issued one TTL before it expires.
    issued = datetime.fromtimestamp(claims.get("iat", claims["exp"] - token_ttl_seconds()),
                                    UTC)
    return issued if recorded is None else max(as_utc(recorded), issued)


def still_open(db, claims: dict, recorded: datetime | None, now: datetime) -> bool:
    """Whether the token's session is still open at `now`, its use recorded if it is
    (`recorded`: the use on record, None when there is none)."""
    used = last_use(claims, recorded)
    if now - used > idle_limit():
        return False
    if now - used >= step():
        _record(db, claims, now, first=recorded is None)
    return True


def _record(db, claims: dict, now: datetime, first: bool) -> None:
    with db.transaction() as session:
        if first:  # once per token: the rows of expired tokens go
            session.execute(delete(TokenUse).where(TokenUse.expires_at < now))
        session.execute(_upsert(session), {
            "token_id": claims["jti"], "last_used_at": now,
            "expires_at": datetime.fromtimestamp(claims["exp"], UTC)})


@per_dialect
def _upsert(dialect):
    # Two replicas recording the same token at once: the later use stays.
    table = TokenUse.__table__
    insert = dialect.insert(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.token_id],
        set_={"last_used_at": insert.excluded.last_used_at},
        where=table.c.last_used_at < insert.excluded.last_used_at)
