"""Start-up benchmark (issue 11): `makersupport gui --smoke` against a bare PySide6 window, paired.

    python bench/startup_bench.py [--runs N] [--top K] [--keep DIR]

Both are new Python processes started by this one, with QT_QPA_PLATFORM=offscreen:
- bare: QApplication + a QMainWindow shown + processEvents, then exit: what any PySide6 program pays;
- app: `python -m desktop_app --db sqlite:///… gui --smoke` on a demo database prepared once in a temporary
  folder (`makersupport demo`): settings, services and a current schema check, Qt, the theme, then the
  sign-in dialog is shown and closed once drawn (app.py), like the packaging smoke test.

They run alternately (bare, app, app, bare, …) after one discarded warm-up of each, so both see the same
machine load; the figure that counts is the paired ratio, the median of app/bare over the pairs. A
last app run with `-X importtime` gives the import costs: by top-level package (self time summed) and
the heaviest first-party modules (cumulative). Goal: paired ratio ≤ 5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 5.0
TIMEOUT_S = 120

BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(800, 600)
window.show()
app.processEvents()
sys.exit(0)
"""

# Imported only when a document is made, a password is needed or a migration runs (issue 11).
WATCHED = ("reportlab", "alembic", "keyring", "zxingcpp", "numpy", "cv2", "psycopg", "PySide6.QtPdf")


@dataclass(frozen=True)
class Import:
    module: str
    self_us: int
    cumulative_us: int


def _environment(folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MAKERSUPPORT_DATA_DIR": str(folder),
        "MAKERSUPPORT_CONFIG_DIR": str(folder / "config"),  # no connection.json of the user's
        "XDG_CONFIG_HOME": str(folder / "xdg"),  # QSettings: not the user's window state
    }
    env.pop("MAKERSUPPORT_DB_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # both sides load compiled .pyc files, as users do
    return env


def _app_command(db_url: str, *python_options: str) -> list[str]:
    return [sys.executable, *python_options, "-m", "desktop_app", "--db", db_url, "gui", "--smoke"]


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes; 0 where the OS does not say."""
    if resource is None:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, CPU seconds, the finished process)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    try:
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # e.g. an error dialog waiting for a click: the database is from a newer program, or unreadable.
        raise SystemExit(f"{' '.join(command[-3:])} did not finish in {TIMEOUT_S} s") from None
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[-3:]} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return elapsed, _children_cpu() - cpu, result


def parse_importtime(stderr: str) -> list[Import]:
    """The `-X importtime` lines: 'import time: self [us] | cumulative | imported package'."""
    found = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            self_part, cumulative_part, name = line.removeprefix("import time:").split("|", 2)
            found.append(Import(name.strip(), int(self_part), int(cumulative_part)))
        except ValueError:
            continue
    return found


def _report_imports(imports: list[Import], top: int) -> None:
    total = sum(i.self_us for i in imports)
    by_package: dict[str, int] = defaultdict(int)
    for i in imports:
        by_package[i.module.split(".")[0]] += i.self_us
    print(f"\nImports of the app run (-X importtime): {len(imports)} modules, {total / 1000:.0f} ms in all")
    print("  by top-level package (self time):")
    for package, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {us / 1000:8.1f} ms  {package}")
    print("  heaviest first-party modules (cumulative, includes what they import):")
    ours = sorted((i for i in imports if i.module.startswith("desktop_app")), key=lambda i: -i.cumulative_us)
    for i in ours[:top]:
        print(f"    {i.cumulative_us / 1000:8.1f} ms  {i.module}")
    names = {i.module for i in imports}
    loaded = [w for w in WATCHED if w in names]
    print(f"  loaded at start-up, of {', '.join(WATCHED)}: {', '.join(loaded) or 'none'}")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="pairs to time (default 7)")
    parser.add_argument("--top", type=int, default=12, help="rows in each import table (default 12)")
    parser.add_argument("--keep", type=Path, help="prepare the demo database here and keep it")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="startup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = _environment(folder)
    db_url = f"sqlite:///{folder / 'demo.sqlite3'}"
    try:
        if not (folder / "demo.sqlite3").exists():
            prepare = [sys.executable, "-m", "desktop_app", "--db", db_url, "demo"]
            seconds, _cpu, _result = _timed(prepare, env)
            print(f"Demo database prepared in {seconds:.1f} s: {folder / 'demo.sqlite3'}")
        bare = [sys.executable, "-c", BARE_WINDOW]
        app = _app_command(db_url)
        _timed(bare, env)  # warm-up: disk cache, .pyc files, fontconfig cache
        _timed(app, env)
        bare_times: list[float] = []
        app_times: list[float] = []
        cpu: dict[str, list[float]] = {"bare": [], "app": []}
        for run in range(args.runs):
            # Which one goes first alternates, so a load spike does not always hit the same side.
            order = (("bare", bare), ("app", app)) if run % 2 == 0 else (("app", app), ("bare", bare))
            for kind, command in order:
                seconds, cpu_seconds, _result = _timed(command, env)
                (bare_times if kind == "bare" else app_times).append(seconds)
                cpu[kind].append(cpu_seconds)
            print(f"  pair {run + 1}: bare {_ms(bare_times[-1])}   app {_ms(app_times[-1])}", flush=True)
        ratios = [a / b for a, b in zip(app_times, bare_times, strict=True)]
        ratio = statistics.median(ratios)
        print(f"\nbare PySide6 window       median {_ms(statistics.median(bare_times))}")
        print(f"makersupport gui --smoke  median {_ms(statistics.median(app_times))}")
        print(
            f"paired ratio (median of app/bare over {args.runs} pairs): {ratio:.2f}×  "
            f"(range {min(ratios):.2f}–{max(ratios):.2f}; goal ≤ {GOAL_RATIO:g}×: "
            f"{'met' if ratio <= GOAL_RATIO else 'NOT met'})"
        )
        if all(cpu.values()) and min(cpu["bare"]) > 0:
            # Less disturbed by other programs than wall time (what the processes computed, not waited).
            cpu_ratio = statistics.median(a / b for a, b in zip(cpu["app"], cpu["bare"], strict=True))
            print(
                f"CPU time (user + system), medians: bare {_ms(statistics.median(cpu['bare']))}, "
                f"app {_ms(statistics.median(cpu['app']))}; paired CPU ratio {cpu_ratio:.2f}×"
            )
        _wall, _cpu, traced = _timed(_app_command(db_url, "-X", "importtime"), env)
        _report_imports(parse_importtime(traced.stderr), args.top)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
