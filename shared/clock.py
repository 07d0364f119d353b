"""Times are stored in UTC; dates a person speaks of (a statement's period, a receipt's
year) are the association's local dates, China Standard Time (no daylight saving)."""
from datetime import UTC, date, datetime, time, timedelta, timezone

LOCAL = timezone(timedelta(hours=8), "Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).astimezone(LOCAL).isoformat()


def local_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(LOCAL).date()


def local_today() -> date:
    """The association's today, a day ahead of UTC's from 16:00 to midnight UTC."""
    return local_date(now_utc())


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The association's local year as a UTC half-open interval."""
    return start_of_local_day(date(year, 1, 1)), start_of_local_day(date(year + 1, 1, 1))
