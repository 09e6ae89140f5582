"""Customers and contacts kept in the app (issue 13): what R3 needs to decide free support, habeas data.

- customers: address, department, notes, and who set "a paz y salvo" (paid up, R3) and when;
- contacts: the preferred channel, the date of the consent to process personal data (Ley 1581 de
  2012) and, once a contact asked for it, when they were anonymised;
- training_records: the trainings given to a customer (R3's "capacitado"), date, topic, trainer;
- places: municipalities an administrator added to the built-in list (domain.places).

Existing rows get empty texts and no dates: nothing is invented about them.

Revision ID: 0009_customers_contacts
Revises: 0008_append_only_audit
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_customers_contacts"
down_revision = "0008_append_only_audit"
branch_labels = None
depends_on = None

PAID_UP_BY_FK = "fk_customers_paid_up_set_by_users"


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("department", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("paid_up_set_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode would rebuild customers to add the foreign key, and with foreign keys on (they
        # are, in a transaction that cannot turn them off) dropping the old table fails as soon as
        # a machine or ticket points at a customer. SQLite adds a column with its REFERENCES in place.
        op.execute(
            f"ALTER TABLE customers ADD COLUMN paid_up_set_by INTEGER CONSTRAINT {PAID_UP_BY_FK} REFERENCES users (id)"
        )
    else:
        op.add_column("customers", sa.Column("paid_up_set_by", sa.Integer(), nullable=True))
        op.create_foreign_key(PAID_UP_BY_FK, "customers", "users", ["paid_up_set_by"], ["id"])
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("preferred_channel", sa.String(length=10), server_default="email", nullable=False)
        )
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("trainer", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_training_records_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_training_records_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_records_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"], name=op.f("fk_places_added_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("name", "department", name=op.f("uq_places_name")),
    )


def downgrade() -> None:
    op.drop_table("places")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_customer_id"))
    op.drop_table("training_records")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("consent_at")
        batch_op.drop_column("preferred_channel")
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode, for the reason given in upgrade(): SQLite (3.35+) drops columns in place.
        for column in ("paid_up_set_by", "paid_up_set_at", "notes", "department", "address"):
            op.execute(f"ALTER TABLE customers DROP COLUMN {column}")
    else:
        op.drop_constraint(PAID_UP_BY_FK, "customers", type_="foreignkey")
        for column in ("paid_up_set_by", "paid_up_set_at", "notes", "department", "address"):
            op.drop_column("customers", column)
