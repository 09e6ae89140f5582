"""The office's database as a field copy's sync sees it (services/field/sync.py's Office).

The laptop opens the office database itself, with the office's own services over it: commands are
replayed through the office's TicketService, its rules and its record of who the technician is.
The address comes from the field copy (without a password); the password from
MAKERSUPPORT_OFFICE_PASSWORD, else the one the technician typed in the sync dialog (kept in memory
until the program closes), else the OS keyring where the team connection keeps it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.config import Settings
from desktop_app.connection import OFFICE_PASSWORD_ENV
from desktop_app.domain.field_sync import FieldCommand, FieldCopyState
from desktop_app.domain.ids import UserId
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.persistence.db import keyring_name, with_connect_timeout, with_password, without_password
from desktop_app.persistence.field.blobs import DatabaseBlobStore
from desktop_app.persistence.field.copying import CopyReport, FieldScope
from desktop_app.persistence.field.link import OfficeLink, prepare_copy, probe_office
from desktop_app.services.clock import ReplayClock
from desktop_app.services.users import actor_of

if TYPE_CHECKING:
    from desktop_app.persistence.field.journal import CommandJournal
    from desktop_app.services.field.sync import FieldSyncService
    from desktop_app.services.ports import AttachmentStore, UnitOfWorkFactory
    from desktop_app.services.tickets import TicketService


class Services(Protocol):
    """What this module uses of bootstrap.Services (bootstrap imports this module, not the reverse)."""

    settings: Settings
    engine: Any  # an Engine, a sessionmaker: only persistence and bootstrap name SQLAlchemy's types
    uow_factory: UnitOfWorkFactory
    tickets: TicketService
    attachments: AttachmentStore
    session_factory: Any
    journal: CommandJournal | None
    field: FieldSyncService | None

    def close(self) -> None: ...


class BuildServices(Protocol):
    def __call__(self, settings: Settings, *, clock: ReplayClock | None = None, migrate: bool = True) -> Services: ...


CONNECT_SECONDS = 5


class OfficePasswords:
    """The office server's password for a sync: the environment's, else the one typed in this run,
    else the keyring's, kept there under the name the team connection uses (None: none needed, or
    none known). A laptop without a keyring asks for it in the sync dialog and keeps it in memory."""

    def __init__(self) -> None:
        self._typed: dict[str, str] = {}

    def get(self, url: str) -> str | None:
        password = os.environ.get(OFFICE_PASSWORD_ENV)
        if password:
            return password
        if url.startswith("sqlite"):
            return None
        typed = self._typed.get(keyring_name(url))
        if typed is not None:
            return typed
        from desktop_app.connection import password_in_keyring

        return password_in_keyring(keyring_name(url))

    def keep(self, url: str, password: str, remember: bool) -> bool:
        """Use `password` for `url` from now on; also in the OS keyring when `remember` (False when
        there is none: then it is kept until the program closes)."""
        name = keyring_name(url)
        self._typed[name] = password
        if not remember:
            return False
        from desktop_app.connection import remember_password_as

        return remember_password_as(name, password)


class OfficeSide:
    """One open office database (the sync's `Office`)."""

    def __init__(self, services: Services, link: OfficeLink, clock: ReplayClock) -> None:
        self.services = services
        self.tickets = services.tickets
        assert services.journal is not None
        self.journal = services.journal
        self._link = link
        self._clock = clock

    def at(self, moment: datetime) -> None:
        self._clock.set(moment)

    def now(self) -> datetime:
        return self._link.now()

    def actor(self, user_id: int) -> Actor | None:
        with self.services.uow_factory() as uow:
            user = uow.catalog.get_user(UserId(user_id))
        return actor_of(user) if user is not None and user.active else None

    def applied(self, command_id: str) -> tuple[str, Mapping[str, Any]] | None:
        return self._link.applied(command_id)

    def applied_among(self, command_ids: Sequence[str]) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        return self._link.applied_among(command_ids)

    def drop(
        self, command: FieldCommand, *, device_id: str, user_id: int, at: datetime, settled: dict[str, object]
    ) -> None:
        self._link.drop(command, device_id=device_id, user_id=user_id, at=at, settled=settled)

    def upload(self, sha256: str, path: Path) -> int:
        return self._link.upload(sha256, path)

    def pull(self, state: FieldCopyState, *, touched: set[int], provisional: set[int]) -> tuple[Mapping[str, int], int]:
        return self._link.pull(state, touched=touched, provisional=provisional, now=self.now())

    def close(self) -> None:
        self.services.close()


def open_services(build: BuildServices, url: str, data_dir: Path, clock: ReplayClock | None = None) -> Services:
    """The office's services, from this computer; its schema must be this program's.

    Raises:
        DatabaseUnavailableError: unreachable, refused, or another version of the schema.
    """
    services = build(Settings(db_url=url, data_dir=data_dir), clock=clock, migrate=False)
    try:
        probe_office(services.engine)
    except BaseException:
        services.close()
        raise
    return services


def office_opener(
    settings: Settings, field_sessions: Any, build: BuildServices, passwords: OfficePasswords
) -> Callable[[FieldCopyState], AbstractContextManager[OfficeSide]]:
    @contextmanager
    def open_office(state: FieldCopyState) -> Iterator[OfficeSide]:
        url = with_connect_timeout(with_password(state.office_url, passwords.get(state.office_url)), CONNECT_SECONDS)
        clock = ReplayClock()
        services = open_services(build, url, settings.data_dir, clock)
        assert services.session_factory is not None
        blobs = DatabaseBlobStore(services.session_factory)
        attachments = services.attachments
        assert attachments is not None

        def ensure_local(sha256: str) -> object:
            return attachments.path_for(sha256)  # fetched from the office's database when missing here

        link = OfficeLink(services.session_factory, field_sessions, ensure_local, blobs.upload)
        try:
            yield OfficeSide(services, link, clock)
        finally:
            services.close()

    return open_office


def default_field_file(data_dir: Path) -> Path:
    return data_dir / "campo.sqlite3"


def prepare_field_copy(
    office: Services, actor: Actor, target: Path, *, city: str | None = None, now: datetime | None = None
) -> CopyReport:
    """ "Preparar para salir a campo": a field copy of what `actor` needs, from the office's
    database `office`, written at `target` (which must not exist yet).

    Raises:
        PermissionDeniedError: the person may not work on tickets.
        UserFacingError: no city to take, or the file exists.
    """
    if not allows(actor, Permission.WORK_TICKET) or actor.user_id is None:
        raise PermissionDeniedError(_("Only a person who works on tickets can take a field copy."))
    place = (city or actor.city).strip()
    if not place:
        raise UserFacingError(_("Say which city's customers to take (your user has no city)."))
    if office.field is not None:
        raise UserFacingError(_("This database is already a field copy: prepare it from the office's database."))
    assert office.session_factory is not None
    moment = now or office.tickets.now()
    scope = FieldScope(int(actor.user_id), place, moment)
    target.parent.mkdir(parents=True, exist_ok=True)
    attachments = office.attachments
    return prepare_copy(
        office.session_factory,
        target,
        scope,
        device_id=str(uuid.uuid4()),
        office_url=without_password(office.settings.db_url),
        ensure_local=attachments.path_for,
    )
