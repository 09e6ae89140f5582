"""Notices carry their kind's data instead of a sentence, so each reader sees them in their own
language, and a key that makes a reminder be given once.

Revision ID: 0007_notice_data
Revises: 0006_contract_renewals
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_notice_data"
down_revision = "0006_contract_renewals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("key", sa.String(length=80), nullable=False, server_default=""))
        batch_op.create_index("ix_notifications_user_id_read_at", ["user_id", "read_at"])


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_column("key")
        batch_op.drop_column("data")
