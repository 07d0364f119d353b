"""The public disclosure's answers (the page `/public/{code}` and the API's
`/api/v1/public/{code}/…`), kept in this gateway process: strangers load them in numbers, and
each costs the fund several queries. An answer is kept until the fund says that its
association's figures changed (its events reach every gateway process: see public_changes)
and for `PUBLIC_CACHE_SECONDS` at most, in case an event was missed; the least recently read
go first once the bodies kept pass `PUBLIC_CACHE_BYTES`. Nothing is shared between processes.

Every answer carries an ETag (a digest of its body, so every process gives the same one) and
a short max-age: a browser or proxy asks again with If-None-Match and gets 304, no body."""
import hashlib
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from cachetools import TTLCache
from werkzeug.wrappers import Request, Response

from shared.settings import public_cache_bytes, public_cache_seconds

# What a browser or proxy may show without asking again. With an answer kept here at most
# PUBLIC_CACHE_SECONDS (2), a payment reaches a reader within 5 s even when its event is lost.
MAX_AGE_SECONDS = 2
LARGEST_SHARE = 16  # one answer may take at most this share of the bytes kept


@dataclass(frozen=True)
class Kept:
    """An answer as it was served: its body, its type and its digest; and the association's
    count of changes when it was asked for, which must still be current to serve it."""
    body: bytes
    content_type: str
    etag: str
    association: str
    changes: int


class PublicAnswers:
    """Answers by key, each of one association, dropped when that association changes."""

    def __init__(self, seconds: float, budget: int, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.largest = budget // LARGEST_SHARE
        self._kept: TTLCache = TTLCache(budget, max(seconds, 0.001), timer=clock,
                                        getsizeof=lambda kept: len(kept.body) or 1)
        self._changes: dict[str, int] = {}  # association -> changes heard of
        self._lock = threading.Lock()  # the cache is not thread-safe

    def changes_of(self, association: str) -> int:
        return self._changes.get(association, 0)

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept.changes != self.changes_of(kept.association):
                self._kept.pop(key, None)  # its association changed since it was made
                return None
            return kept

    def keep(self, key: Hashable, kept: Kept) -> None:
        """Keep `kept` unless its association changed while it was being made (it may show
        the figures from before the change)."""
        if self.seconds <= 0 or len(kept.body) > self.largest:
            return
        with self._lock:
            if kept.changes == self.changes_of(kept.association):
                self._kept[key] = kept

    def changed(self, association: str) -> None:
        """The association's figures changed: nothing kept of it before is served again."""
        with self._lock:
            self._changes[association] = self.changes_of(association) + 1

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


ANSWERS = PublicAnswers(public_cache_seconds(), public_cache_bytes())


def serve(request: Request, association: str, key: Hashable, make: Callable[[], Response],
          vary: str | None = None) -> Response:
    """The answer kept under `key`, or `make()`'s, kept if it is a 200; with its ETag and
    max-age, or 304 if the client holds it already. `vary`: the request headers the body
    depends on besides the address (the page's language)."""
    kept = ANSWERS.get(key)
    if kept is None:
        changes = ANSWERS.changes_of(association)  # before asking: a change meanwhile counts
        made = make()
        if made.status_code != 200:
            return made  # refusals and failures are not kept (nor cached downstream)
        body = made.get_data()
        kept = Kept(body, made.content_type, digest(body), association, changes)
        ANSWERS.keep(key, kept)
    headers = {"ETag": f'"{kept.etag}"', "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}"}
    if vary:
        headers["Vary"] = vary
    if request.if_none_match.contains_weak(kept.etag):
        return Response(status=304, headers=headers)
    return Response(kept.body, status=200, headers=headers, content_type=kept.content_type)


def digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def changed(association: str | None) -> None:
    """An event said the association's figures changed; one that names none (it should not
    happen) drops every answer rather than keep one too long."""
    if isinstance(association, str):
        ANSWERS.changed(association)
    else:
        ANSWERS.forget()
