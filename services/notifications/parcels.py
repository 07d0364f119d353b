"""What a provider is handed (a parcel: one send, with all it needs and nothing to look up)
and what it answers (an outcome)."""
from dataclasses import dataclass
from datetime import datetime

from services.notifications.texts import say


@dataclass(frozen=True)
class Parcel:
    send_id: int
    key: str  # the send's idempotency key: Aliyun's OutId, the e-mail's Message-ID
    channel: str
    address: str
    kind: str
    language: str
    text: str
    values: dict  # the text's values, an SMS template's parameters
    link: str  # the unsubscribe link
    # Handed over before with no answer that it was not taken (no answer in time, or the
    # process killed mid-call): the provider may have it, so it is asked first where it can be.
    in_doubt: bool
    claimed_at: datetime

    @property
    def footer(self) -> str:
        """The unsubscribe line every SMS and e-mail ends with."""
        return say("unsubscribe", self.language, {"url": self.link})


@dataclass(frozen=True)
class Outcome:
    sent: bool
    ref: str | None = None  # the provider's id of the send (Aliyun's BizId)
    reason: str | None = None  # why not, in the provider's words
    retry: bool = False  # worth another try later (the provider away or busy)


def sent(ref: str | None) -> Outcome:
    return Outcome(True, ref)


def later(reason: str) -> Outcome:
    return Outcome(False, reason=reason, retry=True)


def never(reason: str) -> Outcome:
    return Outcome(False, reason=reason)
