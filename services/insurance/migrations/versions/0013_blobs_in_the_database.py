"""claim documents kept in the database, shared by every replica (BLOB_STORE_URL=database,
the default on PostgreSQL); the files an earlier version kept under BLOB_DIR moved in

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

from shared.blobs import DatabaseStore, DirectoryStore, store_kind
from shared.settings import blob_dir

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("blobs",
                    sa.Column("digest", sa.String(64), primary_key=True),
                    sa.Column("sealed", sa.LargeBinary, nullable=False),
                    sa.Column("size_bytes", sa.Integer, nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                              server_default=sa.func.now()))
    connection = op.get_bind()
    # The files stay where they were (a backup of them, until removed by hand); where
    # BLOB_DIR is out of this process's reach, `deploy.ops move-blobs` moves them later.
    if store_kind(connection.dialect.name) == "database":
        store = DatabaseStore(connection)
        for path in DirectoryStore(blob_dir()).files():
            store.add_sealed(path.name, path.read_bytes())


def downgrade() -> None:
    op.drop_table("blobs")
