"""R2: the machine label's QR payload, written and read back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.qr import (
    LABEL_URL_PREFIX,
    SERIAL_PATTERN,
    Foreign,
    ForeignCode,
    ScannedLabel,
    label_payload,
    read_label,
)

serials = st.from_regex(SERIAL_PATTERN, fullmatch=True)


@given(serials)
def test_r2_every_label_reads_back_to_its_serial(serial: str) -> None:
    assert read_label(label_payload(serial)) == ScannedLabel(serial.upper())


@given(st.text())
def test_r2_any_text_is_accepted_or_refused_never_a_crash(text: str) -> None:
    result = read_label(text)
    assert isinstance(result, ScannedLabel | ForeignCode)
    if isinstance(result, ScannedLabel):
        # Only a label's own text is ever accepted, give or take blanks, case, http and www.
        normal = text.strip().lower().replace("http://", "https://", 1).replace("://www.", "://", 1)
        assert normal == label_payload(result.serial).lower()


@given(serials, st.sampled_from([" ", "\n", "\t", "\r\n", "  \n"]), st.booleans())
def test_r2_reading_tolerates_blanks_and_case(serial: str, blank: str, lower: bool) -> None:
    payload = label_payload(serial)
    scanned = blank + (payload.lower() if lower else payload) + blank
    assert read_label(scanned) == ScannedLabel(serial.upper())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", Foreign.EMPTY),
        ("   \n", Foreign.EMPTY),
        ("https://somosmaker.com/soporte/c/eyJjZXJ0IjoxfQ", Foreign.CERTIFICATE),
        ("https://example.com/soporte/m/MK-M3-230001", Foreign.OTHER_URL),
        ("https://somosmaker.com/soporte/m/MK-M3-230001?utm=1", Foreign.OTHER_URL),
        ("https://somosmaker.com/soporte/m/MK-M3-230001/", Foreign.OTHER_URL),
        ("https://somosmaker.com/soporte/m/MK-M3-230001/extra", Foreign.OTHER_URL),
        ("https://somosmaker.com.evil.co/soporte/m/MK-M3-230001", Foreign.OTHER_URL),
        ("https://somosmaker.com/soporte/m/MK M3", Foreign.OTHER_URL),
        ("https://somosmaker.com/soporte/m/ſK-M3-230001", Foreign.OTHER_URL),  # long s is not an S
        ("WIFI:S:makeR;T:WPA;P:secreto;;", Foreign.TEXT),
        ("MK-M3-230001", Foreign.TEXT),  # a bare serial is not a label
        ("https://somosmaker.com/soporte/m/MK-M3-230001\nMK-R1-1", Foreign.OTHER_URL),
    ],
)
def test_r2_foreign_codes_are_named_not_guessed(text: str, kind: Foreign) -> None:
    result = read_label(text)
    assert isinstance(result, ForeignCode) and result.kind is kind


def test_r2_the_label_url_opens_makers_support_page() -> None:
    assert label_payload(" mk-r2-230055 ") == "https://somosmaker.com/soporte/m/MK-R2-230055"
    assert label_payload("MK-R2-230055").startswith(LABEL_URL_PREFIX)
    assert read_label("HTTP://WWW.SOMOSMAKER.COM/SOPORTE/M/mk-r2-230055") == ScannedLabel("MK-R2-230055")
    with pytest.raises(ValueError):
        label_payload("MK R2")
