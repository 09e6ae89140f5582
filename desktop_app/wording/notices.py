"""How a notice reads in its person's inbox ("Avisos"), worded when it is read so it follows the
reader's language, from its kind and the facts it carries."""

from __future__ import annotations

from datetime import datetime, tzinfo

from desktop_app.domain.model import NoticeKind
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _


def notice_text(kind: NoticeKind, number: str, data: dict[str, str], tz: tzinfo) -> str:
    """One sentence naming the ticket and what happened to it."""
    if "text" in data and len(data) == 1:
        return data["text"]  # written before notices were worded when read
    if kind is NoticeKind.ESCALATION:
        if data.get("reason") == "priority_change" and data.get("level") == data.get("from"):
            return _("{number}: its priority was raised; it stays at level {level} ({title}).").format(
                number=number, level=data.get("level", "?"), title=data.get("title", "")
            )
        return _("{number} escalated to level {level} ({title}).").format(
            number=number, level=data.get("level", "?"), title=data.get("title", "")
        )
    if kind is NoticeKind.ASSIGNED:
        return _("{number} was assigned to you by {name}.").format(number=number, name=data.get("by", _("the desk")))
    if kind is NoticeKind.BREACH_COMING:
        due = _moment(data.get("due", ""), tz)
        return _("{number}: the response is due at {due}.").format(number=number, due=due)
    if kind is NoticeKind.LONG_VISIT:
        return _("{number}: a maintenance visit lasted more than {hours} hours.").format(
            number=number, hours=data.get("hours", "4")
        )
    if kind is NoticeKind.CUSTOMER_REPLY:
        return _("{number}: the customer replied.").format(number=number)
    if kind is NoticeKind.ATTEMPT_DUE:
        return _("{number}: contact attempt {attempt} of 3 is due today.").format(
            number=number, attempt=data.get("attempt", "?")
        )
    if kind is NoticeKind.MAY_CLOSE:
        return _(
            "{number}: three contact attempts and the stated wait are over; it may close without response."
        ).format(number=number)
    return number


def _moment(iso: str, tz: tzinfo) -> str:
    try:
        return format_datetime(datetime.fromisoformat(iso), tz)
    except ValueError:
        return iso
