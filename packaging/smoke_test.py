"""Start the frozen build offscreen on an empty database and fail on any import or plugin error.

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
        checks = [[str(binary), "db", "upgrade"], [str(binary), "demo"], [str(binary), "gui", "--smoke"]]
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
