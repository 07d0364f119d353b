"""How many of a person's messages are unread, for the menu and their home page. The
notifications service may be away or slow: a page then shows without the count rather than
an error, and after a miss the pages of this process stop asking for a while, so that not
every page waits out the deadline."""
import logging
import time

import eventlet

from services.gateway.routes import UNREACHABLE

log = logging.getLogger(__name__)
DEADLINE_SECONDS = 1  # a menu's count is not worth a slow page
PAUSE_AFTER_MISS_SECONDS = 30
_paused_until = 0.0  # time.monotonic(); shared by every page of this process


class Unread:
    """`unread()`: the actor's unread count, asked once per page; None when unknown."""

    def __init__(self, notifications, actor: dict):
        self._notifications = notifications
        self._actor = actor
        self._asked = False
        self._count: int | None = None

    def __call__(self) -> int | None:
        if not self._asked:
            self._asked = True
            self._count = _ask(self._notifications, self._actor)
        return self._count


def _ask(notifications, actor: dict) -> int | None:
    global _paused_until
    if time.monotonic() < _paused_until:
        return None
    try:
        with eventlet.Timeout(DEADLINE_SECONDS):
            return notifications.unread(actor)["unread"]
    except UNREACHABLE as exc:
        log.warning("unread count not shown, the notifications service is away: %s",
                    type(exc).__name__)
        _paused_until = time.monotonic() + PAUSE_AFTER_MISS_SECONDS
    except Exception:  # the page matters more than its menu's count
        log.exception("unread count not shown")
    return None
