"""Start the frozen build offscreen on an empty database and fail on any import or plugin error.

The window starts without ReportLab, zxing-cpp, cryptography, OpenCV or PDFium (they load on first
use), so a label sheet, a certificate and its verification are made too: each proves its part of
the bundle.

python packaging/smoke_test.py dist/makersupport        (a one-folder build)
python packaging/smoke_test.py /usr/bin/makersupport   (the program itself, e.g. as a .deb installed it)

Commands that change data sign in as the demo administrator the demo data set creates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# The demo users' password (desktop_app/services/demo.py); the smoke test must not import the app.
DEMO_PASSWORD = "makerdemo"


def main() -> int:
    given = Path(sys.argv[1] if len(sys.argv) > 1 else "dist/makersupport")
    binary = given / ("makersupport.exe" if os.name == "nt" else "makersupport") if given.is_dir() else given
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MAKERSUPPORT_DATA_DIR": data}
        # The throwaway folder's database and settings, never the desk's own.
        env.pop("MAKERSUPPORT_DB_URL", None)
        env["XDG_CONFIG_HOME"] = str(Path(data) / "config")
        env.update({"MAKERSUPPORT_USER": "admin", "MAKERSUPPORT_PASSWORD": DEMO_PASSWORD})
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
