"""Policy engine: policy versions, the SLA clock on tickets, notifications, fractional response hours.

Revision ID: 0002_policy_engine
Revises: 0001_initial
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_policy_engine"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_policy_versions_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_notifications_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("response_targets", schema=None) as batch_op:
        batch_op.alter_column("hours", existing_type=sa.Integer(), type_=sa.Float(), existing_nullable=False)

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_agent_update_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("policy_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_policy_version_id_policy_versions"),
            "policy_versions",
            ["policy_version_id"],
            ["id"],
        )
    # Existing tickets: the clock started at receipt; the first response is what is due.
    op.execute("UPDATE tickets SET clock_started_at = received_at")
    op.execute(
        "UPDATE tickets SET due_at = first_response_due_at "
        "WHERE first_responded_at IS NULL AND status IN ('new', 'in_progress')"
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_policy_version_id_policy_versions"), type_="foreignkey")
        batch_op.drop_column("policy_version_id")
        batch_op.drop_column("due_at")
        batch_op.drop_column("last_agent_update_at")
        batch_op.drop_column("clock_started_at")
    with op.batch_alter_table("response_targets", schema=None) as batch_op:
        batch_op.alter_column("hours", existing_type=sa.Float(), type_=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))
    op.drop_table("notifications")
    op.drop_table("policy_versions")
