"""Writes the corpus of real-world mail oddities (tests/unit/mail/corpus/*.eml) the reader tests read.

The files are committed; run `python tests/unit/mail/make_corpus.py` again after changing a mail here.
Each mail is written as the bytes a server would hand over (CRLF line ends, 8-bit where a broken
mailer sends it), so the tests read exactly what the oddity is.
"""

from __future__ import annotations

import base64
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
# A 1×1 PNG (an inline image in the HTML).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CUSTOMER = b"From: Ana Torres <Ana.Torres@Example.COM>\nTo: Soporte Maker <soporte@somosmaker.com>\n"


def _b64(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\n".join(text[i : i + 76] for i in range(0, len(text), 76))


MAILS: dict[str, bytes] = {
    "exchange_message_id.eml": CUSTOMER + b"Subject: Impresora bloqueada\n"
    b"Date: Tue, 01 Dec 2026 09:15:00 -0500\n"
    b"Message-ID: <[b378dfc5-3a8e-4c2f-9c1d-7e0a5b6c2d11@BN6PR01MB.namprd01.prod.outlook.com]>\n"
    b"In-Reply-To: <[a1b2c3@BN6PR01MB.namprd01.prod.outlook.com]>\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"La impresora no arranca.\n",
    "to_quote.eml": b"From: ana@example.com\n"
    b'To: "\n'
    b'Cc: tecnico@somosmaker.com, "Roto <\n'
    b"Subject: Destinatario raro\n"
    b"Message-ID: <to-quote@example.com>\n\n"
    b"Hola.\n",
    "missing_from.eml": b"To: soporte@somosmaker.com\n"
    b"Subject: Sin remitente\n"
    b"Message-ID: <no-from@example.com>\n\n"
    b"Nadie firma esto.\n",
    "duplicated_headers.eml": CUSTOMER + b"Subject: Primer asunto\n"
    b"Subject: Segundo asunto\n"
    b"Message-ID: <first@example.com>\n"
    b"Message-ID: <second@example.com>\n\n"
    b"Dos veces.\n",
    "unknown_charset.eml": CUSTOMER + b"Subject: Charset desconocido\n"
    b"Message-ID: <unknown-charset@example.com>\n"
    b"Content-Type: text/plain; charset=x-unknown\n"
    b"Content-Transfer-Encoding: 8bit\n\n" + "La boquilla está tapada y el cabezal no calienta.\n".encode(),
    "undeclared_latin1.eml": CUSTOMER + b"Subject: Sin charset\n"
    b"Message-ID: <latin1@example.com>\n"
    b"Content-Transfer-Encoding: 8bit\n\n" + "Señor, la impresora no enciende\n".encode("latin-1"),
    "encoded_word_subject.eml": CUSTOMER + b"Subject: =?iso-8859-1?Q?Impresi=F3n_con_l=EDneas?=\n"
    b" =?utf-8?B?IGVuIGxhIHBpZXph?= =?utf-8?Q?_=C2=BFpor_qu=C3=A9=3F?=\n"
    b"Message-ID: <encoded-words@example.com>\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"Adjunto fotos.\n",
    "html_only.eml": CUSTOMER + b"Subject: Solo HTML\n"
    b"Message-ID: <html-only@example.com>\n"
    b"Content-Type: text/html; charset=utf-8\n\n"
    b"<html><head><title>t</title><style>p{color:red}</style></head><body>"
    b"<p onclick=\"steal()\">Hola,</p><script>alert('x')</script>"
    b'<p>La pieza sale <b>torcida</b>.<br>Ver <a href="https://example.com/foto">la foto</a>.</p>'
    b'<img src="https://tracker.example.net/pixel.gif" alt="">'
    b'<iframe src="https://evil.example.net/"></iframe>'
    b"<ul><li>uno</li><li>dos</li></ul></body></html>\n",
    "nested_related.eml": CUSTOMER + b"Subject: Foto en el cuerpo\n"
    b"Message-ID: <nested@example.com>\n"
    b"MIME-Version: 1.0\n"
    b'Content-Type: multipart/mixed; boundary="mixed"\n\n'
    b"--mixed\n"
    b'Content-Type: multipart/alternative; boundary="alt"\n\n'
    b"--alt\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"Mire la foto de la cama.\n"
    b"--alt\n"
    b'Content-Type: multipart/related; boundary="rel"\n\n'
    b"--rel\n"
    b"Content-Type: text/html; charset=utf-8\n\n"
    b'<p>Mire la foto de la cama.</p><img src="cid:foto1@example.com">\n'
    b"--rel\n"
    b"Content-Type: image/png\n"
    b"Content-ID: <foto1@example.com>\n"
    b"Content-Disposition: inline\n"
    b"Content-Transfer-Encoding: base64\n\n" + _b64(PNG) + b"\n"
    b"--rel--\n"
    b"--alt--\n"
    b"--mixed\n"
    b'Content-Type: application/pdf; name="factura.pdf"\n'
    b'Content-Disposition: attachment; filename="factura.pdf"\n'
    b"Content-Transfer-Encoding: base64\n\n" + _b64(b"%PDF-1.4 fake\n") + b"\n"
    b"--mixed--\n",
    "zero_byte_attachment.eml": CUSTOMER + b"Subject: Archivo vacio\n"
    b"Message-ID: <zero@example.com>\n"
    b'Content-Type: multipart/mixed; boundary="b"\n\n'
    b"--b\n"
    b"Content-Type: text/plain\n\n"
    b"Le mando el log.\n"
    b"--b\n"
    b'Content-Type: text/plain; name="log.txt"\n'
    b'Content-Disposition: attachment; filename="log.txt"\n\n'
    b"\n--b--\n",
    "winmail.eml": CUSTOMER + b"Subject: Desde Outlook\n"
    b"Message-ID: <tnef@example.com>\n"
    b'Content-Type: multipart/mixed; boundary="b"\n\n'
    b"--b\n"
    b"Content-Type: text/plain; charset=us-ascii\n\n"
    b"Ver adjunto.\n"
    b"--b\n"
    b'Content-Type: application/ms-tnef; name="winmail.dat"\n'
    b'Content-Disposition: attachment; filename="winmail.dat"\n'
    b"Content-Transfer-Encoding: base64\n\n" + _b64(b"\x78\x9f\x3e\x22" + bytes(range(256))) + b"\n"
    b"--b--\n",
    "out_of_office.eml": b"Return-Path: <>\n"
    b"From: Ana Torres <ana.torres@example.com>\n"
    b"To: soporte@somosmaker.com\n"
    b"Subject: Fuera de la oficina: [SOP-2026-00123] Su solicitud\n"
    b"Auto-Submitted: auto-replied\n"
    b"In-Reply-To: <sop.1.abc@somosmaker.com>\n"
    b"Message-ID: <oof@example.com>\n\n"
    b"Estoy de vacaciones hasta el lunes.\n",
    "outlook_oof.eml": CUSTOMER + b"Subject: Respuesta autom\xc3\xa1tica: Su solicitud\n"
    b"X-Auto-Response-Suppress: All\n"
    b"X-MS-Exchange-Inbox-Rules-Loop: ana.torres@example.com\n"
    b"Message-ID: <outlook-oof@example.com>\n\n"
    b"No estoy.\n",
    "list_mail.eml": b"From: Boletin <news@lists.example.org>\n"
    b"To: soporte@somosmaker.com\n"
    b"Subject: Novedades de diciembre\n"
    b"Precedence: bulk\n"
    b"List-Unsubscribe: <https://lists.example.org/unsubscribe?id=1>\n"
    b"Message-ID: <list@lists.example.org>\n\n"
    b"Ofertas.\n",
    "dsn_bounce.eml": b"Return-Path: <>\n"
    b"From: Mail Delivery System <MAILER-DAEMON@mx.somosmaker.com>\n"
    b"To: soporte@somosmaker.com\n"
    b"Subject: Undelivered Mail Returned to Sender\n"
    b"Auto-Submitted: auto-replied\n"
    b"Message-ID: <bounce-1@mx.somosmaker.com>\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
    b"--r\n"
    b"Content-Type: text/plain; charset=us-ascii\n\n"
    b"I'm sorry to have to inform you that your message could not be delivered.\n"
    b"--r\n"
    b"Content-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; mx.somosmaker.com\n\n"
    b"Final-Recipient: rfc822; nadie@example.com\n"
    b"Action: failed\n"
    b"Status: 5.1.1\n\n"
    b"--r\n"
    b"Content-Type: message/rfc822\n\n"
    b"From: Soporte Maker <soporte@somosmaker.com>\n"
    b"To: nadie@example.com\n"
    b"Subject: [SOP-2026-00123] Recibimos su solicitud\n"
    b"Message-ID: <sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com>\n\n"
    b"Hola.\n"
    b"--r--\n",
    "bounce_headers_only.eml": b"From: postmaster@example.com\n"
    b"To: soporte@somosmaker.com\n"
    b"Subject: Delivery Status Notification (Failure)\n"
    b"Message-ID: <bounce-2@example.com>\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
    b"--r\n"
    b"Content-Type: text/plain\n\n"
    b"Delivery failed.\n"
    b"--r\n"
    b"Content-Type: text/rfc822-headers\n\n"
    b"From: soporte@somosmaker.com\n"
    b"Message-ID: <sop.SOP-2026-00124.00bb.77aa@somosmaker.com>\n"
    b"--r--\n",
    "gmail_reply.eml": b"From: Ana Torres <ana.torres@gmail.com>\n"
    b"To: Soporte Maker <soporte@somosmaker.com>\n"
    b"Subject: Re: [SOP-2026-00123] Recibimos su solicitud\n"
    b"Date: Wed, 2 Dec 2026 08:01:02 -0500\n"
    b"Message-ID: <CAF=abc123+XyZ@mail.gmail.com>\n"
    b"In-Reply-To: <sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com>\n"
    b"References: <sop.SOP-2026-00123.0011aa.5f3e@somosmaker.com>\n"
    b"\t<sop.SOP-2026-00123.0022bb.6a4f@somosmaker.com>\n"
    b'Content-Type: multipart/alternative; boundary="000000000000g"\n\n'
    b"--000000000000g\n"
    b'Content-Type: text/plain; charset="UTF-8"\n'
    b"Content-Transfer-Encoding: quoted-printable\n\n"
    b"Sigue fallando, la cama no calienta.\n\n"
    b"El mi=C3=A9, 2 dic 2026 a las 7:00, Soporte Maker escribi=C3=B3:\n"
    b"> Hola Ana,\n"
    b"--000000000000g\n"
    b'Content-Type: text/html; charset="UTF-8"\n'
    b"Content-Transfer-Encoding: quoted-printable\n\n"
    b'<div dir=3D"ltr">Sigue fallando, la cama no calienta.</div>\n'
    b"--000000000000g--\n",
    "label_url.eml": CUSTOMER + b"Subject: Falla en la MK3\n"
    b"Message-ID: <label@example.com>\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"Escane\xc3\xa9 la etiqueta: https://somosmaker.com/soporte/m/MK3-000123\nNo imprime.\n",
    "attachment_names.eml": CUSTOMER + b"Subject: Nombres de archivo\n"
    b"Message-ID: <names@example.com>\n"
    b'Content-Type: multipart/mixed; boundary="b"\n\n'
    b"--b\n"
    b"Content-Type: text/plain\n\n"
    b"Tres archivos.\n"
    b"--b\n"
    b'Content-Type: application/octet-stream; name="..\\\\..\\\\Windows\\\\evil.exe"\n'
    b'Content-Disposition: attachment; filename="../../etc/evil.exe"\n\n'
    b"MZ\n"
    b"--b\n"
    b'Content-Type: image/jpeg; name="=?utf-8?Q?pieza_da=C3=B1ada.jpg?="\n'
    b"Content-Disposition: attachment\n"
    b"Content-Transfer-Encoding: base64\n\n" + _b64(b"\xff\xd8\xff\xe0fake jpeg") + b"\n"
    b"--b\n"
    b"Content-Type: image/png\n"
    b"Content-Transfer-Encoding: base64\n\n" + _b64(PNG) + b"\n"
    b"--b--\n",
}


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for name, mail in MAILS.items():
        (CORPUS / name).write_bytes(mail.replace(b"\n", b"\r\n"))


if __name__ == "__main__":
    main()
