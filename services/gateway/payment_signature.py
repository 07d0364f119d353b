"""Payment channels sign what they tell us: `X-PHF-Signature` is the hex HMAC-SHA256, under
the shared secret (`PAYMENT_NOTIFY_SECRET`), of `X-PHF-Timestamp + "." + raw body`. A
notification older than the replay window, or from the future, is refused."""
import hashlib
import hmac
import time

from services.gateway.auth import Unauthorized
from shared.settings import payment_notify_secret

REPLAY_WINDOW_SECONDS = 300


def signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    signed = timestamp.encode() + b"." + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str | None, given: str | None, raw_body: bytes,
           now: float) -> None:
    if not timestamp or not given:
        raise Unauthorized("Sign the notification: X-PHF-Timestamp and X-PHF-Signature.")
    try:
        sent = int(timestamp.strip())
    except ValueError:
        raise Unauthorized("X-PHF-Timestamp must be unix seconds.") from None
    if abs(now - sent) > REPLAY_WINDOW_SECONDS:
        raise Unauthorized("The notification is too old (or from the future).")
    if not hmac.compare_digest(signature(secret, timestamp.strip(), raw_body),
                               given.strip().lower()):
        raise Unauthorized("The signature does not match.")


def check(request) -> None:
    """The route's check: run before the body is read as JSON."""
    verify(payment_notify_secret(), request.headers.get("X-PHF-Timestamp"),
           request.headers.get("X-PHF-Signature"), request.get_data(cache=True), time.time())
