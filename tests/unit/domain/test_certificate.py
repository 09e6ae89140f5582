"""R15: the facts a certificate's QR carries, bounded so the code always prints legibly at 48 mm."""

from __future__ import annotations

import random
import zlib
from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.certificate import (
    MAX_QR_TEXT,
    CertificateData,
    CertifiedMachine,
    from_payload,
    qr_payload,
    qr_text_length,
    serials_digest,
    to_payload,
)


def _data(
    name: str = "Universidad del Norte", serials: tuple[str, ...] = ("MK-M3-UNI_M3",), **texts: str
) -> CertificateData:
    return CertificateData(
        number=texts.get("number", "CERT-2026-00001"),
        contract_id=3,
        customer_name=name,
        customer_tax_id=texts.get("tax_id", "9003"),
        plan_code=texts.get("plan_code", "profesional"),
        plan_name=texts.get("plan_name", "Profesional"),
        special=False,
        invoice_number=texts.get("invoice", "FE-c_uni"),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 6, 30),
        machines=tuple(CertifiedMachine("makeR M3", serial) for serial in serials),
        issued_on=date(2026, 12, 1),
    )


def test_R15_facts_that_fit_travel_in_full_with_the_bytes_earlier_versions_wrote() -> None:
    data = _data()
    assert zlib.decompress(to_payload(data)) == (
        b'{"a":"2026-01-01","b":"2027-06-30","c":"Universidad del Norte","f":"FE-c_uni","i":"2026-12-01","k":3,'
        b'"m":["MK-M3-UNI_M3"],"n":"CERT-2026-00001","p":"profesional","pn":"Profesional","s":0,"t":"9003","v":1}'
    )
    assert qr_payload(data) == to_payload(data)  # version 1: older installations still read it
    assert from_payload(qr_payload(data)) == replace(data, machines=(CertifiedMachine("", "MK-M3-UNI_M3"),))


def test_R15_the_worst_facts_still_fit_a_qr_that_prints_legibly() -> None:
    """Incompressible text in 4-byte characters, characters JSON must escape, lone surrogates, huge ids
    and 10,000 machines: the QR's text stays within MAX_QR_TEXT and reads back."""
    rng = random.Random(12)

    def astral(n: int) -> str:
        return "".join(chr(rng.randrange(0x20000, 0x2FFFF)) for _ in range(n))

    def escaped(n: int) -> str:
        return "".join(rng.choice('\x01\x1f"\\\ud800\udfff') for _ in range(n))

    for text in (astral, escaped):
        serials = tuple(text(40) for _ in range(10_000))
        data = _data(
            text(5000),
            serials,
            number=text(40),
            tax_id=text(100),
            plan_code=text(50),
            plan_name=text(200),
            invoice=text(100),
        )
        payload = qr_payload(data)
        assert qr_text_length(payload) <= MAX_QR_TEXT < qr_text_length(to_payload(data))
        carried = from_payload(payload)
        assert carried.shortened and carried.machines == () and carried.covered_machines == 10_000
        assert carried.serials_digest == serials_digest(serials)
        assert carried.customer_name.endswith("…") and len(carried.customer_name) < 200


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(max_size=6000),
    serials=st.lists(st.text(min_size=1, max_size=40), max_size=500),
    invoice=st.text(max_size=300),
)
def test_R15_any_facts_give_a_qr_that_fits_and_reads_back_what_it_carries(
    name: str, serials: list[str], invoice: str
) -> None:
    data = _data(name, tuple(serials), invoice=invoice)
    payload = qr_payload(data)
    assert qr_text_length(payload) <= MAX_QR_TEXT
    carried = from_payload(payload)
    assert carried.covered_machines == len(serials)
    if not carried.shortened:
        assert carried.customer_name == name and [m.serial for m in carried.machines] == serials
    else:  # a cut text is the start of the real one (lone surrogates shown as U+FFFD)
        clean = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in name)
        assert carried.customer_name == clean or (
            carried.customer_name.endswith("…") and clean.startswith(carried.customer_name[:-1])
        )


def test_R15_a_lone_surrogate_in_a_name_is_carried_instead_of_failing() -> None:
    data = _data("Colegio \ud83d Bolívar")
    assert from_payload(qr_payload(data)).customer_name == "Colegio \ud83d Bolívar"
