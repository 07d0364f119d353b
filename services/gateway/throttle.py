"""Slowing down guessing and flooding: failed logins per account and per address, with a
wait that doubles after each failure past the allowance; and a rate for what anyone may
post without a login (pledges, applications) or look up (a claim's status).

Kept in the gateway's database (`throttles`), so every replica of the gateway counts the
same failures and requests: an attacker spreading guesses over the replicas behind a load
balancer gains nothing. Each count is one statement, an INSERT … ON CONFLICT DO UPDATE …
RETURNING, so two replicas counting at once cannot lose a count (PostgreSQL locks the row;
SQLite's BEGIN IMMEDIATE takes the write lock). A row says when it may go (`expires_at`);
each process deletes the expired ones at most once a minute. Times are the wall clock's
seconds, the same on every replica. Nothing in clear: a row is keyed by the blind index (a
keyed digest) of the account's name or the address."""
import math
import threading
import time

from sqlalchemy import Double, bindparam, case, delete, or_, select, update

from services.gateway.models import Throttle
from shared.crypto import blind
from shared.db import per_dialect
from shared.settings import (
    login_failures_per_account,
    login_failures_per_address,
    public_lookups_per_minute,
    public_posts_per_minute,
)

WINDOW = 60.0  # seconds of a rate's window
SWEEP_EVERY = 60.0  # seconds between deletions of expired rows, per process


class Throttled(Exception):
    def __init__(self, retry_after: float, what: str):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"Too many {what}; try again in {self.retry_after} s.")


def key_of(kind: str, subject: str) -> str:
    # Keyed (the blind index's key): a plain digest of an address is undone by trying them all.
    return f"{kind}:{blind(subject, 'throttle')}"


class _Counter:
    """What FailureBackoff and Rate share: a row per key, and the sweep of expired rows."""

    def __init__(self, kind: str, clock):
        self.kind = kind
        self.clock = clock
        self._swept = -math.inf
        self._lock = threading.Lock()

    def _key(self, subject: str) -> str:
        return key_of(self.kind, subject)

    def _sweep(self, db, now: float) -> None:
        with self._lock:
            if now - self._swept < SWEEP_EVERY:
                return
            self._swept = now
        with db.transaction() as session:
            session.execute(delete(Throttle).where(Throttle.expires_at < now))


