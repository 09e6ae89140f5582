"""The mail reader on a corpus of real-world oddities (corpus/*.eml, written by make_corpus.py): what the
desk gets from each, and that none of them makes it raise."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_app.mail.reading import StdlibMailReader
from desktop_app.services.mail_ports import MAX_MAIL_BYTES, MailAddress, ParsedMail

CORPUS = Path(__file__).resolve().parent / "corpus"
BOGOTA = timezone(timedelta(hours=-5))


def read(name: str) -> ParsedMail:
    return StdlibMailReader().parse((CORPUS / name).read_bytes())


def test_the_corpus_is_there() -> None:
    assert len(list(CORPUS.glob("*.eml"))) >= 19


def test_exchange_bracketed_message_id_is_read_as_written() -> None:
    mail = read("exchange_message_id.eml")
    assert mail.message_id == "[b378dfc5-3a8e-4c2f-9c1d-7e0a5b6c2d11@BN6PR01MB.namprd01.prod.outlook.com]"
    assert mail.in_reply_to == ("[a1b2c3@BN6PR01MB.namprd01.prod.outlook.com]",)
    assert mail.date == datetime(2026, 12, 1, 9, 15, tzinfo=BOGOTA)
    assert mail.date is not None and mail.date.utcoffset() == timedelta(hours=-5)
    assert mail.text == "La impresora no arranca."
    assert mail.problems == ()


def test_a_lone_quote_in_to_is_set_aside_and_the_rest_still_read() -> None:
    mail = read("to_quote.eml")
    assert mail.to == ()
    assert mail.cc == (MailAddress("tecnico@somosmaker.com"),)
    assert mail.sender == MailAddress("ana@example.com")
    assert "bad-to" in mail.problems
    assert mail.text == "Hola."


def test_missing_from_gives_no_sender() -> None:
    mail = read("missing_from.eml")
    assert mail.sender is None
    assert "no-from" in mail.problems
    assert mail.subject == "Sin remitente"


def test_duplicated_subject_and_message_id_take_the_first() -> None:
    mail = read("duplicated_headers.eml")
    assert mail.subject == "Primer asunto"
    assert mail.message_id == "first@example.com"
    assert {"duplicate-subject", "duplicate-message-id"} <= set(mail.problems)


def test_unknown_charset_is_guessed() -> None:
    mail = read("unknown_charset.eml")
    assert mail.text == "La boquilla está tapada y el cabezal no calienta."
    assert "unknown-charset" in mail.problems


def test_undeclared_latin1_reads_as_spanish() -> None:
    mail = read("undeclared_latin1.eml")
    assert mail.text == "Señor, la impresora no enciende"
    assert "\ufffd" not in mail.text
    assert "undeclared-8bit" in mail.problems


def test_encoded_word_subject_is_one_line_with_accents() -> None:
    assert read("encoded_word_subject.eml").subject == "Impresión con líneas en la pieza ¿por qué?"


def test_html_only_mail_gives_text_and_safe_html() -> None:
    mail = read("html_only.eml")
    assert mail.text == "Hola,\n\nLa pieza sale torcida.\nVer la foto (https://example.com/foto).\n\n- uno\n- dos"
    for gone in ("script", "alert", "steal", "onclick", "tracker.example.net", "iframe", "evil", "style", "color"):
        assert gone not in mail.html
    assert "<b>torcida</b>" in mail.html
    assert 'href="https://example.com/foto"' in mail.html


def test_nested_multiparts_give_the_plain_text_the_inline_image_and_the_file() -> None:
    mail = read("nested_related.eml")
    assert mail.text == "Mire la foto de la cama."
    assert 'src="cid:foto1@example.com"' in mail.html
    assert [(f.filename, f.media_type) for f in mail.attachments] == [
        ("adjunto-1.png", "image/png"),
        ("factura.pdf", "application/pdf"),
    ]
    assert mail.attachments[0].content.startswith(b"\x89PNG")
    assert mail.attachments[1].content == b"%PDF-1.4 fake\n"


def test_zero_byte_attachment_is_kept() -> None:
    mail = read("zero_byte_attachment.eml")
    assert [(f.filename, f.content) for f in mail.attachments] == [("log.txt", b"")]
    assert mail.text == "Le mando el log."


def test_winmail_dat_stays_one_file() -> None:
    mail = read("winmail.eml")
    assert len(mail.attachments) == 1
    assert mail.attachments[0].filename == "winmail.dat"
    assert mail.attachments[0].media_type == "application/ms-tnef"
    assert mail.attachments[0].content.startswith(b"\x78\x9f\x3e\x22")
    assert mail.text == "Ver adjunto."


def test_attachment_names_are_safe() -> None:
    names = [f.filename for f in read("attachment_names.eml").attachments]
    assert names == ["evil.exe", "pieza dañada.jpg", "adjunto-3.png"]


def test_out_of_office_is_automatic_not_a_bounce() -> None:
    mail = read("out_of_office.eml")
    assert mail.automatic == "Auto-Submitted: auto-replied"
    assert mail.bounce is False  # Return-Path <> too, as RFC 3834 asks of responders
    assert mail.bounced_message_ids == ()
    assert mail.in_reply_to == ("sop.1.abc@somosmaker.com",)


def test_outlook_out_of_office_is_automatic() -> None:
    mail = read("outlook_oof.eml")
    assert mail.automatic == "X-Auto-Response-Suppress: All"
    assert mail.subject == "Respuesta automática: Su solicitud"
    assert not mail.bounce


def test_list_mail_is_automatic() -> None:
    assert read("list_mail.eml").automatic == "Precedence: bulk"


def test_delivery_report_is_a_bounce_naming_our_message() -> None:
    mail = read("dsn_bounce.eml")
    assert mail.bounce is True
    assert mail.automatic
    assert mail.bounced_message_ids == ("sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com",)
    assert mail.sender == MailAddress("mailer-daemon@mx.somosmaker.com", "Mail Delivery System")
    assert mail.text.startswith("I'm sorry")
    assert [(f.filename, f.media_type) for f in mail.attachments] == [
        ("adjunto-1.txt", "message/delivery-status"),
        ("adjunto-2.eml", "message/rfc822"),
    ]
    assert b"Message-ID: <sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com>" in mail.attachments[1].content


def test_bounce_with_only_the_headers_returned() -> None:
    mail = read("bounce_headers_only.eml")
    assert mail.bounce is True
    assert mail.bounced_message_ids == ("sop.SOP-2026-00124.00bb.77aa@somosmaker.com",)


def test_gmail_reply_threads() -> None:
    mail = read("gmail_reply.eml")
    assert mail.message_id == "CAF=abc123+XyZ@mail.gmail.com"
    assert mail.in_reply_to == ("sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com",)
    assert mail.references == (
        "sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com",
        "sop.SOP-2026-00123.0022bb.6a4f@somosmaker.com",
    )
    assert mail.sender == MailAddress("ana.torres@gmail.com", "Ana Torres")
    assert mail.text.startswith("Sigue fallando, la cama no calienta.\n\nEl mié, 2 dic 2026")
    assert mail.date == datetime(2026, 12, 2, 13, 1, 2, tzinfo=UTC)
    assert mail.automatic == "" and not mail.bounce


def test_label_url_is_in_the_text() -> None:
    mail = read("label_url.eml")
    assert "https://somosmaker.com/soporte/m/MK3-000123" in mail.text
    assert mail.sender == MailAddress("ana.torres@example.com", "Ana Torres")  # lower-cased


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.eml")))
def test_every_corpus_mail_reads_with_lf_line_ends_too(name: str) -> None:
    """Saved .eml files often have bare LF line ends: the same mail must read the same."""
    raw = (CORPUS / name).read_bytes()
    crlf, lf = StdlibMailReader().parse(raw), StdlibMailReader().parse(raw.replace(b"\r\n", b"\n"))
    assert (lf.message_id, lf.subject, lf.sender, lf.text, lf.bounce) == (
        crlf.message_id,
        crlf.subject,
        crlf.sender,
        crlf.text,
        crlf.bounce,
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00" * 100,
        bytes(range(256)) * 40,
        b"From:\r\n\r\n",
        b"Content-Type: multipart/mixed\r\n\r\n",
    ],
)
def test_nonsense_gives_an_empty_mail_not_an_error(raw: bytes) -> None:
    mail = StdlibMailReader().parse(raw)
    assert isinstance(mail, ParsedMail)
    assert mail.sender is None
    assert "\x00" not in mail.text


def test_date_minus_zero_zone_and_nonsense() -> None:
    reader = StdlibMailReader()
    mail = reader.parse(b"From: a@b.co\r\nDate: Tue, 1 Dec 2026 10:00:00 -0000\r\n\r\nx")
    assert mail.date == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    for nonsense in (b"ayer", b"Tue, 1 Dec 99999 10:00:00 +0000", b"Tue, 31 Feb 2026 10:00:00 +0000"):
        mail = reader.parse(b"From: a@b.co\r\nDate: " + nonsense + b"\r\n\r\nx")
        assert mail.date is None
        assert "bad-date" in mail.problems


def test_text_has_no_nul_or_lone_surrogates() -> None:
    raw = b"From: a@b.co\r\nContent-Type: text/plain; charset=utf-16-le\r\n\r\n" + "a\x00b".encode("utf-16-le")
    raw += b"\x00\xd8"  # a lone high surrogate in UTF-16
    mail = StdlibMailReader().parse(raw)
    assert "\x00" not in mail.text
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in mail.text)
    mail.text.encode("utf-8")  # storable as it is


def _mail_with_attachment(size: int) -> bytes:
    """A mail carrying a `size`-byte file, base64 encoded as clients do."""
    block = base64.encodebytes(b"\x00\x01\x02" * 19)  # 76 base64 characters and a line break
    lines = block.replace(b"\n", b"\r\n") * (size * 4 // 3 // 76 + 1)
    return (
        b"From: Ana <ana@example.com>\r\nTo: soporte@somosmaker.com\r\nSubject: Video\r\n"
        b"Message-ID: <big@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nAdjunto el video.\r\n"
        b'--b\r\nContent-Type: video/mp4; name="falla.mp4"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + lines
        + b"--b--\r\n"
    )


def test_a_50_mb_mail_is_read_whole() -> None:
    raw = _mail_with_attachment(37 * 1024 * 1024)
    assert 48 * 1024 * 1024 < len(raw) <= MAX_MAIL_BYTES
    mail = StdlibMailReader().parse(raw)
    assert mail.problems == ()
    assert mail.text == "Adjunto el video."
    assert [(f.filename, f.media_type) for f in mail.attachments] == [("falla.mp4", "video/mp4")]
    assert len(mail.attachments[0].content) >= 37 * 1024 * 1024


def test_a_mail_over_the_limit_is_not_parsed_but_its_headers_are_read() -> None:
    raw = _mail_with_attachment(MAX_MAIL_BYTES * 3 // 4 + 1024)
    assert len(raw) > MAX_MAIL_BYTES
    mail = StdlibMailReader().parse(raw)
    assert mail.problems == ("too-big",)
    assert mail.sender == MailAddress("ana@example.com", "Ana")
    assert mail.message_id == "big@example.com"
    assert mail.subject == "Video"
    assert mail.text == "" and mail.attachments == ()


def test_huge_address_and_reference_headers_are_read_in_bounds() -> None:
    raw = (
        b"From: ana@example.com\r\nTo: "
        + b", ".join(b"cliente%d@example.com" % n for n in range(50_000))
        + b"\r\nReferences: "
        + b" ".join(b"<%d@example.com>" % n for n in range(50_000))
        + b"\r\n\r\nhola"
    )
    mail = StdlibMailReader().parse(raw)
    assert mail.sender == MailAddress("ana@example.com")
    assert 0 < len(mail.to) <= 500
    assert mail.to[0] == MailAddress("cliente0@example.com")
    assert len(mail.references) == 100
    assert mail.references[0] == "0@example.com" and mail.references[-1] == "49999@example.com"


def test_ids_and_subject_fit_the_inbox_columns() -> None:
    """mail_inbox.message_id holds 255 characters and subject 400: a longer id is no id, a subject is cut."""
    long_id = "x" * 300 + "@example.com"
    raw = (
        f"From: ana@example.com\r\nMessage-ID: <{long_id}>\r\nIn-Reply-To: <{long_id}> <ok@example.com>\r\n"
        f"Subject: {'ñ' * 1000}\r\n\r\nhola"
    ).encode()
    mail = StdlibMailReader().parse(raw)
    assert mail.message_id == ""
    assert "bad-message-id" in mail.problems
    assert mail.in_reply_to == ("ok@example.com",)
    assert mail.subject == "ñ" * 400
