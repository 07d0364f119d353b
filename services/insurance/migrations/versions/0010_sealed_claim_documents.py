"""claim documents an older version kept in clear in the blob store sealed

Revision ID: 0010
Revises: 0009
"""
from alembic import op

from shared.blobs import DirectoryStore, store_kind
from shared.settings import blob_dir

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The documents lie beside the database, not in it; where BLOB_DIR is out of this
    # process's reach (another machine), `deploy.ops rotate-keys` seals them instead. With
    # the database store (0013 moves them in, sealing any in clear) there is nothing here.
    if store_kind(op.get_bind().dialect.name) == "dir":
        DirectoryStore(blob_dir()).reseal()


def downgrade() -> None:
    raise NotImplementedError("sealed documents are not unsealed by a migration")
