"""A renewal is a new contract that names the one it renews, so a contract's history is kept.

Revision ID: 0006_contract_renewals
Revises: 0005_certificates
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_contract_renewals"
down_revision = "0005_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renews_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_contracts_renews_id_contracts"), "contracts", ["renews_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contracts_renews_id_contracts"), type_="foreignkey")
        batch_op.drop_column("renews_id")
