"""Attachments' bytes in the team database (issue 16, persistence/field/blobs.py): chunks sent
resumably, checked before they are served, and every workstation of a team reading the same files."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.bootstrap import Services, build_services
from desktop_app.cli import main
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.persistence.attachment_store import FileAttachmentStore
from desktop_app.persistence.db import make_engine, make_session_factory
from desktop_app.persistence.field.blobs import (
    BlobMismatchError,
    DatabaseBlobStore,
    IncompleteBlobError,
    Progress,
    SharedAttachmentStore,
)
from desktop_app.persistence.tables import AttachmentBlobRecord, AttachmentChunkRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from tests.conftest import DEMO_NOW, make_settings, signed_in_env
from tests.integration.world import PHOTO, World, bogota, build_world
from tests.pg_server import TemporaryPostgres

CHUNK = 1000
CONTENT = os.urandom(5 * CHUNK + 321)  # six chunks, the last one short
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def factory(backend: str, schema_url: str | None, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on an empty database of the current schema (SQLite file or PostgreSQL)."""
    engine = make_engine(schema_url or f"sqlite:///{tmp_path / 'makersupport.sqlite3'}")
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def blobs(factory: sessionmaker[Session]) -> DatabaseBlobStore:
    return DatabaseBlobStore(factory, chunk_size=CHUNK)


class _Cut(Exception):
    """The connection going away after some chunks arrived."""


def _cut_after(chunks: int) -> Progress:
    def progress(done: int, _total: int) -> None:
        if done >= chunks * CHUNK:
            raise _Cut

    return progress


def test_a_file_goes_up_in_chunks_and_comes_back_whole_once(blobs: DatabaseBlobStore) -> None:
    assert blobs.read(SHA) is None and not blobs.is_complete(SHA)
    assert blobs.missing_chunks(SHA, len(CONTENT)) == [0, 1, 2, 3, 4, 5]
    assert blobs.upload(SHA, CONTENT) == len(CONTENT)
    assert blobs.is_complete(SHA) and blobs.missing_chunks(SHA, len(CONTENT)) == []
    assert blobs.read(SHA) == CONTENT
    assert blobs.upload(SHA, CONTENT) == 0  # the same file again: nothing sent
    empty = hashlib.sha256(b"").hexdigest()
    assert blobs.upload(empty, b"") == 0 and blobs.read(empty) == b""
    with pytest.raises(ValueError, match="not"):  # bytes that are not the file named
        blobs.upload(hashlib.sha256(b"other").hexdigest(), CONTENT)


def test_a_cut_upload_resumes_with_the_missing_chunks_only(blobs: DatabaseBlobStore, tmp_path: Path) -> None:
    source = tmp_path / "foto.jpg"
    source.write_bytes(CONTENT)
    with pytest.raises(_Cut):
        blobs.upload(SHA, source, progress=_cut_after(2))
    assert blobs.missing_chunks(SHA, len(CONTENT)) == [2, 3, 4, 5]
    assert blobs.read(SHA) is None  # half a file is never served
    with pytest.raises(IncompleteBlobError):
        blobs.finish(SHA)
    seen: list[tuple[int, int]] = []
    sent = blobs.upload(SHA, source, progress=lambda done, total: seen.append((done, total)))
    assert sent == len(CONTENT) - 2 * CHUNK
    assert seen[0] == (2 * CHUNK, len(CONTENT)) and seen[-1] == (len(CONTENT), len(CONTENT))
    assert blobs.read(SHA) == CONTENT