class FailureBackoff(_Counter):
    """`allowance` failures are free; each one after that doubles the wait, from
    `first_wait` up to `longest_wait`. A success clears the record; a quiet `forget_after`
    clears it too."""

    def __init__(self, allowance: int, first_wait: float = 1.0, longest_wait: float = 900.0,
                 forget_after: float = 3600.0, clock=time.time, kind: str = "failures"):
        super().__init__(kind, clock)
        self.allowance = allowance
        self.first_wait = first_wait
        self.longest_wait = longest_wait
        self.forget_after = forget_after

    def wait_for(self, db, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        now = self.clock()
        with db.reading(one_statement=True) as connection:
            until = connection.execute(_WAITING, {"key": self._key(key), "now": now}).scalar()
        return max(0.0, until - now) if until is not None else 0.0

    def failed(self, db, key: str) -> None:
        now = self.clock()
        with db.transaction() as session:
            count = session.execute(_failure(session), {
                "key": self._key(key), "now": now, "forget": self.forget_after,
                "expires": now + self.forget_after}).scalar_one()
            beyond = count - self.allowance
            if beyond > 0:
                until = now + min(self.longest_wait, self.first_wait * 2 ** min(beyond - 1, 60))
                # Two failures counted at once: the longer wait stays.
                session.execute(
                    update(Throttle).where(Throttle.key == self._key(key),
                                           Throttle.wait_until < until)
                    .values(wait_until=until, expires_at=max(until, now + self.forget_after)))
        self._sweep(db, now)

    def succeeded(self, db, key: str) -> None:
        with db.transaction() as session:
            session.execute(delete(Throttle).where(Throttle.key == self._key(key)))


class Rate(_Counter):
    """At most `per_minute` events per key in the minute from the first of them."""

    def __init__(self, per_minute: int, clock=time.time, kind: str = "rate"):
        super().__init__(kind, clock)
        self.per_minute = per_minute

    def take(self, db, key: str, what: str) -> None:
        now = self.clock()
        with db.transaction() as session:
            count, since = session.execute(_event(session), {
                "key": self._key(key), "now": now, "window": WINDOW,
                "expires": now + WINDOW}).one()
        self._sweep(db, now)
        if count > self.per_minute:
            # At most a window: another replica may have opened it a moment "after" now.
            raise Throttled(min(WINDOW, WINDOW - (now - since)), what)


class LoginGuard:
    """Per account and per address: an address may fail more often than one account, since
    several people may share it (an office behind one router)."""

    def __init__(self, per_account: int, per_address: int, clock=time.time):
        self.accounts = FailureBackoff(per_account, clock=clock, kind="login-account")
        self.addresses = FailureBackoff(per_address, clock=clock, kind="login-address")

    def check(self, db, username: str, address: str) -> None:
        wait = max(self.accounts.wait_for(db, username.casefold()),
                   self.addresses.wait_for(db, address))
        if wait > 0:
            raise Throttled(wait, "failed logins")

    def failed(self, db, username: str, address: str) -> None:
        self.accounts.failed(db, username.casefold())
        self.addresses.failed(db, address)

    def succeeded(self, db, username: str) -> None:
        # The address keeps its record: logging into one's own account must not buy more
        # guesses at others'.
        self.accounts.succeeded(db, username.casefold())


_table = Throttle.__table__
_c = _table.c


def _seconds(name: str):
    """A time or a span in seconds, bound as a double (so `now - since` is arithmetic)."""
    return bindparam(name, type_=Double())


# The wait of a record still on file at `now`.
_WAITING = select(_c.wait_until).where(_c.key == bindparam("key"),
                                       _c.expires_at >= _seconds("now"))


def _new_row(dialect):
    now = _seconds("now")
    return dialect.insert(_table).values(key=bindparam("key"), count=1, since=now, last_at=now,
                                         wait_until=now, expires_at=_seconds("expires"))


@per_dialect
def _failure(dialect):
    """One more failure, or the first again once the earlier ones are forgotten (quiet for
    `forget` seconds and past their wait); the count after it."""
    now = _seconds("now")
    insert = _new_row(dialect)
    live = or_(now - _c.last_at <= _seconds("forget"), _c.wait_until >= now)
    return insert.on_conflict_do_update(
        index_elements=[_c.key],
        set_={"count": case((live, _c.count + 1), else_=1),
              "since": case((live, _c.since), else_=now),
              "wait_until": case((live, _c.wait_until), else_=now),
              "last_at": now,
              "expires_at": case((live & (_c.wait_until > insert.excluded.expires_at),
                                  _c.wait_until), else_=insert.excluded.expires_at)},
    ).returning(_c.count)


@per_dialect
def _event(dialect):
    """One more event in the window, or the first of a new window once it has closed; the
    count and the window's start after it."""
    now = _seconds("now")
    insert = _new_row(dialect)
    open_ = now - _c.since < _seconds("window")
    return insert.on_conflict_do_update(
        index_elements=[_c.key],
        set_={"count": case((open_, _c.count + 1), else_=1),
              "since": case((open_, _c.since), else_=now),
              "last_at": now,
              "expires_at": case((open_, _c.expires_at), else_=insert.excluded.expires_at)},
    ).returning(_c.count, _c.since)


def _guard() -> LoginGuard:
    return LoginGuard(login_failures_per_account(), login_failures_per_address())


LOGINS = _guard()
PUBLIC_POSTS = Rate(public_posts_per_minute(), kind="posts")
# Public claim status lookups: a claim number and 4 identity characters are guessable.
PUBLIC_LOOKUPS = Rate(public_lookups_per_minute(), kind="lookups")
