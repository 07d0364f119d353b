"""The rules of word going out, as plain functions: quiet hours in association time, the
hourly limit of SMS to one number, how carriers count an SMS, when to try a failed send
again, when reminders fall due, and how an address is shown."""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from math import ceil

from shared.clock import LOCAL, as_utc
from shared.lifecycle import Lifecycle

# Carriers (and Aliyun's bill) count an SMS of up to 70 characters, the signature
# included, as one; a longer one goes in parts of 67, each part's header taking the rest.
SMS_SINGLE = 70
SMS_PART = 67
RATE_WINDOW = timedelta(hours=1)
SHIFT_REMINDER_LEAD = timedelta(hours=2)
# A family hears of tomorrow's visit in the morning of the day before, association time.
VISIT_REMINDER_AT = time(10, 0)
DEFAULT_LANGUAGE = "zh"


# A message as staff follow it: the inbox's delivered at once; an SMS or e-mail queued until
# its send's outcome, or suppressed where the person opted out; sent or failed ones may be
# queued again (a resend).
MESSAGE = Lifecycle.of("message", {
    None: {"delivered", "queued", "suppressed"},
    "queued": {"sent", "failed", "suppressed"},
    "sent": {"queued"},
    "failed": {"queued"},
    "delivered": set(),
    "suppressed": set(),
})
# A send: due, handed to the provider (`sending`; again when cut off mid-call), then sent,
# due again (a try that may pass later), failed, or suppressed (opted out meanwhile).
SEND = Lifecycle.of("send", {
    None: {"due"},
    "due": {"sending", "suppressed"},
    "sending": {"sending", "sent", "due", "failed", "suppressed"},
    "sent": set(),
    "failed": set(),
    "suppressed": set(),
})
# A reminder: pending until told (or too late to), moved back to pending by a change of its
# booking, dropped by its cancellation.
REMINDER = Lifecycle.of("reminder", {
    None: {"pending"},
    "pending": {"pending", "sent", "missed", "cancelled"},
    "sent": {"pending", "cancelled"},
    "missed": {"pending"},
    "cancelled": {"pending"},
})


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def until(self, moment: datetime) -> datetime | None:
        """When the quiet hours `moment` falls in end (UTC); None outside them."""
        local = as_utc(moment).astimezone(LOCAL)
        now = local.time()
        if self.start < self.end:
            inside, ends_on = self.start <= now < self.end, local.date()
        else:  # across midnight: 21:00-08:00
            inside = now >= self.start or now < self.end
            ends_on = local.date() + timedelta(days=1 if now >= self.start else 0)
        return datetime.combine(ends_on, self.end, LOCAL).astimezone(UTC) if inside else None


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`HH:MM-HH:MM`; empty: no quiet hours."""
    text = text.strip()
    if not text:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"QUIET_HOURS must be HH:MM-HH:MM or empty, got {text!r}") from None
    if start == end:
        raise ValueError(f"QUIET_HOURS must start and end at different times, got {text!r}")
    return QuietHours(start, end)


def sms_segments(text: str) -> int:
    """How many SMS carriers count `text` as (signature included)."""
    return 1 if len(text) <= SMS_SINGLE else ceil(len(text) / SMS_PART)


@dataclass(frozen=True)
class Recent:
    """A number's SMS of the last hour: how many, and when the oldest went."""
    count: int
    oldest: datetime


def ration(due: list[tuple[int, str | None]], recent: dict[str, Recent], limit: int,
           now: datetime) -> tuple[list[int], dict[int, datetime]]:
    """Of the sends `due` (id, number's index; None for no number), in order, those that may
    go now without a number getting more than `limit` in an hour, and until when each of
    the rest waits: until the oldest of its number's hour is an hour old."""
    going: list[int] = []
    waiting: dict[int, datetime] = {}
    taken: dict[str, int] = {}
    for send_id, number in due:
        if number is None:
            going.append(send_id)
            continue
        before = recent.get(number)
        if (before.count if before else 0) + taken.get(number, 0) < limit:
            going.append(send_id)
            taken[number] = taken.get(number, 0) + 1
        else:
            waiting[send_id] = (before.oldest if before else now) + RATE_WINDOW
    return going, waiting


def next_try(attempts: int, delays: list[float], now: datetime) -> datetime | None:
    """When to try again after `attempts` tries failed for a while; None: no more tries."""
    if attempts > len(delays):
        return None
    return now + timedelta(seconds=delays[attempts - 1])


def shift_reminder_at(starts_at: datetime) -> datetime:
    return as_utc(starts_at) - SHIFT_REMINDER_LEAD


def visit_reminder_at(starts_at: datetime) -> datetime:
    """The morning of the day before the visit, association time."""
    day_before = as_utc(starts_at).astimezone(LOCAL).date() - timedelta(days=1)
    return datetime.combine(day_before, VISIT_REMINDER_AT, LOCAL).astimezone(UTC)


def language_of(given: str | None, preferred: str | None) -> str:
    """The producer's word on a person's language, else their own, else Chinese."""
    return given or preferred or DEFAULT_LANGUAGE


def mask_email(address: str) -> str:
    """``z***@example.com``: the first character of the mailbox and the domain."""
    mailbox, _, domain = address.partition("@")
    return f"{mailbox[:1]}***@{domain}"
