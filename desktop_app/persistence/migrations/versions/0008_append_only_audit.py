"""The audit log is append-only in the database itself, not only in the program (R18, issue 12).

A trigger refuses UPDATE and DELETE of audit rows (and TRUNCATE on PostgreSQL) for every login,
the owner's included: a slip in some future code, a hand-typed statement or a borrowed session
cannot rewrite history. The application's least-privilege login on a team server has no UPDATE,
DELETE or TRUNCATE grant on the table either (packaging/postgres/roles.sql); the trigger is the
second wall. Only the table's owner can lift it (ALTER TABLE … DISABLE TRIGGER on PostgreSQL), and
only `demo --reset` does, inside its own transaction (persistence/audit_guard.py).

A later migration that rebuilds audit_log on SQLite (batch "move and copy") drops its triggers with
the old table: it must create them again.

Revision ID: 0008_append_only_audit
Revises: 0007_notice_data
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008_append_only_audit"
down_revision = "0007_notice_data"
branch_labels = None
depends_on = None

MESSAGE = "the audit trail is append-only"

POSTGRESQL_UP = (
    f"""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % on audit_log refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
)
# SQLite has no TRUNCATE: an unqualified DELETE is one, and the DELETE trigger refuses it too (a
# table with triggers never takes SQLite's truncate shortcut).
SQLITE_UP = (
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    "DROP TRIGGER IF EXISTS audit_log_no_update",
)


def _statements(postgresql: tuple[str, ...], sqlite: tuple[str, ...]) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql
    if dialect == "sqlite":
        return sqlite
    return ()  # another database: the program's own rule (no code updates audit rows) still holds


def upgrade() -> None:
    for statement in _statements(POSTGRESQL_UP, SQLITE_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(POSTGRESQL_DOWN, SQLITE_DOWN):
        op.execute(statement)
