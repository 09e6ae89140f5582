"""Field laptops that work offline (issue 16).

Office side:
- change_counter / change_log: a change sequence number taken at commit, and what each committed
  transaction touched, so field copies pull what changed since their watermark;
- applied_commands: the field commands applied, for an exactly-once effect of a replay;
- attachment_blobs / attachment_chunks: attachments' bytes in the shared database, uploaded in
  chunks (resumable).

Field copy side (present everywhere, used only on a laptop's copy):
- field_copy: where the copy came from, its device id, its watermark and last sync;
- field_outbox: the commands made offline, waiting to be replayed at the office.

Revision ID: 0014_field_sync
Revises: 0013_ticket_customer_latest
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_field_sync"
down_revision = "0013_ticket_customer_latest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_counter")),
    )
    op.execute("INSERT INTO change_counter (id, last) VALUES (1, 0)")
    op.create_table(
        "change_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_key", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq", "entity", "entity_key", name=op.f("pk_change_log")),
    )
    op.create_table(
        "applied_commands",
        sa.Column("command_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_seq", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_applied_commands_user_id_users")),
        sa.PrimaryKeyConstraint("command_id", name=op.f("pk_applied_commands")),
    )
    op.create_index(op.f("ix_applied_commands_device_id"), "applied_commands", ["device_id"], unique=False)
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blobs")),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["attachment_blobs.sha256"],
            name=op.f("fk_attachment_chunks_sha256_attachment_blobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sha256", "number", name=op.f("pk_attachment_chunks")),
    )
    op.create_table(
        "field_copy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("office_url", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=60), nullable=False),
        sa.Column("prepared_at", sa.DateTime(), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("clock_skew_seconds", sa.Integer(), nullable=True),
        sa.Column("next_provisional", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_copy")),
    )
    op.create_table(
        "field_outbox",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("ticket_ref", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("base", sa.Text(), nullable=False),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("copied_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("conflict", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("settled_how", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_field_outbox")),
        sa.UniqueConstraint("command_id", name=op.f("uq_field_outbox_command_id")),
    )
    op.create_index(op.f("ix_field_outbox_state"), "field_outbox", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_field_outbox_state"), table_name="field_outbox")
    op.drop_table("field_outbox")
    op.drop_table("field_copy")
    op.drop_table("attachment_chunks")
    op.drop_table("attachment_blobs")
    op.drop_index(op.f("ix_applied_commands_device_id"), table_name="applied_commands")
    op.drop_table("applied_commands")
    op.drop_table("change_log")
    op.drop_table("change_counter")
