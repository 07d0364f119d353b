"""Settings from environment variables, with defaults that run on one machine."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


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


def token_secret() -> str:
    secret = os.environ.get("TOKEN_SECRET")
    if secret:
        return secret
    # A per-install secret kept beside the databases, so tokens survive restarts
    # without anyone having to invent a key for a demo.
    path = var_dir() / "token-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


def token_ttl_seconds() -> int:
    return int(os.environ.get("TOKEN_TTL_SECONDS", "3600"))
