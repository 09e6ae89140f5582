"""The mail templates: the shipped Spanish defaults, and the ones an administrator edited in Settings.

An edited template is a row of its own; "Restablecer" deletes it, and the shipped text is used again.
The editor refuses a placeholder the template's mail cannot fill (domain/mail_templates.py), so a
mail never goes out with "{nonsense}" in it.
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.mail_templates import PLACEHOLDERS, MailTemplate, TemplateCode, unknown_placeholders
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.mail_dto import TemplateInfo
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text

MAX_SUBJECT = 200  # characters; the stored column holds 300, the ticket tag goes in front
MAX_BODY = 20_000


def template_code(code: str | TemplateCode) -> TemplateCode:
    """The code, checked. Raises NotFoundError for a template that does not exist."""
    if str(code) not in TemplateCode._value2member_map_:
        raise NotFoundError(_("There is no mail template {code}.").format(code=code))
    return TemplateCode(str(code))


class MailTemplates:
    """Args:
    defaults: the shipped templates by code (desktop_app/mail/default_templates.py, handed in by
        the wiring); a code missing there falls back to a bare "{message}" mail.
    """

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, defaults: Mapping[TemplateCode, MailTemplate]
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._defaults = dict(defaults)

    def default(self, code: TemplateCode) -> MailTemplate:
        return self._defaults.get(code) or MailTemplate(code, "{summary}", "{message}\n")

    def template_in(self, uow: UnitOfWork, code: TemplateCode) -> MailTemplate:
        """The template in force: the edited one, else the shipped one."""
        stored = uow.mail.template(code.value)
        if stored is None:
            return self.default(code)
        return MailTemplate(code, stored.subject, stored.body)

    def templates(self) -> list[TemplateInfo]:
        """Every template, in TemplateCode's order, as the editor lists them."""
        with self._uow_factory() as uow:
            edited = uow.mail.templates()
        infos = []
        for code in TemplateCode:
            stored = edited.get(code.value)
            text = self.default(code) if stored is None else MailTemplate(code, stored.subject, stored.body)
            infos.append(
                TemplateInfo(
                    code.value,
                    text.subject,
                    text.body,
                    stored is not None,
                    PLACEHOLDERS[code],
                    stored.version if stored else None,
                    stored.updated_at if stored else None,
                )
            )
        return infos

    def checked(self, code: TemplateCode, subject: str, body: str) -> tuple[str, str]:
        """The subject and body cleaned (services/text_input.py) and checked, or a UserFacingError
        that says what to fix: empty, too long, or a placeholder this mail cannot fill."""
        subject = clean_line(subject).strip()
        body = clean_text(body).replace("\r\n", "\n").strip("\n")
        if not subject or not body.strip():
            raise UserFacingError(_("A mail template needs a subject and a text."))
        if len(subject) > MAX_SUBJECT:
            raise UserFacingError(_("The subject is too long: at most {n} characters.").format(n=MAX_SUBJECT))
        if len(body) > MAX_BODY:
            raise UserFacingError(_("The text is too long: at most {n} characters.").format(n=MAX_BODY))
        unknown = unknown_placeholders(subject, body, code)
        if unknown:
            raise UserFacingError(
                _("This mail cannot fill {names}. The placeholders it can use are: {allowed}.").format(
                    names=", ".join(f"{{{name}}}" for name in unknown),
                    allowed=", ".join(f"{{{name}}}" for name in PLACEHOLDERS[code]),
                )
            )
        return subject, body + "\n"

    def save_template(self, code: str | TemplateCode, subject: str, body: str, *, actor: Actor) -> TemplateInfo:
        """Keep an administrator's version of a template (audited, before and after)."""
        _authorize(actor)
        checked_code = template_code(code)
        subject, body = self.checked(checked_code, subject, body)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before = self.template_in(uow, checked_code)
            uow.mail.save_template(checked_code.value, subject, body, at=now, by=actor.user_id)
            changes = {}
            if before.subject != subject:
                changes["subject"] = (before.subject, subject)
            if before.body != body:
                changes["body"] = (before.body, body)
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "mail_template", checked_code.value, "update", changes))
            uow.commit()
        return next(info for info in self.templates() if info.code == checked_code.value)

    def reset_template(self, code: str | TemplateCode, *, actor: Actor) -> TemplateInfo:
        """Back to the shipped text (audited); nothing happens to a template never edited."""
        _authorize(actor)
        checked_code = template_code(code)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before = self.template_in(uow, checked_code)
            if uow.mail.delete_template(checked_code.value):
                shipped = self.default(checked_code)
                changes = {"subject": (before.subject, shipped.subject), "body": (before.body, shipped.body)}
                uow.audit.record(AuditEntry(now, actor.user_id, "mail_template", checked_code.value, "reset", changes))
                uow.commit()
        return next(info for info in self.templates() if info.code == checked_code.value)


def _authorize(actor: Actor) -> None:
    if not allows(actor, Permission.CONFIGURE_MAIL):
        raise PermissionDeniedError(_("Only an administrator can change the mail settings and templates."))
