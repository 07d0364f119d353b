"""reads of one association's rows by indexes that lead with its code

A page of the association's policies (newest first) or of its claims in one status (the
review queue, oldest first) reads its own rows in its own order, whatever other counties'
rows the tables hold; a claim's appeal is found by the claim without reading every appeal.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_policies_association_id", "policies", ["association_code", "id"])
    op.create_index("ix_claims_association_status", "claims", ["association_code", "status", "id"])
    op.create_index("ix_claim_appeals_claim_id", "claim_appeals", ["claim_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_appeals_claim_id", table_name="claim_appeals")
    op.drop_index("ix_claims_association_status", table_name="claims")
    op.drop_index("ix_policies_association_id", table_name="policies")
