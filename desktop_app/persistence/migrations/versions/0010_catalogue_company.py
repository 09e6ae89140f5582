"""The product catalogue and the company data kept in the app (issue 13).

- product_models: each model's warranty in months (a new machine's default warranty end), its own
  preventive-maintenance interval in days (empty: the policy's, R3) and notes; its end of life (R5)
  stays `discontinued_from`. Existing models get 12 months, the policy's interval and no notes.
- company: the company's own data printed on certificates (R15) and statements, one row. It starts
  empty: until an administrator saves it in Settings, the data shipped in
  resources/certificate/company.json is shown and printed, as before this revision.

Revision ID: 0010_catalogue_company
Revises: 0009_customers_contacts
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_catalogue_company"
down_revision = "0009_customers_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warranty_months", sa.Integer(), server_default="12", nullable=False))
        batch_op.add_column(sa.Column("maintenance_interval_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=30), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("support_email", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=120), nullable=False),
        sa.Column("seal_ring_text", sa.String(length=40), nullable=False),
        sa.Column("seal_centre_text", sa.String(length=24), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_company_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )


def downgrade() -> None:
    op.drop_table("company")
    with op.batch_alter_table("product_models", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("maintenance_interval_days")
        batch_op.drop_column("warranty_months")
