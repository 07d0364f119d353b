"""The token in a volunteer's calendar address. Calendar apps cannot log in, so the address
itself is the permission: `<association>.<hex HMAC-SHA256 of "association:volunteer id">`,
keyed by a key of its own derived from the gateway's token secret (a leaked calendar key
signs no logins). Changing TOKEN_SECRET changes every calendar address."""
import hashlib
import hmac
import re
from urllib.parse import urlencode

from shared.actors import sign
from shared.errors import NotFound
from shared.settings import public_url, token_secret

_ASSOCIATION = re.compile(r"[0-9]{6}")
READER = "calendar-feed"  # who the services see reading a calendar


def token_for(association: str, volunteer_id: int) -> str:
    return f"{association}.{_mac(association, volunteer_id)}"


def association_of(volunteer_id: int, token: str) -> str:
    """The association the token was made for, if it is this volunteer's; else NotFound, the
    same for a wrong token as for a volunteer who does not exist, so it tells neither."""
    association, _, mac = token.partition(".")
    expected = _mac(association, volunteer_id) if _ASSOCIATION.fullmatch(association) else ""
    # As bytes: compare_digest refuses str with characters beyond ASCII.
    if not expected or not hmac.compare_digest(mac.encode("utf-8", "surrogatepass"),
                                               expected.encode()):
        raise NotFound("No calendar at this address.", "calendar_not_found",
                       {"token": ["Not this volunteer's calendar token."]})
    return association


def reader(association: str, volunteer_id: int) -> dict:
    """The volunteer themself, as the services see whoever holds their calendar address: it
    reads what they may read, and nothing of anyone else."""
    return sign({"username": READER, "role": "volunteer", "association_code": association,
                 "volunteer_id": volunteer_id})


def feed_url(association: str, volunteer_id: int, language: str | None = None) -> str:
    query = {"token": token_for(association, volunteer_id), **({"lang": language}
                                                               if language else {})}
    return f"{public_url()}/api/v1/volunteers/{volunteer_id}/calendar.ics?{urlencode(query)}"


def _mac(association: str, volunteer_id: int) -> str:
    return hmac.new(_calendar_key(), f"{association}:{volunteer_id}".encode(),
                    hashlib.sha256).hexdigest()


def _calendar_key() -> bytes:
    return hmac.new(token_secret().encode(), b"calendar", hashlib.sha256).digest()
