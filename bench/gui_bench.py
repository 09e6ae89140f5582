"""GUI benchmark (issue 5): the real main window on a 100,000-ticket SQLite file.

    python bench/gui_bench.py [--tickets N] [--keep PATH]

Prints, on this machine:
- launch: from starting a new Python process to the main window shown with the queue's first page
  (imports, Qt, opening and checking the database, signing in with an Argon2 check, building the
  window), measured by the parent process around a child that starts like `makersupport gui`;
- open a ticket: the ticket page filled (detail, timeline, "why this due time", recorded changes);
- apply a filter: a search typed in the queue, a status filter, the "mine" filter.
Goals: launch < 2 s, open < 100 ms, filter < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

LAUNCHES = 5
REPEAT = 9


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def child(db_url: str, data_dir: str) -> int:
    """Start like the app does, print when the queue is on screen, then time the interactions."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop_app import i18n
    from desktop_app.bootstrap import build_services
    from desktop_app.config import Settings
    from desktop_app.services.demo import DEMO_PASSWORD
    from desktop_app.ui import theme
    from desktop_app.ui.main_window import MainWindow

    language = i18n.install("es_CO")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_theme(app)
    translator = theme.install_qt_translator(app, language)  # noqa: F841 - kept alive
    services = build_services(Settings(db_url=db_url, data_dir=Path(data_dir)))
    actor = services.users.sign_in("admin", DEMO_PASSWORD)
    window = MainWindow(services.desk, QSettings(f"{data_dir}/ui.ini", QSettings.Format.IniFormat), actor)
    window.resize(1366, 768)
    window.show()
    while window.queue_view.model.rowCount() == 0 or not window.isVisible():
        app.processEvents()
    app.processEvents()
    print(f"shown {time.time():.6f}", flush=True)
    if "--launch-only" in sys.argv:
        window.close()
        services.close()
        return 0

    rows = window.queue_view.model._rows[:REPEAT]
    opens = []
    for row in rows:
        start = time.perf_counter()
        window.open_ticket(row.entry.id)
        app.processEvents()
        opens.append(time.perf_counter() - start)
    print(f"open {statistics.median(opens):.6f} {max(opens):.6f}", flush=True)

    view = window.queue_view
    window.show_page(0)

    def timed(change) -> float:  # type: ignore[no-untyped-def]
        runs = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            change(True)
            app.processEvents()
            runs.append(time.perf_counter() - start)
            change(False)
            app.processEvents()
        return statistics.median(runs)

    def search(on: bool) -> None:
        view.search.setText("extrusor" if on else "")
        view.apply_filter()

    def status(on: bool) -> None:
        view.status_filter.setCurrentIndex(2 if on else 0)

    def city(on: bool) -> None:
        view.city_filter.setCurrentIndex(view.city_filter.findData("Medellín") if on else 0)

    def mine(on: bool) -> None:
        view.mine_filter.setChecked(on)

    for name, change in (("search", search), ("status", status), ("city", city), ("mine", mine)):
        print(f"filter {name} {timed(change):.6f}", flush=True)
    window.close()
    services.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    args = parser.parse_args()

    from queue_bench import build

    folder = args.keep or Path(tempfile.mkdtemp(prefix="gui-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "bench.sqlite3"
    if not db_file.exists():
        start = time.perf_counter()
        build(folder, args.tickets)
        print(f"built {args.tickets:,} tickets (+300 demo) in {time.perf_counter() - start:.1f} s: {db_file}")
    db_url = f"sqlite:///{db_file}"

    def run_child(*extra: str) -> tuple[float, list[str]]:
        spawned = time.time()
        output = subprocess.run(
            [sys.executable, __file__, "--child", db_url, str(folder), *extra],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        shown = float(next(line for line in output if line.startswith("shown")).split()[1])
        return shown - spawned, output

    launches = [run_child("--launch-only")[0] for _ in range(LAUNCHES)]
    print(
        f"launch to queue shown     {_ms(statistics.median(launches))} median of {LAUNCHES},"
        f" {_ms(max(launches))} worst   goal < 2 s"
    )
    _launch, output = run_child()
    for line in output:
        parts = line.split()
        if parts[0] == "open":
            print(
                f"open a ticket             {_ms(float(parts[1]))} median, {_ms(float(parts[2]))} worst   goal < 100 ms"
            )
        elif parts[0] == "filter":
            print(f"filter: {parts[1]:<17} {_ms(float(parts[2]))} median per change   goal < 150 ms")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2], sys.argv[3]))
    sys.exit(main())
