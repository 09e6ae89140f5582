"""The schema on a real SQLite file: created from empty, equal to the models, and the refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from desktop_app.bootstrap import build_services
from desktop_app.config import Settings
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.persistence.db import make_engine
from desktop_app.persistence.migrate import alembic_config, head_revision, is_at_head, upgrade_to_head
from desktop_app.persistence.tables import Base

pytestmark = pytest.mark.usefixtures("english_ui")


def _url(tmp_path: Path, database_url: str | None) -> str:
    return database_url or f"sqlite:///{tmp_path / 'new.sqlite3'}"


def test_upgrade_from_empty_creates_every_table(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(_url(tmp_path, database_url))
    upgrade_to_head(engine)
    assert is_at_head(engine)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_models_match_migrations(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(_url(tmp_path, database_url))
    upgrade_to_head(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_twice_is_harmless(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(_url(tmp_path, database_url))
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    assert is_at_head(engine)
    engine.dispose()


def test_sqlite_connections_have_foreign_keys_wal_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_a_database_from_a_newer_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailableError, match="newer version"):
        build_services(Settings(db_url=f"sqlite:///{path}", data_dir=tmp_path))
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"These are my meeting notes, not a database.\n" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailableError, match="not a makeR Soporte database"):
        build_services(Settings(db_url=f"sqlite:///{path}", data_dir=tmp_path))
    assert path.read_bytes() == before


def test_a_missing_folder_is_a_clear_error_not_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    with pytest.raises(DatabaseUnavailableError, match="does not exist"):
        make_engine(url)
    assert not (tmp_path / "no-such-folder").exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailableError, match="folder"):
        make_engine(f"sqlite:///{tmp_path}")


def test_an_invalid_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseUnavailableError, match="not a valid database address"):
        make_engine("this is not a url")


def test_a_read_only_database_is_a_clear_error_and_stays_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    sqlite3.connect(path).close()  # an empty, valid SQLite file
    before = path.read_bytes()
    # URI read-only mode refuses writes even to root, like a file on a read-only share.
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    with pytest.raises(DatabaseUnavailableError, match="cannot be opened for writing"):
        build_services(Settings(db_url=url, data_dir=tmp_path))
    assert path.read_bytes() == before


def test_mail_migration_goes_down_and_up_again(tmp_path: Path, database_url: str | None) -> None:
    """0011_mail is reversible: down to 0010 its tables and the tickets' contact_email go, a
    ticket row stays; up again they are back, equal to the models."""
    from alembic import command

    engine = make_engine(_url(tmp_path, database_url))
    upgrade_to_head(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010_catalogue_company")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"mail_settings", "mail_templates", "mail_outbox", "mail_inbox", "mailbox_state"}
    assert "contact_email" not in {c["name"] for c in inspect(engine).get_columns("tickets")}
    upgrade_to_head(engine)
    assert is_at_head(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_head_revision_is_the_shipped_one() -> None:
    assert head_revision() == "0014_field_sync"


def test_workload_index_migration_goes_down_and_up_again(tmp_path: Path, database_url: str | None) -> None:
    """0012 and 0013 add only R1's indexes on tickets ((agent, status); (customer, reception)): down
    to 0011 they go, up they are back."""
    from alembic import command

    engine = make_engine(_url(tmp_path, database_url))
    upgrade_to_head(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011_mail")
    names = {i["name"] for i in inspect(engine).get_indexes("tickets")}
    assert not names & {"ix_tickets_assigned_agent_id_status", "ix_tickets_customer_id_received_at"}
    upgrade_to_head(engine)
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("tickets")}
    engine.dispose()
    assert indexes["ix_tickets_assigned_agent_id_status"] == ["assigned_agent_id", "status"]
    assert indexes["ix_tickets_customer_id_received_at"] == ["customer_id", "received_at"]


def test_a_postgresql_database_from_a_newer_program_is_refused(pg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = pg.url(pg.create_database())
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(DatabaseUnavailableError, match="newer version"):
        build_services(Settings(db_url=url, data_dir=tmp_path))


def test_a_postgresql_server_that_is_down_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DatabaseUnavailableError, match="server does not answer"):
        build_services(Settings(db_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/x", data_dir=tmp_path))


def test_migrations_0002_and_0004_fill_the_derived_columns_of_existing_rows(
    tmp_path: Path, database_url: str | None
) -> None:
    """An installation at 0001 with open tickets upgrades without losing their due times."""
    from alembic import command

    from desktop_app.persistence.migrate import alembic_config

    engine = make_engine(_url(tmp_path, database_url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001_initial")
        connection.execute(text("INSERT INTO customers VALUES (1, 'C', 'lab', 'Cali', '1', 'e', 'p', true, true, 1)"))
        connection.execute(text("INSERT INTO product_models VALUES ('M3', 'makeR M3', 'fdm', NULL, 1)"))
        connection.execute(
            text("INSERT INTO machines VALUES (1, 'S1', 'Q1', 'M3', 1, '2026-01-01', '2027-01-01', false, NULL, 1)")
        )
        connection.execute(text("INSERT INTO plans VALUES ('premium', 'Premium', 1, true, 1, 1, 1, 1)"))
        connection.execute(text("INSERT INTO severities VALUES ('alta', 2, 1)"))
        connection.execute(
            text(
                "INSERT INTO tickets (id, number, machine_id, customer_id, plan_code, severity, channel, description,"
                " status, received_at, first_response_due_at, reopen_count, escalation_level, plan_rank,"
                " severity_rank, search_text, version) VALUES (1, 'SOP-2026-00001', 1, 1, 'premium', 'alta', 'email',"
                " 'd', 'new', '2026-12-01 14:00:00', '2026-12-01 19:00:00', 0, 1, 1, 2, 'd', 1)"
            )
        )
    upgrade_to_head(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT clock_started_at, due_at FROM tickets")).one()
        machine_search = connection.execute(text("SELECT search_text FROM machines")).scalar_one()
    engine.dispose()
    assert str(row[0]).startswith("2026-12-01 14:00:00") and str(row[1]).startswith("2026-12-01 19:00:00")
    # 0004 gives machines already registered their search text.
    assert machine_search == "s1 maker m3 c 1 cali"


def test_migration_0009_keeps_existing_customers_and_contacts_and_downgrades(
    tmp_path: Path, database_url: str | None
) -> None:
    """A customer and a contact typed before 0009 get empty texts and no dates (nothing invented);
    downgrading to 0008 drops the new tables and columns and keeps the rows, and upgrading again works."""
    from alembic import command

    from desktop_app.persistence.migrate import alembic_config

    engine = make_engine(_url(tmp_path, database_url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008_append_only_audit")
        connection.execute(
            text("INSERT INTO customers VALUES (1, 'C', 'lab', 'Cali', '900123456', 'e', 'p', true, true, 1)")
        )
        connection.execute(text("INSERT INTO contacts VALUES (1, 1, 'Ana', 'a@x.co', '300', 'jefa', 1)"))
    upgrade_to_head(engine)
    with engine.connect() as connection:
        customer = connection.execute(
            text("SELECT address, department, notes, paid_up_set_at, paid_up_set_by FROM customers")
        ).one()
        contact = connection.execute(text("SELECT preferred_channel, consent_at, anonymised_at FROM contacts")).one()
        assert connection.execute(text("SELECT count(*) FROM training_records")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM places")).scalar_one() == 0
    assert tuple(customer) == ("", "", "", None, None)
    assert tuple(contact) == ("email", None, None)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0008_append_only_audit")
    tables = set(inspect(engine).get_table_names())
    assert "training_records" not in tables and "places" not in tables
    assert "address" not in {c["name"] for c in inspect(engine).get_columns("customers")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name, tax_id FROM customers")).one() == ("C", "900123456")
    upgrade_to_head(engine)
    assert is_at_head(engine)
    engine.dispose()


def test_migration_0010_gives_existing_models_a_warranty_and_downgrades(
    tmp_path: Path, database_url: str | None
) -> None:
    """A model recorded before 0010 keeps its end of life and gets 12 months of warranty, the
    policy's maintenance interval and no notes; there is no company row (the shipped data prints);
    downgrading to 0009 drops the new table and columns and keeps the model, and upgrading again works."""
    from alembic import command

    from desktop_app.persistence.migrate import alembic_config

    engine = make_engine(_url(tmp_path, database_url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009_customers_contacts")
        connection.execute(text("INSERT INTO product_models VALUES ('M2', 'makeR M2', 'fdm', '2023-06-30', 1)"))
    upgrade_to_head(engine)
    with engine.connect() as connection:
        model = connection.execute(
            text("SELECT discontinued_from, warranty_months, maintenance_interval_days, notes FROM product_models")
        ).one()
        assert connection.execute(text("SELECT count(*) FROM company")).scalar_one() == 0
    assert (str(model[0]), *model[1:]) == ("2023-06-30", 12, None, "")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009_customers_contacts")
    assert "company" not in set(inspect(engine).get_table_names())
    assert "warranty_months" not in {c["name"] for c in inspect(engine).get_columns("product_models")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT code, name FROM product_models")).one() == ("M2", "makeR M2")
    upgrade_to_head(engine)
    assert is_at_head(engine)
    engine.dispose()
