"""R1's open-ticket count per agent off one index (issue 14's import figure).

A mail from a known contact opens a ticket and R1 gives it to the agent of the customer's city with
the fewest open tickets. Counting them read every open ticket's row (0.4 s on 100,000 tickets);
with (assigned_agent_id, status) the count is a seek per agent in the index alone.

Revision ID: 0012_ticket_workload_index
Revises: 0011_mail
Create Date: 2026-12-02
"""

from alembic import op

revision = "0012_ticket_workload_index"
down_revision = "0011_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_assigned_agent_id_status", ["assigned_agent_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_assigned_agent_id_status")
