"""The mail templates the program ships: resources/mail/templates/es_CO/<code>.txt.

Each file's first line is "Asunto: …", then a blank line, then the body (domain.mail_templates).
An administrator's edit is a row in mail_templates; without one, these are what is sent.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.domain.mail_templates import MailTemplate, TemplateCode, parse_template_text
from desktop_app.paths import resource_path

LANGUAGE = "es_CO"  # customer mail is Spanish (Colombia) whatever the window's language


def templates_dir() -> Path:
    return resource_path("mail", "templates", LANGUAGE)


def load_default_templates(folder: Path | None = None) -> dict[TemplateCode, MailTemplate]:
    """Every template code's shipped default.

    Raises:
        OSError / ValueError: a file missing or broken: the installation is damaged (tests guard
            the shipped files, so this is never the user's doing).
    """
    folder = folder or templates_dir()
    return {
        code: parse_template_text(code, (folder / f"{code.value}.txt").read_text(encoding="utf-8"))
        for code in TemplateCode
    }
