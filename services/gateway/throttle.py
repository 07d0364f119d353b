"""Slowing down guessing and flooding: failed logins per account and per address, with a
wait that doubles after each failure past the allowance; and a rate for what anyone may
post without a login (pledges, applications) or look up (a claim's status). Kept in the
gateway process's memory: a restart forgets, which errs on the side of letting people in."""
import math
import threading
import time
from dataclasses import dataclass

from shared.settings import (
    login_failures_per_account,
    login_failures_per_address,
    public_lookups_per_minute,
    public_posts_per_minute,
)


class Throttled(Exception):
    def __init__(self, retry_after: float, what: str):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"Too many {what}; try again in {self.retry_after} s.")


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0  # no attempt before this moment
    last: float = 0.0


class FailureBackoff:
    """`allowance` failures are free; each one after that doubles the wait, from
    `first_wait` up to `longest_wait`. A success clears the record; a quiet `forget_after`
    clears it too."""

    def __init__(self, allowance: int, first_wait: float = 1.0, longest_wait: float = 900.0,
                 forget_after: float = 3600.0, clock=time.monotonic):
        self.allowance = allowance
        self.first_wait = first_wait
        self.longest_wait = longest_wait
        self.forget_after = forget_after
        self.clock = clock
        self._records: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        with self._lock:
            record = self._live(key)
            return max(0.0, record.until - self.clock()) if record else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            record = self._live(key) or self._records.setdefault(key, _Failures())
            record.count += 1
            record.last = now
            beyond = record.count - self.allowance
            if beyond > 0:
                record.until = now + min(self.longest_wait, self.first_wait * 2 ** (beyond - 1))
            if len(self._records) > 100_000:  # a flood of names must not fill the memory
                self._forget_quiet(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def _live(self, key: str) -> _Failures | None:
        record = self._records.get(key)
        if record and self.clock() - record.last > max(self.forget_after, record.until -
                                                       record.last):
            del self._records[key]
            return None
        return record

    def _forget_quiet(self, now: float) -> None:
        for key in [k for k, r in self._records.items()
                    if now - r.last > self.forget_after and now > r.until]:
            del self._records[key]


class Rate:
    """At most `per_minute` events per key in any sliding minute."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, what: str) -> None:
        with self._lock:
            now = self.clock()
            recent = [t for t in self._seen.get(key, ()) if now - t < 60]
            if len(recent) >= self.per_minute:
                self._seen[key] = recent
                raise Throttled(60 - (now - recent[0]), what)
            recent.append(now)
            self._seen[key] = recent
            if len(self._seen) > 100_000:
                self._seen = {k: v for k, v in self._seen.items() if now - v[-1] < 60}


class LoginGuard:
    """Per account and per address: an address may fail more often than one account, since
    several people may share it (an office behind one router)."""

    def __init__(self, per_account: int, per_address: int, clock=time.monotonic):
        self.accounts = FailureBackoff(per_account, clock=clock)
        self.addresses = FailureBackoff(per_address, clock=clock)

    def check(self, username: str, address: str) -> None:
        wait = max(self.accounts.wait_for(username.casefold()),
                   self.addresses.wait_for(address))
        if wait > 0:
            raise Throttled(wait, "failed logins")

    def failed(self, username: str, address: str) -> None:
        self.accounts.failed(username.casefold())
        self.addresses.failed(address)

    def succeeded(self, username: str) -> None:
        # The address keeps its record: logging into one's own account must not buy more
        # guesses at others'.
        self.accounts.succeeded(username.casefold())


def _guard() -> LoginGuard:
    return LoginGuard(login_failures_per_account(), login_failures_per_address())


LOGINS = _guard()
PUBLIC_POSTS = Rate(public_posts_per_minute())
# Public claim status lookups: a claim number and 4 identity characters are guessable.
PUBLIC_LOOKUPS = Rate(public_lookups_per_minute())
