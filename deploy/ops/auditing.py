"""Verify every service's audit log: each entry's hash recomputed from its content and the
entry before, from the first to the chain's head, straight from the service's database
(read only, while the system runs). Names the first entry that is missing, out of place or
changed since it was written."""
import sqlalchemy as sa

from services.families.models import AUDIT as FAMILIES
from services.fund.models import AUDIT as FUND
from services.insurance.models import AUDIT as INSURANCE
from services.notifications.models import AUDIT as NOTIFICATIONS
from services.volunteers.models import AUDIT as VOLUNTEERS
from shared.audit_chain import Verdict, verify
from shared.db import make_engine, reading
from shared.settings import database_url

LOGS = {"fund": FUND, "insurance": INSURANCE, "volunteers": VOLUNTEERS, "families": FAMILIES,
        "notifications": NOTIFICATIONS}
BATCH = 1_000


def check(service: str, url: str | None = None) -> Verdict:
    """The chain of the service's database (`url`, else its configured one), in one
    snapshot: entries appended meanwhile wait for the next run."""
    tables = LOGS[service]
    engine = make_engine(url or database_url(service))
    try:
        with reading(engine) as connection:
            head = connection.execute(
                sa.select(tables.head.c.last_id, tables.head.c.last_hash)).one()
            entries = connection.execution_options(yield_per=BATCH).execute(
                sa.select(tables.log).order_by(tables.log.c.id))
            return verify(entries.mappings(), tuple(head))
    finally:
        engine.dispose()