def test_a_damaged_chunk_is_refused_at_finish_and_never_served(
    blobs: DatabaseBlobStore, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    size = len(CONTENT)
    for number in range(6):
        data = CONTENT[number * CHUNK : (number + 1) * CHUNK]
        if number == 3:
            data = bytes([data[0] ^ 0xFF]) + data[1:]  # one byte changed on the way
        blobs.put_chunk(SHA, size, number, data)
    blobs.put_chunk(SHA, size, 0, CONTENT[:CHUNK])  # idempotent
    with pytest.raises(BlobMismatchError, match="se eliminaron"):
        blobs.finish(SHA)
    assert not blobs.is_complete(SHA) and blobs.read(SHA) is None
    assert blobs.missing_chunks(SHA, size) == [0, 1, 2, 3, 4, 5]  # all sent again by the next upload
    assert blobs.upload(SHA, CONTENT) == size and blobs.read(SHA) == CONTENT

    # A complete copy damaged afterwards in the database is not served either, and is reset for a new upload.
    with factory() as session, session.begin():
        session.execute(
            update(AttachmentChunkRecord)
            .where(AttachmentChunkRecord.sha256 == SHA, AttachmentChunkRecord.number == 5)
            .values(data=b"x" * (size - 5 * CHUNK))
        )
    other = SharedAttachmentStore(FileAttachmentStore(tmp_path / "other-workstation"), blobs)
    path = other.path_for(SHA)
    assert not path.exists() and list(path.parent.iterdir()) == []  # nothing half-written left behind
    assert not blobs.is_complete(SHA) and blobs.read(SHA) is None  # reset by path_for, which found the damage
    assert blobs.upload(SHA, CONTENT) == size and other.path_for(SHA).read_bytes() == CONTENT


def test_terminating_the_server_connection_mid_upload_loses_nothing_sent(
    pg: TemporaryPostgres, pg_schema_template: str
) -> None:
    name = pg.create_database(template=pg_schema_template)
    engine = make_engine(pg.url(name))
    blobs = DatabaseBlobStore(make_session_factory(engine), chunk_size=CHUNK)

    def kill_after_three(done: int, _total: int) -> None:
        if done != 3 * CHUNK:
            return
        with psycopg.connect(
            host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            pids = [
                row[0]
                for row in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
                )
            ]
            assert pids  # the desk's pooled connection
            admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
            for _ in range(100):  # the backends end a moment later
                if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone():
                    break
                time.sleep(0.02)

    try:
        with pytest.raises(DatabaseUnavailableError):
            blobs.upload(SHA, CONTENT, progress=kill_after_three)
        assert blobs.missing_chunks(SHA, len(CONTENT)) == [3, 4, 5]
        assert blobs.upload(SHA, CONTENT) == len(CONTENT) - 3 * CHUNK
        assert blobs.read(SHA) == CONTENT
    finally:
        engine.dispose()
        pg.drop_database(name)


def _ticket_with_photo(services: Services, world: World) -> TicketId:
    detail = services.tickets.create_ticket(
        IntakeRequest(
            MachineId(world.ids["eafit_r1"]),
            "La impresora de resina no cura las capas inferiores desde el cambio de tanque.",
            Severity.HIGH,
            Channel.ONSITE,
            UserId(world.ids["laura"]),
            (PHOTO,),
        ),
        actor=world.actor("carolina.rojas"),
    )
    return detail.id


def _blob_count(services: Services) -> int:
    with Session(services.engine) as session:
        return session.scalar(select(func.count()).select_from(AttachmentBlobRecord.__table__)) or 0


def test_a_file_added_on_one_workstation_opens_on_another(world: World, backend: str, tmp_path: Path) -> None:
    services = world.services
    ticket_id = _ticket_with_photo(services, world)
    log = NewAttachment("registro.txt", os.urandom(3 * 1024 * 1024 + 7))  # four chunks of 1 MiB
    services.tickets.add_attachments(ticket_id, [log], actor=world.actor("laura"))
    if backend == "sqlite":  # one computer's file: its folder, as before
        assert isinstance(services.attachments, FileAttachmentStore) and _blob_count(services) == 0
        return
    store = services.attachments
    assert isinstance(store, SharedAttachmentStore)
    sha = hashlib.sha256(log.content).hexdigest()
    assert store.blobs.read(sha) == log.content
    # Another workstation: its own (empty) folder, the same team database.
    other = build_services(make_settings(tmp_path / "workstation-b", services.settings.db_url), clock=world.clock)
    try:
        files = other.tickets.get_ticket(ticket_id).attachments
        assert [f.filename for f in files] == ["falla.jpg", "registro.txt"]
        assert [f.path.read_bytes() for f in files] == [PHOTO.content, log.content]
        assert files[1].path.is_relative_to(tmp_path / "workstation-b")
    finally:
        other.close()


@pytest.fixture
def pg_world(pg: TemporaryPostgres, pg_schema_template: str, tmp_path: Path) -> Iterator[World]:
    name = pg.create_database(template=pg_schema_template)
    world = build_world(tmp_path, bogota(2026, 12, 1, 9, 10), pg.url(name))
    yield world
    world.services.close()
    pg.drop_database(name)


def test_an_unreachable_database_refuses_the_whole_change_and_keeps_the_file_here(
    pg_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = pg_world
    services = world.services
    ticket_id = _ticket_with_photo(services, world)
    store = services.attachments
    assert isinstance(store, SharedAttachmentStore)
    before = services.tickets.get_ticket(ticket_id)
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nothing?connect_timeout=2")  # discard port
    monkeypatch.setattr(store.blobs, "_session_factory", make_session_factory(dead))
    log = NewAttachment("registro.txt", b"E12 thermal runaway at 14:02")
    with pytest.raises(DatabaseUnavailableError, match=r"base de datos del equipo.*no responde"):
        services.tickets.add_attachments(ticket_id, [log], actor=world.actor("laura"))
    after = services.tickets.get_ticket(ticket_id)
    assert len(after.attachments) == len(before.attachments) and len(after.timeline) == len(before.timeline)
    sha = hashlib.sha256(log.content).hexdigest()
    assert store.local.path_for(sha).read_bytes() == log.content  # kept here for the next attempt
    monkeypatch.undo()
    services.tickets.add_attachments(ticket_id, [log], actor=world.actor("laura"))
    assert store.blobs.read(sha) == log.content
    dead.dispose()


@pytest.fixture
def pg_demo(pg: TemporaryPostgres, pg_demo_template: tuple[str, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The demo data set on a team database, and the folder of the workstation that loaded it."""
    template, template_folder = pg_demo_template
    folder = tmp_path / "workstation-a"
    shutil.copytree(template_folder, folder)
    name = pg.create_database(template=template)
    yield pg.url(name), folder
    pg.drop_database(name)


def test_attachments_upload_sends_what_only_this_workstation_has(
    pg_demo: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, folder = pg_demo
    engine = make_engine(url)
    with Session(engine) as session, session.begin():  # as before the database kept the files
        session.execute(text("DELETE FROM attachment_blobs"))
    engine.dispose()
    other = build_services(make_settings(tmp_path / "workstation-b", url), clock=FixedClock(DEMO_NOW))
    try:
        store = other.attachments
        assert isinstance(store, SharedAttachmentStore)
        wanted = store.blobs.missing_referenced()
        assert len(wanted) >= 2
        assert not store.path_for(wanted[0]).exists()  # only workstation A has it
        # Workstation B has nothing to send: it says which files are still missing.
        monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "workstation-b"))
        for key, value in signed_in_env().items():
            monkeypatch.setenv(key, value)
        assert main(["--db", url, "--lang", "en", "attachments", "upload"]) == 1
        captured = capsys.readouterr()
        assert "0 files sent" in captured.out and wanted[0] in captured.err
        # Workstation A sends them, once.
        monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(folder))
        assert main(["--db", url, "--lang", "en", "attachments", "upload"]) == 0
        assert f"{len(wanted)} files sent" in capsys.readouterr().out
        assert store.blobs.missing_referenced() == []
        assert (
            store.path_for(wanted[0]).read_bytes() == (folder / "attachments" / wanted[0][:2] / wanted[0]).read_bytes()
        )
        assert main(["--db", url, "--lang", "en", "attachments", "upload"]) == 0
        assert "0 files sent" in capsys.readouterr().out
    finally:
        other.close()
