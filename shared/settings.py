"""Settings from environment variables, with defaults that run on one machine."""
import os
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def amqp_uri() -> str:
    """The broker (`AMQP_URI`). For a RabbitMQ cluster, every node's URI, separated by `;`:
    `amqp://u:p@rabbit-0:5672/phf;amqp://u:p@rabbit-1:5672/phf;amqp://u:p@rabbit-2:5672/phf`.
    nameko (kombu) takes the list as it is and fails over round-robin; the pika clients (the
    outbox relay, retries, dead letters, ops) try the nodes in turn on each connect."""
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


def amqp_nodes(uri: str | None = None) -> list[str]:
    """The URIs of the nodes an `AMQP_URI` names, in its order."""
    nodes = [part.strip() for part in (uri or amqp_uri()).split(";") if part.strip()]
    if not nodes:
        raise ValueError("AMQP_URI names no broker")
    return nodes


def var_dir() -> Path:
    return Path(os.environ.get("PHF_VAR_DIR", PROJECT_ROOT / "var"))


def database_url(service: str) -> str:
    """`FUND_DATABASE_URL` etc.; else a SQLite file per service under var/."""
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{var_dir() / (service + '.db')}"


def association_code() -> str:
    # GB/T 2260 region code of the association; the demo one is 天长市.
    return os.environ.get("ASSOCIATION_CODE", "341181")


def _kept_secret(variable: str, filename: str) -> str:
    secret = os.environ.get(variable)
    if secret:
        return secret
    # A per-install secret kept beside the databases, so it survives restarts without
    # anyone having to invent a key for a demo. Created 0600, atomically: two processes
    # starting at once must end up with the same key.
    path = var_dir() / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(os.urandom(32).hex())
    for _ in range(50):  # another process may have created it and not yet written it
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set {variable}")


def token_secret() -> str:
    return _kept_secret("TOKEN_SECRET", "token-secret")


def service_key() -> str:
    """Signs the actor the gateway passes to the services (`SERVICE_KEY`)."""
    return _kept_secret("SERVICE_KEY", "service-key")


def token_ttl_seconds() -> int:
    return int(os.environ.get("TOKEN_TTL_SECONDS", "3600"))


def session_idle_minutes() -> float:
    """How long a staff-side login's token may go unused before it stops working
    (`SESSION_IDLE_MINUTES`, default 30; fractions of a minute are taken)."""
    raw = os.environ.get("SESSION_IDLE_MINUTES", "30")
    minutes = float(raw)
    if not 0 < minutes < 10 ** 6:  # NaN and infinity too
        raise ValueError(f"SESSION_IDLE_MINUTES must be a positive number, got {raw!r}")
    return minutes


def association_name() -> str:
    return os.environ.get("ASSOCIATION_NAME", "天长市计划生育协会")


def city_name() -> str:
    """The name of the city association above this install's county (ASSOCIATION_CODE)."""
    return os.environ.get("CITY_NAME", "滁州市计划生育协会")


def province_name() -> str:
    """The name of the province association above this install's county."""
    return os.environ.get("PROVINCE_NAME", "安徽省计划生育协会")


def public_url() -> str:
    """Where the public pages are served: receipts print trace links under it."""
    return os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def online_gift_max_fen() -> int:
    return int(os.environ.get("ONLINE_GIFT_MAX_FEN", "5000000"))  # ¥50 000


def pledge_ttl_days() -> int:
    return int(os.environ.get("PLEDGE_TTL_DAYS", "7"))


def visit_lead_days() -> int:
    """How many days before a care plan's visit falls due it is asked for
    (`VISIT_LEAD_DAYS`), so a coordinator can assign it in time."""
    return int(os.environ.get("VISIT_LEAD_DAYS", "7"))


def no_show_check_seconds() -> int:
    """How often the volunteers service looks for shifts that ended with confirmed
    volunteers who never checked in (`NO_SHOW_CHECK_SECONDS`)."""
    return int(os.environ.get("NO_SHOW_CHECK_SECONDS", "60"))


def payment_notify_secret() -> str:
    """The key payment channels sign their notifications with (`PAYMENT_NOTIFY_SECRET`)."""
    return _kept_secret("PAYMENT_NOTIFY_SECRET", "payment-notify-secret")


def max_body_bytes() -> int:
    """The largest request body the gateway reads (`MAX_BODY_BYTES`, default 1 MiB)."""
    return int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))


def login_failures_per_account() -> int:
    """Failed logins of one account before each further one doubles the wait."""
    return int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))


def login_failures_per_address() -> int:
    return int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))


def public_posts_per_minute() -> int:
    """Posts without a login (pledges, applications) from one address in a minute."""
    return int(os.environ.get("PUBLIC_POSTS_PER_MINUTE", "30"))


