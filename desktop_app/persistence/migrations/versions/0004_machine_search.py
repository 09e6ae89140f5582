"""Machines get a folded search text, so intake finds a printer by serial, model, customer, tax id or city
while ignoring case and accents.

Revision ID: 0004_machine_search
Revises: 0003_sign_in_and_audit
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from desktop_app.domain.search import search_document

revision = "0004_machine_search"
down_revision = "0003_sign_in_and_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("machines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT m.id, m.serial, pm.name, c.name, c.tax_id, c.city FROM machines m "
            "JOIN product_models pm ON pm.code = m.model_code JOIN customers c ON c.id = m.customer_id"
        )
    ).all()
    update = sa.text("UPDATE machines SET search_text = :text WHERE id = :id")
    for machine_id, *parts in rows:
        bind.execute(update, {"id": machine_id, "text": search_document(*parts)})


def downgrade() -> None:
    with op.batch_alter_table("machines", schema=None) as batch_op:
        batch_op.drop_column("search_text")
