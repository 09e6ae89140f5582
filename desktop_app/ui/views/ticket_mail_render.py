"""A ticket's mail on its timeline: who wrote to whom, the subject, the text, the files it carried,
the state of a mail we send ("en cola · enviado · falló: motivo · rebotado") and "Ver original",
which saves the mail as it was sent or received (.eml).

The text shown is the mail's plain text (the reader turned an HTML-only mail into text), escaped:
nothing of a mail's HTML reaches the timeline, and the timeline never loads a remote resource.
"""

from __future__ import annotations

import html
from datetime import tzinfo
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTextBrowser, QWidget

from desktop_app.domain.sla import SlaState
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_datetime, format_size
from desktop_app.i18n import _
from desktop_app.services.mail_dto import TicketMail
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.ticket_mail import outbox_badge_text

# The badge of each outbound state borrows the SLA pill's colours: grey waits, green done, red failed.
_STATE_COLOURS = {
    "queued": SlaState.PAUSED,
    "sent": SlaState.ON_TIME,
    "failed": SlaState.BREACHED,
    "bounced": SlaState.AT_RISK,
}
# The timeline shows the start of each mail, enough to follow the conversation; "Ver original" has
# it whole. The quoted earlier mail under a reply (lines starting with ">") is left out.
MAX_TEXT_LINES = 8
MAX_TEXT_CHARS = 2_000


class MailSource(Protocol):
    """What the timeline asks of the mail service (Desk.mail)."""

    def ticket_mails(self, ticket_id: Any) -> tuple[TicketMail, ...]: ...

    def raw_mail(self, direction: str, mail_id: int) -> bytes: ...


class TimelineBrowser(QTextBrowser):
    """The timeline's text view: only the icons the view put in its document; never a file, never
    the network (a mail's text is escaped anyway; this holds if that ever changes)."""

    def loadResource(self, kind: int, name: QUrl) -> Any:
        if name.scheme() == "icon":
            return super().loadResource(kind, name)
        return None


def mail_key(mail: TicketMail) -> tuple[str, int]:
    return (mail.direction, mail.id)


def mail_anchor(mail: TicketMail) -> str:
    """The name of the mail's place on the timeline (QTextBrowser.scrollToAnchor)."""
    return f"mail-{mail.direction}-{mail.id}"


def shown_text(text: str) -> str:
    """The part of a mail's text the timeline shows: without the quoted earlier mail, blank lines
    run together, at most MAX_TEXT_LINES lines; what is left out is said."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.lstrip().startswith(">"):
            continue
        if not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line.rstrip())
    while lines and not lines[-1].strip():
        lines.pop()
    shown = "\n".join(lines[:MAX_TEXT_LINES])
    if len(lines) > MAX_TEXT_LINES or len(shown) > MAX_TEXT_CHARS:
        shown = shown[:MAX_TEXT_CHARS].rstrip() + "\n" + _("[…] The rest is in the original.")
    return shown


def state_badge(state: str, reason: str) -> str:
    """The outbound state as a small coloured pill whose text says the state too."""
    background, foreground = theme.sla_colors(_STATE_COLOURS.get(state, SlaState.PAUSED))
    label = html.escape(outbox_badge_text(state, reason))
    return (
        f"<span style='background-color:{background.name()}; color:{foreground.name()};"
        f" font-size:small'>&nbsp;{label}&nbsp;</span>"
    )


def mail_block(mail: TicketMail, tz: tzinfo) -> str:
    """The mail as timeline HTML: a header (from, to, subject; the state badge for ours), the text,
    the files it brought (a received mail's own, TicketMail.attachments), and the "Ver original" link."""
    muted = theme.colors().muted
    direction = str(mail.direction)
    sender = str(mail.from_address)
    lines = []
    if direction == "out":
        lines.append(state_badge(mail.state, mail.state_reason))
    people = []
    if sender:  # our own address is empty until the mail settings name the sender
        people.append(f"<span style='color:{muted}'>{html.escape(_('From'))}:</span> {html.escape(sender)}")
    people.append(f"<span style='color:{muted}'>{html.escape(_('To'))}:</span> {html.escape(', '.join(mail.to))}")
    lines.append(" &nbsp; ".join(people))
    lines.append(f"<span style='color:{muted}'>{html.escape(_('Subject'))}:</span> <b>{html.escape(mail.subject)}</b>")
    text = shown_text(mail.text)
    if text:
        lines.append(html.escape(text).replace("\n", "<br>"))
    if mail.attachments:
        files = ", ".join(html.escape(f"{a.filename} ({format_size(a.size)})") for a in mail.attachments)
        lines.append(f"<span style='color:{muted}'>{html.escape(_('Files'))}:</span> {files}")
    sent_at = mail.sent_at
    if direction == "out" and sent_at is not None:
        delivered = _("Delivered {when}").format(when=format_datetime(sent_at, tz))
        lines.append(f"<span style='color:{muted}'>{html.escape(delivered)}</span>")
    link = html.escape(_("View original"))
    lines.append(f"<a href='original:{direction}/{int(mail.id)}'>{link}</a>")
    return "<br>".join(lines)


def save_original(
    parent: QWidget, mail: MailSource, tasks: TaskRunner | None, number: str, direction: str, mail_id: int
) -> None:
    """Ask where to save the mail's .eml, ask again before replacing an existing file, then write it
    (off the GUI thread when a task runner is given)."""
    suggested = f"{number}-{'enviado' if direction == 'out' else 'recibido'}-{mail_id}.eml"
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        _("Save the original mail"),
        suggested,
        _("Mail (*.eml)"),
        options=QFileDialog.Option.DontConfirmOverwrite,  # asked below, the same way on every system
    )
    if not path:
        return
    target = Path(path if path.lower().endswith(".eml") else f"{path}.eml")
    replace = False
    if target.exists():
        answer = QMessageBox.question(
            parent,
            _("Save the original mail"),
            _("{path} already exists. Replace it?").format(path=target),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        replace = True

    def work() -> Path:
        return write_file(target, mail.raw_mail(direction, mail_id), replace=replace)

    def failed(error: UserFacingError) -> None:
        QMessageBox.warning(parent, _("Not saved"), error.message)

    def saved(written: Path) -> None:
        window = parent.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(_("Original mail saved: {path}").format(path=written), 10_000)

    if tasks is None:
        try:
            saved(work())
        except UserFacingError as exc:
            failed(exc)
        return
    tasks.run(work, saved, failed)


__all__ = ["MailSource", "TimelineBrowser", "mail_anchor", "mail_block", "mail_key", "save_original", "state_badge"]
