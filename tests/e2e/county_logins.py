"""Logins of another county in a running system. No HTTP call makes a login outside the
admin's own county yet, so they are written into the gateway's database as the admin page
would write them (services/gateway/accounts.py), password `<username>-demo` as the demo's."""
from sqlalchemy.orm import Session

from deploy.demo import PASSWORD_SUFFIX
from deploy.processes import System
from services.gateway.accounts import create_user
from shared.db import make_engine

ROLES = ("staff", "admin", "auditor", "coordinator")


def gateway_database(system: System) -> str:
    """The gateway's database as the system's processes find it (shared/settings.py)."""
    return system.env.get("GATEWAY_DATABASE_URL") or \
        f"sqlite:///{system.env['PHF_VAR_DIR']}/gateway.db"


def county_logins(system: System, county: str) -> dict[str, str]:
    """A login of each staff-side role in `county`, made once: role -> username."""
    names = {role: f"{role}{county}" for role in ROLES}
    engine = make_engine(gateway_database(system))
    with Session(engine) as session:
        for role, username in names.items():
            create_user(session, {"username": username, "role": role, "display_name": username,
                                  "password": username + PASSWORD_SUFFIX}, county)
        session.commit()
    engine.dispose()
    return names
