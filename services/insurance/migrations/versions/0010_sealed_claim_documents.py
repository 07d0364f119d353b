"""claim documents an older version kept in clear in the blob store sealed

Revision ID: 0010
Revises: 0009
"""
from shared.blobs import blob_store
from shared.settings import blob_store_url

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The documents lie beside the database, not in it; where BLOB_DIR is out of this
    # process's reach (another machine), `deploy.ops rotate-keys` seals them instead.
    if not blob_store_url():
        blob_store().reseal()


def downgrade() -> None:
    raise NotImplementedError("sealed documents are not unsealed by a migration")
