"""makeR's public support pages, made from the desk's facts: the files of `makersupport web export`.

Three pages under /soporte/ of makeR's web site, where the QR codes lead:

- `m/index.html`, for every /soporte/m/<SERIAL> (a machine's label): the serial read from the address,
  what a request must bring (R2), a mail button whose subject carries the serial (so the desk's mail
  intake finds the machine, domain/mail.serials_mentioned), the support phone, and the response times.
- `c/index.html`, for every /soporte/c/<key>.<facts>.<signature> (a certificate's QR, R15): the
  certificate checked in the visitor's browser (Web Crypto's Ed25519 and DecompressionStream) against
  the public keys published with it, and against the signed list of revoked certificates.
- `politica/index.html`: the support policy in force, with the configured plans and times.

The HTML templates, the stylesheet and the scripts are files under resources/web/. Every text from the
database is escaped here; the scripts show what they read from the address with textContent only.
No page loads anything from another site, and the Content-Security-Policy says so to the browser.
The pages are for customers, so they are in Spanish whatever the desk's language.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from html import escape
from pathlib import Path
from string import Template

from desktop_app import __version__
from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity
from desktop_app.domain.policy import WARRANTY_PLAN, PolicySettings
from desktop_app.domain.spanish import WEEKDAYS, long_date, pesos
from desktop_app.paths import resource_path
from desktop_app.services.web_site import WebSiteFacts

SITE_FOLDER = "soporte"  # the QR codes' path: https://somosmaker.com/soporte/…
# Beside the folder: they go into the web server's configuration, not on the web.
NGINX_SNIPPET = "nginx-soporte.conf"
APACHE_SNIPPET = "apache-soporte.conf"
SERVER_SNIPPETS = (NGINX_SNIPPET, APACHE_SNIPPET)
MARKER = "exportacion.json"  # in the folder: tells a later export that the folder is one of ours
GENERATOR = "makeR Soporte web export"
# The subject of the label page's mail; "serial: X" is how the mail intake reads a machine from a subject.
MAIL_SUBJECT = "Solicitud de soporte · serial: {serial}"
MAIL_SUBJECT_NO_SERIAL = "Solicitud de soporte"
MAIL_BODY = (
    "Hola, equipo de soporte de makeR:\n\n"
    "Máquina (serial): {serial}\n"
    "Empresa o cliente: \n"
    "Ciudad: \n"
    "Persona de contacto y teléfono: \n\n"
    "Descripción detallada del problema (qué pasó, desde cuándo, qué se estaba imprimiendo, "
    "mensajes en pantalla):\n\n\n"
    "Adjunto fotos o videos que muestran el problema.\n"
)

SEVERITY_NAMES = {
    Severity.CRITICAL: "Crítica",
    Severity.HIGH: "Alta",
    Severity.MEDIUM: "Media",
    Severity.LOW: "Baja",
}
SEVERITY_MEANINGS = {
    Severity.CRITICAL: "la máquina está detenida y la producción parada",
    Severity.HIGH: "la máquina funciona, pero con fallas que afectan el trabajo",
    Severity.MEDIUM: "una función falla y hay una forma de seguir trabajando",
    Severity.LOW: "una consulta o un detalle estético",
}

# Copied as they are (path in resources/web → path in the site folder).
STATIC_FILES = {
    "sitio.css": "recursos/sitio.css",
    "etiqueta.js": "recursos/etiqueta.js",
    "verificar.js": "recursos/verificar.js",
    "logo.svg": "recursos/logo.svg",
    # Ed25519 for browsers whose Web Crypto lacks it (resources/web/vendor/README.md).
    "vendor/noble-ed25519.js": "recursos/noble-ed25519.js",
    "vendor/LICENSE-noble-ed25519.txt": "recursos/LICENSE-noble-ed25519.txt",
    "htaccess": ".htaccess",
}
TEMPLATES = {
    "etiqueta.html": "m/index.html",
    "verificar.html": "c/index.html",
    "politica.html": "politica/index.html",
}


@dataclass(frozen=True)
class SiteFiles:
    """site: path inside the site folder (POSIX) → bytes; servers: the web servers' snippets by file name."""

    site: Mapping[str, bytes]
    servers: Mapping[str, bytes]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def build_site(facts: WebSiteFacts, templates: Path | None = None) -> SiteFiles:
    """Every file of the site, in memory (nothing is written here)."""
    folder = templates or resource_path("web")
    site: dict[str, bytes] = {target: (folder / source).read_bytes() for source, target in STATIC_FILES.items()}
    values = _values(facts)
    for source, target in TEMPLATES.items():
        text = Template((folder / source).read_text(encoding="utf-8")).substitute(values)
        site[target] = text.encode("utf-8")
    keys = [{"id": b64url(hashlib.sha256(raw).digest()[:8]), "clave": b64url(raw)} for raw in facts.trust.keys]
    site["datos/claves.json"] = _json({"v": 1, "claves": keys})
    signed = facts.trust.revocation_list
    site["datos/revocaciones.json"] = _json(
        {"v": 1, "k": b64url(signed.key_id), "p": b64url(signed.payload), "s": b64url(signed.signature)}
    )
    site[MARKER] = _json(
        {
            "generador": GENERATOR,
            "version": __version__,
            "exportado": facts.trust.made_at.isoformat(timespec="seconds"),
            "politica": facts.policy_version,
            "claves": [b64url(hashlib.sha256(raw).digest()[:8]) for raw in facts.trust.keys],
            "revocados": len(facts.trust.revoked),
        }
    )
    return SiteFiles(site, {name: (folder / name).read_bytes() for name in SERVER_SNIPPETS})


