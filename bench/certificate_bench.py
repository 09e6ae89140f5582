"""Certificate benchmark (issue 7): time to issue one certificate, and a batch of 1,000.

    python bench/certificate_bench.py [--batch N]

Issuing is the whole use case on a SQLite file: read the contract, number it, sign its facts
(Ed25519), render the one-page PDF with its QR (ReportLab, zxing-cpp modules), record it. Also
prints the PDF rendering alone with zxing-cpp modules and with ReportLab's own QR encoder, and the
verification of a certificate from its QR text. Goal: < 100 ms per certificate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app import i18n
from desktop_app.bootstrap import build_services
from desktop_app.config import Settings
from desktop_app.devices.qr_encoder import qr_modules
from desktop_app.documents.certificate_pdf import render_certificate
from desktop_app.documents.qr_drawing import reportlab_modules
from desktop_app.domain.permissions import SYSTEM
from desktop_app.services.clock import FixedClock
from desktop_app.signing import generate_keys
from tests.conftest import DEMO_NOW


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    i18n.install("es_CO")
    folder = Path(tempfile.mkdtemp(prefix="certificate-bench-"))
    settings = Settings(db_url=f"sqlite:///{folder / 'bench.sqlite3'}", data_dir=folder)
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    services.demo.load(DEMO_NOW)
    generate_keys(settings.keys_dir)
    contracts = [c for c in services.contracts.list_contracts() if services.contracts.state_of(c).in_force]
    contracts = [c for c in contracts if c.machines]
    print(f"{len(contracts)} active contracts with machines in the demo data; {settings.db_url}")

    singles = []
    for contract in contracts[:20]:
        start = time.perf_counter()
        issued = services.certificates.issue(contract.id, actor=SYSTEM)
        singles.append(time.perf_counter() - start)
    print(f"issue one certificate      {_ms(statistics.median(singles))} median of {len(singles)}, "
          f"{_ms(max(singles))} worst   goal < 100 ms")  # fmt: skip

    start = time.perf_counter()
    last = 0.0
    for n in range(args.batch):
        services.certificates.issue(contracts[n % len(contracts)].id, actor=SYSTEM)
        done = time.perf_counter() - start
        if done - last >= 2 or n + 1 == args.batch:  # what the GUI's progress bar would show
            print(f"  … {n + 1:5d} / {args.batch} in {done:5.1f} s", flush=True)
            last = done
    batch = time.perf_counter() - start
    print(f"batch of {args.batch:,}              {batch:7.1f} s, {_ms(batch / args.batch)} each")

    data = issued.data
    for name, encoder in (("zxing-cpp modules", qr_modules), ("ReportLab encoder", reportlab_modules)):
        runs = []
        for _ in range(10):
            start = time.perf_counter()
            render_certificate(data, issued.qr_text, qr_modules=encoder)
            runs.append(time.perf_counter() - start)
        print(f"render PDF ({name:17}) {_ms(statistics.median(runs))} median")
    runs = []
    for _ in range(50):
        start = time.perf_counter()
        services.certificates.verify(issued.qr_text)
        runs.append(time.perf_counter() - start)
    print(f"verify from the QR text    {_ms(statistics.median(runs))} median")
    print(f"QR text: {len(issued.qr_text)} characters")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
