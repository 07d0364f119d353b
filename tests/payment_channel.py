"""What a payment channel sends with a notification, signed as the gateway checks it. A module
of its own, light enough for the browser flows' process, which must not import nameko."""
import time

from services.gateway.payment_signature import signature
from shared.settings import payment_notify_secret


def signed_headers(raw_body: bytes, secret: str | None = None, age: int = 0) -> dict:
    """The time, `age` seconds ago, and the signature over it and `raw_body` under `secret`
    (the configured one unless given)."""
    timestamp = str(int(time.time()) - age)
    return {"X-PHF-Timestamp": timestamp,
            "X-PHF-Signature": signature(secret or payment_notify_secret(), timestamp, raw_body)}
