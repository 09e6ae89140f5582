"""A customer's latest ticket off one index (issue 14's import figure).

A known contact's mail opens a ticket for the agent who handled the customer's last one (R1).
Finding that ticket sorted all of the customer's tickets by reception (20 ms for a customer with
thousands on 100,000 tickets); with (customer_id, received_at) it is one step down the index.

Revision ID: 0013_ticket_customer_latest
Revises: 0012_ticket_workload_index
Create Date: 2026-12-02
"""

from alembic import op

revision = "0013_ticket_customer_latest"
down_revision = "0012_ticket_workload_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_customer_id_received_at", ["customer_id", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_customer_id_received_at")
