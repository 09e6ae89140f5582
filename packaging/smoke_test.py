"""Start the frozen build offscreen on an empty database and fail on any import or plugin error.

The window starts without ReportLab, zxing-cpp, cryptography, OpenCV or PDFium (they load on first
use), so a label sheet, a certificate and its verification are made too: each proves its part of
the bundle.

python packaging/smoke_test.py dist/makersupport
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else "dist/makersupport")
    binary = bundle / ("makersupport.exe" if os.name == "nt" else "makersupport")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MAKERSUPPORT_DATA_DIR": data}
        labels, certificate = str(Path(data) / "labels.pdf"), str(Path(data) / "certificate.pdf")
        checks = [
            [str(binary), "db", "upgrade"],
            [str(binary), "demo"],
            [str(binary), "gui", "--smoke"],
            [str(binary), "labels", "--out", labels, "--customer", "1"],
            [str(binary), "certificate", "issue", "--contract", "1", "--out", certificate],
            [str(binary), "certificate", "verify", certificate],
        ]
        for command in checks:
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
            output = result.stdout + result.stderr
            broken = "Traceback" in output or "Could not load the Qt platform plugin" in output
            if result.returncode != 0 or broken:
                print(f"FAILED: {' '.join(command)}\n{output}", file=sys.stderr)
                return 1
            print(f"ok: {' '.join(command[1:])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
