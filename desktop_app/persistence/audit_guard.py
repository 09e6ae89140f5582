"""The database's own guard on the audit log (migration 0008), and the one way to lift it.

The triggers of 0008 refuse UPDATE, DELETE and TRUNCATE on audit_log for everyone. Only
`demo --reset` erases the log, on purpose: it lifts the guard inside its own transaction, so the
guard is back (or was never gone) whether the reset commits or fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desktop_app.errors import PermissionDeniedError
from desktop_app.i18n import _

AUDIT_TABLE = "audit_log"
# SQLSTATE 42501: the login is not the table's owner (a least-privilege application login).
_INSUFFICIENT_PRIVILEGE = "42501"


@contextmanager
def lifted(session: Session) -> Iterator[None]:
    """Within the session's transaction, let audit rows be deleted.

    PostgreSQL: ALTER TABLE … DISABLE TRIGGER USER, which only the table's owner may run, so the
    application's least-privilege login cannot lift the guard (it has no DELETE grant either).
    SQLite: the triggers are dropped and created again from their own stored SQL.

    Raises:
        PermissionDeniedError: the login does not own the audit table.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        try:
            session.execute(text(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER"))
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise PermissionDeniedError(
                _(
                    "Only the database's owner can erase the audit log: run this with the owner's login, "
                    "not the application's."
                )
            ) from exc
        yield
        session.execute(text(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER"))
    elif dialect == "sqlite":
        # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE: a DROP TRIGGER
        # issued first would be committed on its own, and a failed reset would leave no guard.
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN")
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table ORDER BY name"),
            {"table": AUDIT_TABLE},
        ).all()
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
    else:
        yield
