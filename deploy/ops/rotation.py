"""Re-seal every personal datum under the current data key (the first of DATA_KEYS), while
the system runs: after a new key is put first, so that the old one can be retired.

Every column sealed in any service's models is found from the models themselves, and its
rows sealed with another key are re-sealed a batch at a time, each row written only if it
still holds what was read (a row changed meanwhile was sealed with the current key by the
service). The claim documents in the blob store are sealed again too (and any an older
version kept in clear, sealed). Stopped half-way, the same command again finishes it; run
once more, it changes nothing. The blind indexes do not change (their key is not rotated)."""
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from services.families.models import Base as FamiliesBase
from services.fund.models import Base as FundBase
from services.gateway.models import Base as GatewayBase
from services.insurance.models import Base as InsuranceBase
from services.notifications.models import Base as NotificationsBase
from services.volunteers.models import Base as VolunteersBase
from shared.blobs import blob_store
from shared.crypto import Sealed, SealedText, keyring, sealed_key_of
from shared.db import make_engine
from shared.settings import database_url

MODELS = {"fund": FundBase.metadata, "insurance": InsuranceBase.metadata,
          "volunteers": VolunteersBase.metadata, "families": FamiliesBase.metadata,
          "notifications": NotificationsBase.metadata, "gateway": GatewayBase.metadata}
BLOBS = "blobs"
PARTS = (*MODELS, BLOBS)  # what rotate-keys goes through, in this order
BATCH = 1_000
# SQLite has one writer at a time, and a writer kept waiting tries again at most every
# 100 ms (its busy handler): a pause this long after each batch lets the services' writes
# in, where back-to-back batches would keep them waiting until their busy timeout.
WRITERS_TURN = 0.1


@dataclass(frozen=True)
class SealedColumn:
    service: str
    table: sa.Table
    column: str
    field: str  # what the value was sealed for (bound into it)

    @property
    def key(self) -> sa.Column:
        """The row's key: its primary key (one column in every table that seals)."""
        (key,) = self.table.primary_key.columns
        return key


def sealed_columns(service: str) -> list[SealedColumn]:
    return [SealedColumn(service, table, column.name, column.type.field)
            for table in MODELS[service].sorted_tables for column in table.columns
            if isinstance(column.type, Sealed | SealedText)]


def rotate(service: str, url: str | None = None,
           progress: Callable[[str, int], None] | None = None) -> int:
    """Rows re-sealed in the service's database (`url`, else its configured one); for
    `blobs`, documents re-sealed in the blob store."""
    if service == BLOBS:
        return blob_store().reseal(progress and (lambda digest: progress(BLOBS, 1)))
    engine = make_engine(url or database_url(service))
    ring = keyring()
    changed = 0
    try:
        for sealed in sealed_columns(service):
            changed += _rotate_column(engine, ring, sealed, progress)
    finally:
        engine.dispose()
    return changed


def _rotate_column(engine, ring, sealed: SealedColumn, progress) -> int:
    # The stored text, not the clear value: a plain table, so no column type unseals it.
    plain = sa.table(sealed.table.name, sa.column(sealed.key.name),
                     sa.column(sealed.column, sa.Text))
    key, stored = plain.c[sealed.key.name], plain.c[sealed.column]
    changed = 0
    last = None
    while True:
        query = sa.select(key, stored).where(stored.is_not(None)).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return changed
        last = rows[-1][0]
        old = [(row_key, text) for row_key, text in rows
               if sealed_key_of(text) not in (None, ring.current)]
        if old:
            with engine.begin() as connection:
                for row_key, text in old:
                    again = ring.seal(ring.open(text, sealed.field), sealed.field)
                    done = connection.execute(sa.update(plain).where(
                        key == row_key, stored == text).values({sealed.column: again}))
                    changed += done.rowcount
            if engine.dialect.name == "sqlite":
                time.sleep(WRITERS_TURN)
        if progress:
            progress(f"{sealed.service}.{sealed.field}", len(old))
