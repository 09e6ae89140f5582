"""R18: the audit log, per record for everyone who may see the record, searchable by an administrator."""

from __future__ import annotations

from desktop_app.domain.ids import UserId
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError
from desktop_app.i18n import _
from desktop_app.services.dto import AuditView
from desktop_app.services.ports import UnitOfWorkFactory


class AuditService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def history_of(self, actor: Actor, entity: str, entity_id: int | str) -> list[AuditView]:
        if not allows(actor, Permission.VIEW):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        with self._uow_factory() as uow:
            return uow.audit.search(entity=entity, entity_id=str(entity_id))

    def search(
        self, actor: Actor, *, entity: str = "", actor_id: UserId | None = None, text: str = "", limit: int = 500
    ) -> list[AuditView]:
        if not allows(actor, Permission.VIEW_AUDIT):
            raise PermissionDeniedError(_("Only an administrator can search the audit log."))
        with self._uow_factory() as uow:
            return uow.audit.search(entity=entity, actor_id=actor_id, text=text, limit=limit)