def secure_cookies() -> bool:
    """Session cookies only over TLS: on wherever the site is served over https."""
    default = "1" if public_url().startswith("https://") else "0"
    return os.environ.get("SECURE_COOKIES", default) not in ("0", "false", "no", "")


def event_retry_delays() -> list[float]:
    """Seconds to wait before each further try of an event whose handler hit a transient
    fault (`EVENT_RETRY_DELAYS`, comma-separated; empty for no retries). The default waits
    ~2 minutes in all, long enough for a database to restart; after the last try the event
    is dead-lettered."""
    raw = os.environ.get("EVENT_RETRY_DELAYS", "0.5,1,2,4,8,16,30,30,30")
    delays = [float(part) for part in raw.split(",") if part.strip()]
    if any(delay < 0.001 for delay in delays):
        raise ValueError(f"EVENT_RETRY_DELAYS must be positive seconds, got {raw!r}")
    return delays


def blob_dir() -> Path:
    """Where the directory blob store keeps documents by content hash (`BLOB_DIR`)."""
    return Path(os.environ.get("BLOB_DIR") or var_dir() / "blobs")


def blob_store_url() -> str | None:
    """Where documents are kept (`BLOB_STORE_URL`): `database`, the insurance service's own
    database, shared by every replica; or `dir`, files under `BLOB_DIR` on one machine.
    Unset: `database` when INSURANCE_DATABASE_URL is PostgreSQL, else `dir`. See
    `shared.blobs`."""
    return os.environ.get("BLOB_STORE_URL") or None


def document_max_bytes() -> int:
    """The largest claim document accepted (`DOCUMENT_MAX_BYTES`, default 10 MiB)."""
    return int(os.environ.get("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))


def review_sample_pct() -> int:
    """The share of claims no automatic check flagged that is still sent to the review
    queue, chosen at random (`REVIEW_SAMPLE_PCT`, default 10)."""
    return int(os.environ.get("REVIEW_SAMPLE_PCT", "10"))


def public_lookups_per_minute() -> int:
    """Public claim status lookups from one address in a minute."""
    return int(os.environ.get("PUBLIC_LOOKUPS_PER_MINUTE", "10"))


def public_cache_seconds() -> float:
    """How long a gateway process keeps an answer of the public disclosure
    (`PUBLIC_CACHE_SECONDS`, default 2; 0: none kept). The fund's events drop an
    association's answers as soon as its figures change; this bounds an answer's age when
    an event was missed (a broker restart)."""
    return float(os.environ.get("PUBLIC_CACHE_SECONDS", "2"))


def public_cache_bytes() -> int:
    """The bodies of public disclosure answers a gateway process keeps, in bytes at most
    (`PUBLIC_CACHE_BYTES`, default 16 MiB); the least recently read go first."""
    return int(os.environ.get("PUBLIC_CACHE_BYTES", str(16 * 1024 * 1024)))


def contact_due_days() -> int:
    """How many days may pass without a member's contact with a family paired with them
    before the pair is overdue (`CONTACT_DUE_DAYS`, default 30)."""
    return int(os.environ.get("CONTACT_DUE_DAYS", "30"))


def import_max_bytes() -> int:
    """The largest spreadsheet an import accepts (`IMPORT_MAX_BYTES`, default 20 MiB): the
    upload limit of imports, above the API's general body limit."""
    return int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))


def import_wait_seconds() -> float:
    """How long an import request waits for the import to finish before answering with it
    still running (`IMPORT_WAIT_SECONDS`, default 20: under the API's 30 s per request)."""
    return float(os.environ.get("IMPORT_WAIT_SECONDS", "20"))


def db_pool_size() -> int:
    """Connections each process keeps open to a PostgreSQL database (`DB_POOL_SIZE`, default
    10: nameko's MAX_WORKERS, one per worker); SQLite keeps one."""
    return _at_least("DB_POOL_SIZE", "10", 1)


def db_max_overflow() -> int:
    """Connections past the pool a process may open at a peak, closed again once returned
    (`DB_MAX_OVERFLOW`, default 20; the Kubernetes manifests set 5: the outbox relay, timers,
    the health checks). A process holds at most DB_POOL_SIZE + DB_MAX_OVERFLOW;
    deploy/CAPACITY.md sums them against PgBouncer's and PostgreSQL's limits."""
    return _at_least("DB_MAX_OVERFLOW", "20", 0)


def _at_least(variable: str, default: str, least: int) -> int:
    value = int(os.environ.get(variable, default))
    if value < least:
        raise ValueError(f"{variable} must be at least {least}, got {value}")
    return value
