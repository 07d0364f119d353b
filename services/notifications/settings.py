"""The notifications service's settings, from the environment (docs/operating.md lists them).
A malformed value stops the service at start, not a message later."""
import os
from urllib.parse import urlsplit

from services.notifications.domain import QuietHours, parse_quiet_hours
from shared.settings import association_name, public_url

PROVIDERS = ("aliyun", "log")
ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com"


def sms_provider() -> str:
    """`log` (the default: messages written to the log, no account needed) or `aliyun`."""
    provider = os.environ.get("SMS_PROVIDER") or "log"
    if provider not in PROVIDERS:
        raise ValueError(f"SMS_PROVIDER must be one of {', '.join(PROVIDERS)}, "
                         f"got {provider!r}")
    return provider


def sms_endpoint() -> tuple[str, str]:
    """(protocol, host[:port]) of Aliyun's SMS API (`SMS_ENDPOINT`, a URL)."""
    url = urlsplit(os.environ.get("SMS_ENDPOINT") or ALIYUN_ENDPOINT)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValueError(f"SMS_ENDPOINT must be an http(s) URL, got {url.geturl()!r}")
    return url.scheme, url.netloc


def sms_access_key() -> tuple[str, str]:
    return os.environ.get("SMS_ACCESS_KEY_ID", ""), os.environ.get("SMS_ACCESS_KEY_SECRET", "")


def sms_sign_name() -> str:
    """The signature (签名) registered at Aliyun, put before every SMS."""
    return os.environ.get("SMS_SIGN_NAME") or association_name()


def sms_template_codes() -> dict[str, str]:
    """Template codes Aliyun gave the association's templates (`SMS_TEMPLATE_CODES`,
    `kind=SMS_123,kind=SMS_456`), over the defaults in services/notifications/sms.py."""
    raw = os.environ.get("SMS_TEMPLATE_CODES", "")
    codes = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kind, _, code = item.partition("=")
        if not kind or not code:
            raise ValueError(f"SMS_TEMPLATE_CODES: {item!r} is not kind=code")
        codes[kind.strip()] = code.strip()
    return codes


def smtp_url() -> str | None:
    """`SMTP_URL` (`smtp://host:port`, `smtp://user:password@host:port`, `smtps://…` for
    TLS); unset: e-mails are written to the log as SMS_PROVIDER=log writes SMS."""
    url = os.environ.get("SMTP_URL") or None
    if url and urlsplit(url).scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must be smtp:// or smtps://, got {url!r}")
    return url


def mail_from() -> str:
    return os.environ.get("MAIL_FROM") or f"noreply@{urlsplit(public_url()).hostname}"


def quiet_hours() -> QuietHours | None:
    """No SMS inside `QUIET_HOURS` (`HH:MM-HH:MM`, association time; empty: none)."""
    return parse_quiet_hours(os.environ.get("QUIET_HOURS", "21:00-08:00"))


def sms_per_phone_per_hour() -> int:
    limit = int(os.environ.get("SMS_PER_PHONE_PER_HOUR", "5"))
    if limit < 1:
        raise ValueError(f"SMS_PER_PHONE_PER_HOUR must be at least 1, got {limit}")
    return limit


def send_retry_delays() -> list[float]:
    """Seconds before each further try of a send the provider failed for a while
    (`SEND_RETRY_DELAYS`); after the last, the message is `failed`."""
    raw = os.environ.get("SEND_RETRY_DELAYS", "10,30,60,300,900,3600")
    delays = [float(part) for part in raw.split(",") if part.strip()]
    if any(delay <= 0 for delay in delays):
        raise ValueError(f"SEND_RETRY_DELAYS must be positive seconds, got {raw!r}")
    return delays


def send_timeout_seconds() -> float:
    """How long a provider may take to answer one send (`SEND_TIMEOUT_SECONDS`)."""
    return float(os.environ.get("SEND_TIMEOUT_SECONDS", "10"))


def unsubscribe_url(token: str) -> str:
    return f"{public_url()}/u/{token}"
