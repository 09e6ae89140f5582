"""The big-attachment shortcut (reading_blobs.py) gives what the plain parse gives, byte for byte."""

from __future__ import annotations

import base64
import random
from email.message import EmailMessage

import pytest

from desktop_app.mail import reading_blobs
from desktop_app.mail.reading import StdlibMailReader
from desktop_app.services.mail_ports import ParsedMail


def _photos_mail(sizes: tuple[int, ...], seed: int = 7) -> bytes:
    rng = random.Random(seed)
    mail = EmailMessage()
    mail["From"] = "Ana <ana@example.com>"
    mail["To"] = "soporte@somosmaker.com"
    mail["Subject"] = "Fotos"
    mail["Message-ID"] = "<fotos@example.com>"
    mail.set_content("Adjunto las fotos.")
    for number, size in enumerate(sizes):
        mail.add_attachment(rng.randbytes(size), maintype="image", subtype="jpeg", filename=f"foto{number}.jpg")
    return mail.as_bytes()


def _forwarded(inner: bytes) -> bytes:
    return (
        b"From: ana@example.com\r\nSubject: Fwd\r\nMessage-ID: <fwd@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"--outer\r\nContent-Type: text/plain\r\n\r\nReenvio.\r\n"
        b"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner.replace(b"\n", b"\r\n") + b"\r\n--outer--\r\n"
    )


def _without_shortcut(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> ParsedMail:
    with monkeypatch.context() as patch:
        patch.setattr(reading_blobs, "MIN_MAIL_BYTES", 10**12)
        return StdlibMailReader().parse(raw)


@pytest.mark.parametrize(
    "raw",
    [
        _photos_mail((2 * 1024 * 1024, 2 * 1024 * 1024)),
        _photos_mail((57 * 4000,)),  # whole 76-character lines only: no padding line after the run
        _photos_mail((300_000, 1, 0, 200_001)),
        _photos_mail((300_000,)).replace(b"\n", b"\r\n"),
        _forwarded(_photos_mail((400_000,))),
    ],
    ids=["two-photos", "no-padding", "mixed-sizes", "crlf", "forwarded"],
)
def test_the_shortcut_changes_nothing(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    shortened, blobs = reading_blobs.set_aside(raw)
    assert blobs and len(shortened) < len(raw) // 10  # the shortcut is taken
    assert StdlibMailReader().parse(raw) == _without_shortcut(raw, monkeypatch)


def test_photos_come_out_whole() -> None:
    raw = _photos_mail((2 * 1024 * 1024, 2 * 1024 * 1024))
    mail = StdlibMailReader().parse(raw)
    rng = random.Random(7)
    assert [f.content for f in mail.attachments] == [rng.randbytes(2 * 1024 * 1024), rng.randbytes(2 * 1024 * 1024)]
    assert mail.text == "Adjunto las fotos." and mail.problems == ()


def test_text_that_only_looks_like_base64_is_left_alone() -> None:
    """Quoted-printable and plain text are never taken for a run: their parts read as written."""
    line = base64.b64encode(b"x" * 57).decode()
    text = "\n".join([line] * 400)
    raw = (
        "From: ana@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: 7bit\n\n" + text + "\n"
    ).encode()
    raw += b"X" * reading_blobs.MIN_MAIL_BYTES
    assert reading_blobs.set_aside(raw)[1] == {}
    assert StdlibMailReader().parse(raw).text.startswith(line + "\n" + line)


@pytest.mark.parametrize("damage", [b"", b"A", b"AB", b"!!\x00", b"==AAAA"])
def test_big_base64_reads_as_the_standard_library_reads_it(damage: bytes) -> None:
    """Broken padding or stray bytes in a big file: the same bytes as the stdlib's lenient decoder."""
    import email

    whole = _photos_mail((300_001,))
    end = whole.rfind(b"\n--=")  # the closing boundary, right after the file's base64 lines
    raw = whole[:end] + damage + whole[end:]
    expected = email.message_from_bytes(raw).get_payload()[1].get_payload(decode=True)
    assert StdlibMailReader().parse(raw).attachments[0].content == expected
