"""every row carries its association's code and every unique key includes it

Revision ID: 0014
Revises: 0013
"""
from alembic import op

from shared.migrate import add_association_code, key_by_association

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_association_code(op, "product_versions", ("products", "product_id"))
    add_association_code(op, "policy_history", ("policies", "policy_id"))
    add_association_code(op, "premium_shares", ("policies", "policy_id"))
    add_association_code(op, "premium_share_history", ("premium_shares", "share_id"))
    add_association_code(op, "claim_history", ("claims", "claim_id"))
    add_association_code(op, "claim_documents", ("claims", "claim_id"))
    add_association_code(op, "claim_appeals", ("claims", "claim_id"))
    key_by_association(op, "product_versions", ["product_id", "version"])
    key_by_association(op, "policies", ["policy_no"])
    key_by_association(op, "policies", ["renews_policy_id"], "uq_policies_renews_policy_id")
    key_by_association(op, "premium_shares", ["policy_id", "payer"])
    key_by_association(op, "claims", ["claim_no"])
    key_by_association(op, "claim_documents", ["claim_id", "sha256"])
    key_by_association(op, "claim_appeals", ["claim_id"])


def downgrade() -> None:
    raise NotImplementedError("keys by association are not undone by a migration; restore a "
                              "backup")