def _json(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _values(facts: WebSiteFacts) -> dict[str, str]:
    """The templates' $placeholders, each already HTML (texts escaped)."""
    company, policy = facts.company, facts.policy
    exported = facts.trust.made_at.date()
    email = company.support_email
    return {
        "company": escape(company.legal_name),
        "footer": _footer(facts),
        "email": escape(email),
        "email_attr": escape(email, quote=True),
        "mailto_plain": escape(_mailto(email, MAIL_SUBJECT_NO_SERIAL, MAIL_BODY.format(serial="")), quote=True),
        "subject_template": escape(MAIL_SUBJECT, quote=True),
        "subject_plain": escape(MAIL_SUBJECT_NO_SERIAL, quote=True),
        "body_template": escape(MAIL_BODY, quote=True),
        "phone_block": _phone_block(company.phone),
        "timezone": escape(policy.timezone, quote=True),
        "hours": _hours_list(policy),
        "response_table": _response_table(policy),
        "severity_list": _severity_list(policy),
        "plans_table": _plans_table(policy),
        "max_maintenance_hours": str(policy.max_maintenance_hours),
        "maintenance_interval": _days(policy.maintenance_interval_days),
        "wait_days": _days(policy.wait_after_third_attempt_days, working=True),
        "escalation_list": _escalation_list(policy),
        "closure_days": _closure_days(policy, exported),
        "exported_on": escape(long_date(exported)),
        "policy_version": escape(str(facts.policy_version or 1)),
    }


def _mailto(address: str, subject: str, body: str) -> str:
    from urllib.parse import quote

    body = body.replace("\n", "\r\n")  # RFC 6068: line breaks in a mailto body are CRLF
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def _footer(facts: WebSiteFacts) -> str:
    company = facts.company
    parts = [f"<strong>{escape(company.legal_name)}</strong>"]
    if company.tax_id:
        parts.append(f"NIT {escape(company.tax_id)}")
    if company.address:
        parts.append(escape(company.address))
    return " · ".join(parts)


def _phone_block(phone: str) -> str:
    if not phone.strip():
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return (
        '<p class="contact-line">Teléfono de soporte: '
        f'<a href="tel:{escape(digits, quote=True)}">{escape(phone)}</a></p>'
    )


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _day_hours(intervals: tuple[tuple[time, time], ...]) -> str:
    spans = [f"{_clock(a)} a {_clock(b)}" for a, b in intervals]
    return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " y " + spans[-1]


def _hours_list(policy: PolicySettings) -> str:
    """Working hours by runs of weekdays with the same hours ("lunes a viernes: 8:00 a 12:00 y 14:00 a 18:00")."""
    rows: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for weekday in range(7):
        hours = tuple(policy.working_hours.get(weekday, ()))
        if rows and rows[-1][2] == hours and rows[-1][1] == weekday - 1:
            rows[-1] = (rows[-1][0], weekday, hours)
        else:
            rows.append((weekday, weekday, hours))
    items = []
    for first, last, hours in rows:
        if not hours:
            continue
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]} a {WEEKDAYS[last]}"
        if last == first + 1:
            days = f"{WEEKDAYS[first]} y {WEEKDAYS[last]}"
        items.append(f"<li>{escape(days.capitalize())}: {escape(_day_hours(hours))}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _plan_names(policy: PolicySettings) -> list[tuple[PlanCode, str]]:
    return [(p.code, p.name) for p in sorted(policy.plans, key=lambda p: p.rank)]


def _hours(value: float) -> str:
    text = f"{value:g}".replace(".", ",")
    return f"{text} h"


def _response_table(policy: PolicySettings) -> str:
    head = "".join(f'<th scope="col">{escape(SEVERITY_NAMES[s])}</th>' for s in policy.severities)
    rows = []
    for code, name in _plan_names(policy):
        cells = "".join(
            f"<td>{escape(_hours(policy.response_hours[(code, s)]))}</td>"
            if (code, s) in policy.response_hours
            else "<td>—</td>"
            for s in policy.severities
        )
        rows.append(f'<tr><th scope="row">{escape(name)}</th>{cells}</tr>')
    return (
        '<div class="table-wrap"><table class="times">'
        "<caption>Tiempo máximo de primera respuesta, en horas hábiles de Colombia</caption>"
        f'<thead><tr><th scope="col">Plan</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _severity_list(policy: PolicySettings) -> str:
    items = "".join(
        f"<li><strong>{escape(SEVERITY_NAMES[s])}</strong>: {escape(SEVERITY_MEANINGS[s])}.</li>"
        for s in policy.severities
    )
    return f'<ul class="severities">{items}</ul>'


def _plans_table(policy: PolicySettings) -> str:
    rows = []
    for plan in sorted(policy.plans, key=lambda p: p.rank):
        if plan.code == WARRANTY_PLAN:
            continue
        service = "Virtual y presencial" if plan.onsite else "Virtual"
        cells = (
            ("Categoría", str(plan.rank)),
            ("Servicio", service),
            ("Asesoría incluida", f"{plan.included_advisory_hours} h"),
            ("Mantenimientos", str(plan.included_maintenances)),
            ("Valor del plan", pesos(plan.price_before_iva)),
            ("Hora adicional", pesos(plan.extra_hour_rate)),
        )
        # data-label: on a phone each row is a small card that names its values (sitio.css).
        tds = "".join(f'<td data-label="{escape(label, quote=True)}">{escape(value)}</td>' for label, value in cells)
        rows.append(f'<tr><th scope="row">{escape(plan.name)}</th>{tds}</tr>')
    return (
        '<div class="table-wrap"><table class="plans">'
        "<caption>Planes de mantenimiento y soporte (valores antes de IVA)</caption>"
        '<thead><tr><th scope="col">Plan</th><th scope="col">Categoría</th><th scope="col">Servicio</th>'
        '<th scope="col">Asesoría incluida</th><th scope="col">Mantenimientos</th>'
        '<th scope="col">Valor del plan</th><th scope="col">Hora adicional</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _days(days: int, *, working: bool = False) -> str:
    word = "día hábil" if days == 1 and working else "días hábiles" if working else "día" if days == 1 else "días"
    return f"{days} {word}"


def _escalation_list(policy: PolicySettings) -> str:
    items = []
    for level in sorted(policy.escalation_levels, key=lambda e: e.level):
        if level.threshold <= 0:
            when = "desde que se abre el ticket"
        elif level.threshold == 1:
            when = "cuando se cumple el tiempo de respuesta sin respuesta"
        else:
            when = f"cuando pasa {f'{level.threshold:g}'.replace('.', ',')} veces el tiempo de respuesta"
        items.append(f"<li>Nivel {level.level} · {escape(level.title)}: {escape(when)}.</li>")
    return "<ol>" + "".join(items) + "</ol>"


def _closure_days(policy: PolicySettings, today: date) -> str:
    coming = sorted(d for d in policy.closure_days if d >= today)
    if not coming:
        return ""
    days = ", ".join(escape(long_date(d)) for d in coming)
    return f"<p>Además, makeR no atiende estos días de cierre: {days}.</p>"
