"""The mails the desk sends, as templates: which exist, which facts each may use, and filling them in.

A template is a subject and a plain-text body with ``{name}`` placeholders. Rendering never fails:
a placeholder with no fact is left as written, so a template an administrator edited badly still
sends (and the editor refuses unknown placeholders beforehand, ``unknown_placeholders``). The
shipped Spanish (Colombia) defaults are files in resources/mail/templates/es_CO/<code>.txt, read by
desktop_app/mail/default_templates.py with ``parse_template_text``.

The subject carries no ticket tag: the service adds "[SOP-…]" with domain.mail.subject_with_tag.
Customer mail is always in Spanish (the customers are in Colombia), whatever the window's language,
so the few fixed phrases the service puts into a mail (``missing_paragraph``) are Spanish data here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class TemplateCode(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"  # a new ticket: number, summary, due, what is missing (R2, R7)
    REPLY = "reply"  # the agent's message from the ticket page (R7, R10)
    INFO_REQUEST = "info_request"  # what we need; the clock waits (R9)
    CONTACT_ATTEMPT = "contact_attempt"  # attempt N of 3 and the wait before closing (R12)
    CLOSING_SOLVED = "closing_solved"  # the solution; replying reopens (R13, R14)
    CLOSING_NO_RESPONSE = "closing_no_response"  # closed after three attempts (R12)
    CLOSING_OUT_OF_SCOPE = "closing_out_of_scope"  # closed as out of scope, with the reason (R4)
    CERTIFICATE = "certificate"  # the plan's certificate, PDF attached (R15)
    ESCALATION = "escalation"  # to staff of the next level (R11)
    MACHINE_NEEDED = "machine_needed"  # which machine? the serial or a photo of the label (R2)


# Facts every template may use.
COMMON_PLACEHOLDERS: tuple[str, ...] = ("number", "summary", "customer", "contact", "agent", "company", "phone")

PLACEHOLDERS: Mapping[TemplateCode, tuple[str, ...]] = {
    TemplateCode.ACKNOWLEDGEMENT: (*COMMON_PLACEHOLDERS, "due", "missing"),
    TemplateCode.REPLY: (*COMMON_PLACEHOLDERS, "message"),
    TemplateCode.INFO_REQUEST: (*COMMON_PLACEHOLDERS, "message"),
    TemplateCode.CONTACT_ATTEMPT: (*COMMON_PLACEHOLDERS, "message", "attempt", "attempts", "wait_days"),
    TemplateCode.CLOSING_SOLVED: (*COMMON_PLACEHOLDERS, "solution", "reopen_days"),
    TemplateCode.CLOSING_NO_RESPONSE: (*COMMON_PLACEHOLDERS, "reopen_days"),
    TemplateCode.CLOSING_OUT_OF_SCOPE: (*COMMON_PLACEHOLDERS, "reason", "reopen_days"),
    TemplateCode.CERTIFICATE: ("customer", "contact", "agent", "company", "phone", "certificate", "plan", "validity"),
    TemplateCode.ESCALATION: (*COMMON_PLACEHOLDERS, "level", "reason", "due"),
    TemplateCode.MACHINE_NEEDED: ("summary", "customer", "contact", "agent", "company", "phone"),
}

# What a placeholder looks like: a name in braces. Anything else in braces is plain text.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SUBJECT_PREFIX = "Asunto:"


@dataclass(frozen=True)
class MailTemplate:
    code: TemplateCode
    subject: str
    body: str


def render(template: MailTemplate, facts: Mapping[str, str]) -> tuple[str, str]:
    """(subject, body) with each ``{name}`` replaced by ``facts[name]``.

    Never raises: a placeholder without a fact stays as written. Values are inserted as they are,
    never read again for placeholders (a customer's "{number}" in a summary stays text). The
    subject is one line (a line break in a fact would otherwise start a new mail header); in the
    body, an empty fact leaves at most one blank line where its paragraph was.
    """

    def fill(match: re.Match[str]) -> str:
        value = facts.get(match.group(1))
        return match.group(0) if value is None else str(value)

    subject = " ".join(_PLACEHOLDER.sub(fill, template.subject).split())
    body = _PLACEHOLDER.sub(fill, template.body.replace("\r\n", "\n"))
    body = re.sub(r"[ \t]+\n", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    return subject, body


def placeholders_used(text: str) -> tuple[str, ...]:
    """The placeholder names in a text, first use first, each once."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))


def unknown_placeholders(subject: str, body: str, code: TemplateCode) -> tuple[str, ...]:
    """The placeholders of an edited template that its mail cannot fill (the editor refuses them)."""
    allowed = set(PLACEHOLDERS[code])
    return tuple(name for name in placeholders_used(subject + "\n" + body) if name not in allowed)


def parse_template_text(code: TemplateCode, text: str) -> MailTemplate:
    """A template from its file's text: a first line "Asunto: …", a blank line, then the body.

    Raises:
        ValueError: the first line is not the subject line (a broken resource file).
    """
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    first = lines[0].strip()
    if not first.startswith(_SUBJECT_PREFIX):
        raise ValueError(f"template {code}: the first line must start with {_SUBJECT_PREFIX!r}")
    subject = first[len(_SUBJECT_PREFIX) :].strip()
    body = "\n".join(lines[1:]).strip("\n") + "\n"
    return MailTemplate(code, subject, body)


def template_text(template: MailTemplate) -> str:
    """The file form of a template (the inverse of parse_template_text)."""
    return f"{_SUBJECT_PREFIX} {template.subject}\n\n{template.body.strip(chr(10))}\n"


# ---------------------------------------------------------------------------------------------
# The fixed phrases the service puts into a mail


class MissingItem(StrEnum):
    """What a request still lacks (R2)."""

    DESCRIPTION = "description"
    IMAGES = "images"
    MACHINE = "machine"


_MISSING_ES: Mapping[MissingItem, str] = {
    MissingItem.MACHINE: (
        "El serial de la máquina: está en la etiqueta con código QR pegada a la impresora. "
        "Una foto de esa etiqueta también nos sirve."
    ),
    MissingItem.DESCRIPTION: (
        "Una descripción detallada del problema: qué estaba haciendo, qué esperaba que pasara y qué pasó."
    ),
    MissingItem.IMAGES: (
        "Fotos o un video corto del problema (por ejemplo, de la pieza impresa o del mensaje de error)."
    ),
}


def missing_paragraph(items: Iterable[MissingItem | str]) -> str:
    """The {missing} fact of the acknowledgement: a short paragraph listing what we still need, or ""
    when nothing is missing (the template's empty line then disappears). Unknown codes are skipped."""
    known = [MissingItem(item) for item in dict.fromkeys(items) if item in MissingItem._value2member_map_]
    if not known:
        return ""
    lines = "\n".join(f"  - {_MISSING_ES[item]}" for item in known)
    return f"Para avanzar con su caso necesitamos que nos envíe, respondiendo a este correo:\n{lines}\n"
