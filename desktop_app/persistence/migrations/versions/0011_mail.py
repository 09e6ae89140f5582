"""Mail in and out (issue 14).

- mail_settings: the SMTP and IMAP servers, the sender, the Message-ID domain and its signing
  secret, the reopening window (R14), one row; never a password (the OS keyring).
- mail_templates: the templates an administrator edited (else the shipped defaults).
- mail_outbox: each outbound mail, written with the change that caused it, and its delivery.
- mail_inbox: each received mail, kept raw, and where it went; mailbox_state: where the IMAP
  fetch left off (UIDVALIDITY, last UID) per folder.
- tickets.contact_email: where a ticket's mail goes ("" = the customer's address, chosen at send).

Revision ID: 0011_mail
Revises: 0010_catalogue_company
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_mail"
down_revision = "0010_catalogue_company"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email", sa.String(length=320), server_default="", nullable=False))
    op.create_table(
        "mail_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("smtp_host", sa.String(length=255), server_default="", nullable=False),
        sa.Column("smtp_port", sa.Integer(), server_default="0", nullable=False),
        sa.Column("smtp_security", sa.String(length=10), server_default="starttls", nullable=False),
        sa.Column("smtp_user", sa.String(length=320), server_default="", nullable=False),
        sa.Column("imap_host", sa.String(length=255), server_default="", nullable=False),
        sa.Column("imap_port", sa.Integer(), server_default="0", nullable=False),
        sa.Column("imap_security", sa.String(length=10), server_default="tls", nullable=False),
        sa.Column("imap_user", sa.String(length=320), server_default="", nullable=False),
        sa.Column("imap_folder", sa.String(length=200), server_default="INBOX", nullable=False),
        sa.Column("sender_address", sa.String(length=320), server_default="", nullable=False),
        sa.Column("sender_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("message_id_domain", sa.String(length=255), server_default="", nullable=False),
        sa.Column("signing_secret", sa.String(length=64), server_default="", nullable=False),
        sa.Column("reopen_window_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("sending_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("fetching_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_mail_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_settings")),
    )
    op.create_table(
        "mail_templates",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_mail_templates_updated_by_users")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_mail_templates")),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), server_default="", nullable=False),
        sa.Column("references_text", sa.Text(), server_default="", nullable=False),
        sa.Column("to_addresses", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("bounced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_mail_outbox_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_mail_outbox_customer_id_customers")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_mail_outbox_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_outbox_message_id")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_mail_outbox_state_next_attempt_at", ["state", "next_attempt_at"], unique=False)
    op.create_table(
        "mail_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("from_address", sa.String(length=320), server_default="", nullable=False),
        sa.Column("from_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("to_addresses", sa.Text(), server_default="", nullable=False),
        sa.Column("subject", sa.String(length=400), server_default="", nullable=False),
        sa.Column("text_body", sa.Text(), server_default="", nullable=False),
        sa.Column("html_body", sa.Text(), server_default="", nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_reason", sa.String(length=60), server_default="", nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("discard_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_mail_inbox_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_mail_inbox_customer_id_customers")),
        sa.ForeignKeyConstraint(["outbox_id"], ["mail_outbox.id"], name=op.f("fk_mail_inbox_outbox_id_mail_outbox")),
        sa.ForeignKeyConstraint(["handled_by"], ["users.id"], name=op.f("fk_mail_inbox_handled_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_inbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_inbox_message_id")),
        sa.UniqueConstraint("raw_sha256", name=op.f("uq_mail_inbox_raw_sha256")),
    )
    with op.batch_alter_table("mail_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_inbox_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_inbox_ticket_id"), ["ticket_id"], unique=False)
    op.create_table(
        "mailbox_state",
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("folder", name=op.f("pk_mailbox_state")),
    )


def downgrade() -> None:
    op.drop_table("mailbox_state")
    with op.batch_alter_table("mail_inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_inbox_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_mail_inbox_state"))
    op.drop_table("mail_inbox")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_state_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_mail_outbox_customer_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_ticket_id"))
    op.drop_table("mail_outbox")
    op.drop_table("mail_templates")
    op.drop_table("mail_settings")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
