"""MimeComposer: the composed bytes read back with the standard library's parser."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from desktop_app.domain.mail import new_message_id, verified_ticket_number
from desktop_app.mail.composing import MimeComposer, text_to_html
from desktop_app.services.mail_ports import MailAddress, MailDeliveryError, MailFile, OutgoingMail

SECRET = b"k" * 32
SENDER = MailAddress("soporte@somosmaker.com", "Soporte Técnico makeR")
ANA = MailAddress("ana.gomez@uninorte.edu.co", "Ana Gómez Ñáñez")
MESSAGE_ID = new_message_id(SECRET, "SOP-2026-00123", "a1b2c3d4", "somosmaker.com")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _mail(**changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "message_id": MESSAGE_ID,
        "sender": SENDER,
        "to": (ANA,),
        "subject": "[SOP-2026-00123] Caso resuelto: la cama no calienta — ¿quedó bien?",
        "text": "Hola, Ana:\n\nCambiamos la boquilla <0,4 mm> & el termistor.\nQuedó calibrada.\n\nSaludos,\nCarlos",
        "date": datetime(2026, 12, 2, 15, 30, tzinfo=UTC),
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


def _parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _compose(**changes: object) -> tuple[bytes, EmailMessage]:
    raw = MimeComposer("3D makeR Technologies SAS").compose(_mail(**changes))
    return raw, _parse(raw)


def test_headers_read_back_with_accents_and_brackets() -> None:
    raw, message = _compose()
    assert raw.isascii(), "headers and bodies are encoded for any SMTP server"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert str(message["Subject"]) == "[SOP-2026-00123] Caso resuelto: la cama no calienta — ¿quedó bien?"
    assert message["From"].addresses[0].display_name == "Soporte Técnico makeR"
    assert message["From"].addresses[0].addr_spec == "soporte@somosmaker.com"
    assert message["To"].addresses[0].display_name == "Ana Gómez Ñáñez"
    assert message["Message-ID"] == f"<{MESSAGE_ID}>"
    assert verified_ticket_number(SECRET, message["Message-ID"]) == "SOP-2026-00123"
    assert parsedate_to_datetime(message["Date"]) == datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    assert message["Content-Language"] == "es-CO"
    # A mail a person wrote asks for no suppression of replies.
    assert message["Auto-Submitted"] is None and message["X-Auto-Response-Suppress"] is None
    assert message["In-Reply-To"] is None and message["References"] is None


def test_threading_headers_carry_bracketed_ids_and_skip_unwritable_ones() -> None:
    _, message = _compose(
        in_reply_to="CAF=x1@mail.gmail.com",
        references=("first@cliente.co", "[b378 dfc5]@microsoft.com", "CAF=x1@mail.gmail.com", "first@cliente.co"),
    )
    assert message["In-Reply-To"] == "<CAF=x1@mail.gmail.com>"
    assert message["References"].split() == ["<first@cliente.co>", "<CAF=x1@mail.gmail.com>"]


def test_automatic_mail_says_so_and_suppresses_auto_replies() -> None:
    _, message = _compose(auto_submitted="auto-replied")
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"


def test_text_with_an_html_alternative_made_from_it() -> None:
    _, message = _compose()
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_payload()  # type: ignore[misc]
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    # On the wire every line ends in CRLF; the parser keeps them in a quoted-printable body.
    assert plain.get_content().replace("\r\n", "\n") == _mail().text + "\n"
    page = html.get_content()
    assert "3D makeR Technologies SAS" in page
    assert "Cambiamos la boquilla &lt;0,4 mm&gt; &amp; el termistor.<br>" in page
    assert page.count("<p ") == 3
    for remote in ("src=", "http://", "https://", "<script", "<link", "url("):
        assert remote not in page


def test_given_html_is_sent_as_the_alternative() -> None:
    _, message = _compose(html="<p>Hola <b>Ana</b></p>")
    assert message.get_body(("html",)).get_content().strip() == "<p>Hola <b>Ana</b></p>"  # type: ignore[union-attr]


def test_attachments_arrive_whole_with_accented_names() -> None:
    files = (
        MailFile("certificado plan año 2026.pdf", "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        MailFile("foto.png", "image/png", PNG),
        MailFile("vacío.bin", "no a type", b""),
        MailFile("original.eml", "message/rfc822", b"Subject: x\r\n\r\nhola\r\n"),
    )
    _, message = _compose(attachments=files)
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().startswith("Hola, Ana:")  # type: ignore[union-attr]
    got = [(part.get_filename(), part.get_content_type(), part.get_content()) for part in message.iter_attachments()]
    assert got == [
        ("certificado plan año 2026.pdf", "application/pdf", files[0].content),
        ("foto.png", "image/png", PNG),
        ("vacío.bin", "application/octet-stream", b""),
        ("original.eml", "application/octet-stream", files[3].content),
    ]


def test_several_recipients_and_an_accented_domain() -> None:
    _, message = _compose(to=(ANA, MailAddress("luis@compañía.co", "Luis")))
    addresses = [a.addr_spec for a in message["To"].addresses]
    assert addresses[0] == "ana.gomez@uninorte.edu.co"
    assert addresses[1].startswith("luis@xn--")
    assert addresses[1].split("@")[1].encode("ascii").decode("idna") == "compañía.co"


def test_a_subject_or_name_with_line_breaks_cannot_add_headers() -> None:
    raw, message = _compose(subject="Hola\r\nBcc: todos@x.co", to=(MailAddress("a@b.co", "Ana\nBcc: x@y.co"),))
    assert message["Bcc"] is None
    assert str(message["Subject"]) == "Hola Bcc: todos@x.co"
    assert b"\r\nBcc:" not in raw


@pytest.mark.parametrize(
    "changes",
    [
        {"to": ()},
        {"to": (MailAddress("sin-arroba"),)},
        {"to": (MailAddress("josé@x.co"),)},
        {"message_id": "has space@x"},
        {"message_id": ""},
    ],
)
def test_a_mail_that_cannot_be_written_is_a_permanent_failure(changes: dict[str, object]) -> None:
    with pytest.raises(MailDeliveryError) as failed:
        MimeComposer().compose(_mail(**changes))
    assert failed.value.permanent


def test_long_lines_and_a_long_subject_are_folded_within_the_smtp_limit() -> None:
    raw, message = _compose(subject="ñ" * 300, text="palabra " * 2000)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert str(message["Subject"]) == "ñ" * 300
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.replace("\r\n", "\n") == "palabra " * 2000 + "\n"


def test_html_without_company_has_no_header_bar() -> None:
    page = text_to_html("uno\n\ndos", company="")
    assert "background:#1f4e79" not in page and page.count("<p ") == 2
