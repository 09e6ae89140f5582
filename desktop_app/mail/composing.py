"""Writing a mail as MIME: plain text with an HTML alternative, attachments, and the threading headers.

The standard library's EmailMessage with the SMTP policy (CRLF line ends, headers folded and
encoded, so accents in a subject or a name arrive intact). The HTML alternative is made from the
text when the caller gives none: escaped, in paragraphs, under a small header with the company's
name; inline styles only and nothing remote (no images, fonts or scripts to load).
"""

from __future__ import annotations

import html
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from desktop_app.i18n import _
from desktop_app.services.mail_ports import MailAddress, MailDeliveryError, MailFile, OutgoingMail

# A Message-ID we write between brackets: printable ASCII without blanks or brackets.
_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]{1,900}")
_MEDIA_TYPE = re.compile(r"([a-z0-9][a-z0-9!#$&^_.+-]*)/([a-z0-9][a-z0-9!#$&^_.+-]*)", re.IGNORECASE)
# Sent before the id list of References grows past what some servers accept in one header.
_MAX_REFERENCES = 20


def _one_line(text: str) -> str:
    """Blanks and line breaks squeezed: a line break in a header value would start a new header."""
    return " ".join(text.split())


def _address(mail_address: MailAddress) -> Address:
    """The address as a header value; a domain with accents goes out as IDNA ("xn--…")."""
    local, at, domain = mail_address.address.strip().rpartition("@")
    try:
        if not at or not local or not domain or not local.isascii() or any(c.isspace() for c in local):
            raise ValueError(mail_address.address)
        ascii_domain = domain if domain.isascii() else domain.encode("idna").decode("ascii")
        return Address(display_name=_one_line(mail_address.name), username=local, domain=ascii_domain.lower())
    except (ValueError, UnicodeError) as exc:
        # A bad address never becomes a good one by trying again: permanent.
        raise MailDeliveryError(
            _("The address {address} cannot be used in a mail.").format(address=mail_address.address or '""'),
            permanent=True,
        ) from exc


def _bracketed(ids: tuple[str, ...] | list[str]) -> str:
    """Ids as "<a> <b>", skipping any that cannot be written safely (a foreign id read from a mail)."""
    return " ".join(f"<{value}>" for value in ids if _ID.fullmatch(value))


def text_to_html(text: str, *, company: str, title: str = "") -> str:
    """A small, self-contained HTML page for a plain-text mail: paragraphs at blank lines, line
    breaks kept, every character escaped (a customer's "<script>" in a summary stays text)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p.strip()]
    body = "\n".join(
        '<p style="margin:0 0 14px 0;">' + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    header = (
        '<div style="background:#1f4e79;color:#ffffff;padding:12px 20px;font-size:16px;font-weight:bold;">'
        f"{html.escape(company)}</div>"
        if company
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="margin:0;padding:0;background:#f4f4f4;">\n'
        '<div style="max-width:640px;margin:0 auto;background:#ffffff;'
        'font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#222222;">\n'
        f"{header}\n"
        f'<div style="padding:20px;">\n{body}\n</div>\n'
        "</div>\n</body></html>\n"
    )


class MimeComposer:
    """MailComposer: OutgoingMail → bytes ready for SMTP.

    Args:
        company: the name shown in the HTML header ("" → the sender's display name).
    """

    def __init__(self, company: str = "") -> None:
        self._company = company

    def compose(self, mail: OutgoingMail) -> bytes:
        """The mail's bytes (CRLF). Raises MailDeliveryError(permanent=True) for an address that
        cannot be written or a Message-ID that is not one (nothing to retry)."""
        if not _ID.fullmatch(mail.message_id):
            raise MailDeliveryError(
                _("The mail cannot be written: its Message-ID is not valid."),
                permanent=True,
            )
        if not mail.to:
            raise MailDeliveryError(_("The mail cannot be written: it has no recipient."), permanent=True)
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = _address(mail.sender)
        message["To"] = [_address(recipient) for recipient in mail.to]
        message["Subject"] = _one_line(mail.subject)
        message["Date"] = format_datetime(mail.date)
        message["Message-ID"] = f"<{mail.message_id}>"
        in_reply_to = _bracketed([mail.in_reply_to]) if mail.in_reply_to else ""
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
        references = _bracketed(list(dict.fromkeys(mail.references))[-_MAX_REFERENCES:])
        if references:
            message["References"] = references
        if mail.auto_submitted:
            # RFC 3834, and what Exchange/Outlook read: no out-of-office or auto-reply back to us.
            message["Auto-Submitted"] = _one_line(mail.auto_submitted)
            message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
        text = mail.text.replace("\r\n", "\n")
        # Quoted-printable: plain 7-bit on the wire (any server relays it), still readable as source.
        message.set_content(
            text if text.endswith("\n") else text + "\n", subtype="plain", charset="utf-8", cte="quoted-printable"
        )
        company = self._company or mail.sender.name
        message.add_alternative(
            mail.html or text_to_html(text, company=company, title=_one_line(mail.subject)),
            subtype="html",
            charset="utf-8",
            cte="quoted-printable",
        )
        for attachment in mail.attachments:
            self._attach(message, attachment)
        # After the content: set_content() drops every Content-* header already on the message.
        message["Content-Language"] = "es-CO"
        return message.as_bytes(policy=policy.SMTP)

    @staticmethod
    def _attach(message: EmailMessage, attachment: MailFile) -> None:
        match = _MEDIA_TYPE.fullmatch(attachment.media_type.strip())
        maintype, subtype = (match.group(1).lower(), match.group(2).lower()) if match else ("application", "")
        if not subtype or maintype in {"multipart", "message"}:
            # Those types carry structure of their own; as opaque bytes the file arrives as it is.
            maintype, subtype = "application", "octet-stream"
        filename = _one_line(attachment.filename) or "adjunto"
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=filename)
