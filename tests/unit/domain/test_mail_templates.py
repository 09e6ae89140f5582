"""domain/mail_templates.py and the shipped Spanish templates (resources/mail/templates/es_CO)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.mail_templates import (
    PLACEHOLDERS,
    MailTemplate,
    MissingItem,
    TemplateCode,
    missing_paragraph,
    parse_template_text,
    placeholders_used,
    render,
    template_text,
    unknown_placeholders,
)
from desktop_app.paths import resource_path

TEMPLATE_DIR = resource_path("mail", "templates", "es_CO")


def _shipped(code: TemplateCode) -> MailTemplate:
    return parse_template_text(code, (TEMPLATE_DIR / f"{code}.txt").read_text(encoding="utf-8"))


def test_render_fills_placeholders_in_subject_and_body() -> None:
    template = MailTemplate(TemplateCode.REPLY, "Caso {number}", "Hola, {contact}:\n\n{message}\n")
    subject, body = render(template, {"number": "SOP-2026-00001", "contact": "Ana", "message": "Listo."})
    assert subject == "Caso SOP-2026-00001"
    assert body == "Hola, Ana:\n\nListo.\n"


def test_render_leaves_an_unknown_or_unfilled_placeholder_literally() -> None:
    template = MailTemplate(TemplateCode.REPLY, "{nope} {number}", "{Number} {message} {x y} {} {{number}}")
    subject, body = render(template, {"number": "N1"})
    assert subject == "{nope} N1"
    assert body == "{Number} {message} {x y} {} {N1}\n"


def test_render_never_expands_placeholders_inside_values() -> None:
    template = MailTemplate(TemplateCode.REPLY, "{summary}", "{message}")
    subject, body = render(template, {"summary": "{number}", "message": "{agent}", "number": "N", "agent": "A"})
    assert (subject, body) == ("{number}", "{agent}\n")


def test_render_keeps_the_subject_on_one_line() -> None:
    template = MailTemplate(TemplateCode.REPLY, "Re: {summary}", "x")
    subject, _ = render(template, {"summary": "uno\r\nBcc: todos@x.co"})
    assert subject == "Re: uno Bcc: todos@x.co"


def test_render_an_empty_paragraph_leaves_one_blank_line() -> None:
    template = MailTemplate(TemplateCode.ACKNOWLEDGEMENT, "s", "Hola.\n\n{missing}\n\nChao.\n")
    assert render(template, {"missing": ""})[1] == "Hola.\n\nChao.\n"


@pytest.mark.parametrize("code", list(TemplateCode))
def test_unknown_placeholders_reports_only_names_the_mail_cannot_fill(code: TemplateCode) -> None:
    known = " ".join(f"{{{name}}}" for name in PLACEHOLDERS[code])
    assert unknown_placeholders("{summary_x}", known + " {numero} {summary_x} {Number}", code) == (
        "summary_x",
        "numero",
        "Number",
    )
    assert unknown_placeholders("", known, code) == ()


def test_placeholders_used_in_order_once() -> None:
    assert placeholders_used("{a} {b} {a} { c } {1x}") == ("a", "b")


@given(st.text(max_size=200), st.dictionaries(st.sampled_from(["number", "message", "x"]), st.text(max_size=20)))
def test_render_never_raises(text: str, facts: dict[str, str]) -> None:
    subject, body = render(MailTemplate(TemplateCode.REPLY, text, text), facts)
    assert "\n" not in subject and "\r" not in subject
    assert body.endswith("\n")


def test_template_file_form_round_trips() -> None:
    template = MailTemplate(TemplateCode.REPLY, "Asunto {number}", "Hola.\n\nChao.\n")
    assert parse_template_text(TemplateCode.REPLY, template_text(template)) == template


def test_a_template_file_without_the_subject_line_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_template_text(TemplateCode.REPLY, "Hola\n\ncuerpo")


def test_template_file_with_bom_and_windows_line_ends_reads() -> None:
    template = parse_template_text(TemplateCode.REPLY, "\ufeffAsunto: Hola\r\n\r\nCuerpo\r\n")
    assert template == MailTemplate(TemplateCode.REPLY, "Hola", "Cuerpo\n")


def test_R2_missing_paragraph_lists_what_is_missing_in_spanish() -> None:
    text = missing_paragraph([MissingItem.MACHINE, "images", "images", "unknown"])
    assert text.startswith("Para avanzar con su caso necesitamos")
    assert "serial" in text and "Fotos" in text and "descripción" not in text
    assert text.count("  - ") == 2
    assert missing_paragraph([]) == ""


# --- the shipped Spanish defaults ------------------------------------------------------------------


@pytest.mark.parametrize("code", list(TemplateCode))
def test_every_template_ships_in_spanish_and_uses_only_its_placeholders(code: TemplateCode) -> None:
    template = _shipped(code)
    assert template.subject and template.body.strip()
    assert unknown_placeholders(template.subject, template.body, code) == ()


@pytest.mark.parametrize(
    ("code", "needed"),
    [
        (TemplateCode.ACKNOWLEDGEMENT, ("number", "summary", "due", "missing")),
        (TemplateCode.REPLY, ("message",)),
        (TemplateCode.INFO_REQUEST, ("message",)),
        (TemplateCode.CONTACT_ATTEMPT, ("attempt", "wait_days")),
        (TemplateCode.CLOSING_SOLVED, ("solution", "reopen_days")),
        (TemplateCode.CLOSING_NO_RESPONSE, ("reopen_days",)),
        (TemplateCode.CLOSING_OUT_OF_SCOPE, ("reason",)),
        (TemplateCode.CERTIFICATE, ("certificate", "plan")),
        (TemplateCode.ESCALATION, ("level", "number", "reason")),
        (TemplateCode.MACHINE_NEEDED, ()),
    ],
)
def test_each_template_states_its_facts(code: TemplateCode, needed: tuple[str, ...]) -> None:
    template = _shipped(code)
    used = placeholders_used(template.subject + template.body)
    assert set(needed) <= set(used)


def test_R9_info_request_says_the_clock_waits() -> None:
    assert "tiempo de respuesta se detiene" in _shipped(TemplateCode.INFO_REQUEST).body


def test_R12_contact_attempt_states_the_attempt_and_the_wait() -> None:
    _, body = render(_shipped(TemplateCode.CONTACT_ATTEMPT), {"attempt": "2", "attempts": "3", "wait_days": "2"})
    assert "intento de contacto 2 de 3" in body
    assert "dentro de 2 días hábiles" in body


def test_R13_R14_closing_mail_says_replying_reopens_within_the_window() -> None:
    _, body = render(_shipped(TemplateCode.CLOSING_SOLVED), {"solution": "Cambiamos la boquilla.", "reopen_days": "30"})
    assert "Cambiamos la boquilla." in body
    assert "si el problema sigue, responda a este correo y el caso se reabre" in body.lower()
    assert "30 días" in body


def test_R2_acknowledgement_with_everything_filled_reads_whole() -> None:
    facts = {
        "number": "SOP-2026-00123",
        "summary": "No calienta la cama",
        "contact": "Ana Gómez",
        "agent": "Carlos Pérez",
        "due": "jueves 3 de diciembre de 2026, 10:00 a. m.",
        "missing": missing_paragraph([MissingItem.IMAGES]),
        "company": "3D makeR Technologies SAS",
        "phone": "+57 605 000 0000",
    }
    subject, body = render(_shipped(TemplateCode.ACKNOWLEDGEMENT), facts)
    assert subject == "Recibimos su solicitud: No calienta la cama"
    assert "{" not in body and "}" not in body
    assert "SOP-2026-00123" in body and "hora de Colombia" in body and "Fotos" in body
    assert "\n\n\n" not in body
