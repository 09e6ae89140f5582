"""Start-up imports only what the first screen needs (issue 11): ReportLab, Alembic, keyring, the QR
encoder and the camera stack load when first used, and everything still works when they do.

Each check runs in a new Python process: this test process has long imported all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_settings

# Not needed to show the main window on a SQLite database whose schema is current.
DEFERRED = (
    "reportlab",
    "alembic",
    "keyring",
    "zxingcpp",
    "numpy",
    "cv2",
    "PySide6.QtPdf",
    "psycopg",
    "sqlalchemy.dialects.postgresql",
)
# Nor, before sign-in, the holiday tables (working time) and the certificate signatures.
NOT_BEFORE_SIGN_IN = (*DEFERRED, "holidays", "cryptography")


def _python(code: str, *args: str, data_dir: Path) -> list[str]:
    """Run `code` in a new interpreter; its last output line is a JSON value, returned."""
    env = {
        **os.environ,
        "MAKERSUPPORT_DATA_DIR": str(data_dir),
        "MAKERSUPPORT_CONFIG_DIR": str(data_dir / "config"),
        "MAKERSUPPORT_LANG": "en",
    }
    env.pop("MAKERSUPPORT_DB_URL", None)
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _loaded(modules: list[str], *prefixes: str) -> list[str]:
    return sorted({p for p in prefixes for m in modules if m == p or m.startswith(p + ".")})


def test_the_gui_start_path_to_the_sign_in_dialog_does_not_import_documents_alembic_keyring_or_devices(
    demo_folder: Path,
) -> None:
    """`makersupport gui --smoke`, as packaging runs it: settings, services, the sign-in dialog."""
    code = (
        "import json, sys\n"
        "from desktop_app.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    url = make_settings(demo_folder).db_url
    exit_code, modules = _python(code, "--db", url, "gui", "--smoke", data_dir=demo_folder)
    assert exit_code == 0
    assert "desktop_app.ui.views.sign_in_dialog" in modules  # the first screen was really built
    assert _loaded(modules, *NOT_BEFORE_SIGN_IN) == []


def test_a_current_database_is_opened_without_alembic_and_an_empty_one_through_it(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from desktop_app.bootstrap import build_services\n"
        "from desktop_app.config import Settings\n"
        "services = build_services(Settings(db_url=sys.argv[1], data_dir=Path(sys.argv[2])))\n"
        "admin_needed = services.users.needs_first_admin()\n"
        "services.close()\n"
        "print(json.dumps([admin_needed, 'alembic' in sys.modules]))\n"
    )
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    # A new file: created by Alembic's migrations.
    assert _python(code, url, str(tmp_path), data_dir=tmp_path) == [True, True]
    # The same file again, now current: one query, no Alembic.
    assert _python(code, url, str(tmp_path), data_dir=tmp_path) == [True, False]


def test_documents_load_reportlab_and_the_qr_encoder_on_first_use_and_still_render(demo_folder: Path) -> None:
    """A label sheet, a statement and a certificate through the services as bootstrap wires them."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from desktop_app.bootstrap import build_services\n"
        "from desktop_app.config import Settings\n"
        "from desktop_app.domain.permissions import SYSTEM\n"
        "from desktop_app.signing import generate_keys\n"
        "services = build_services(Settings(db_url=sys.argv[1], data_dir=Path(sys.argv[2])))\n"
        "generate_keys(services.settings.keys_dir)\n"
        "before = 'reportlab' in sys.modules or 'zxingcpp' in sys.modules\n"
        "certificates = services.certificates\n"
        "contract = next(c for c in services.contracts.list_contracts() if not certificates.refusal(c))\n"
        "labels, count = services.machines.labels_pdf(customer_id=contract.customer_id)\n"
        "billing = services.billing\n"
        "customers = [c.customer_id for c in services.contracts.list_contracts()]\n"
        "billable = next(c for c in customers if billing.customer_statement(c).totals.total)\n"
        "statement = billing.customer_pdf(billable)\n"
        "issued = certificates.issue(contract.id, actor=SYSTEM, paper='a4')\n"
        "services.close()\n"
        "pdfs = [pdf[:5].decode() for pdf in (labels, statement, issued.pdf)]\n"
        "print(json.dumps([before, count, pdfs, 'reportlab' in sys.modules, 'zxingcpp' in sys.modules]))\n"
    )
    settings = make_settings(demo_folder)
    before, count, pdfs, reportlab_after, zxing_after = _python(
        code, settings.db_url, str(demo_folder), data_dir=demo_folder
    )
    assert before is False
    assert count > 0 and pdfs == ["%PDF-"] * 3
    assert reportlab_after and zxing_after


def test_the_main_window_after_sign_in_leaves_documents_and_the_camera_for_their_first_use(demo_folder: Path) -> None:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from desktop_app.bootstrap import build_services\n"
        "from desktop_app.config import Settings\n"
        "from desktop_app.services.demo import DEMO_PASSWORD\n"
        "from desktop_app.ui.main_window import MainWindow\n"
        "app = QApplication(sys.argv[:1])\n"
        "services = build_services(Settings(db_url=sys.argv[1], data_dir=Path(sys.argv[2])))\n"
        "actor = services.users.sign_in('admin', DEMO_PASSWORD)\n"
        "ui = QSettings(sys.argv[2] + '/ui.ini', QSettings.Format.IniFormat)\n"
        "window = MainWindow(services.desk, ui, actor)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "shown = window.isVisible()\n"
        "window.close()\n"
        "services.close()\n"
        "print(json.dumps([shown, sorted(sys.modules)]))\n"
    )
    shown, modules = _python(code, make_settings(demo_folder).db_url, str(demo_folder), data_dir=demo_folder)
    assert shown
    assert _loaded(modules, *DEFERRED) == []


def test_the_program_entry_collects_garbage_again_after_start_up_and_keeps_its_modules_out_of_it(
    tmp_path: Path,
) -> None:
    """`python -m desktop_app` (and the packaged program) pause the collector only while importing:
    a long-running command (the worker, the window) must collect again, and the imported objects
    are frozen out of every later collection."""
    code = (
        "import atexit, gc, json, runpy, sys\n"
        "atexit.register(lambda: print(json.dumps([gc.isenabled(), gc.get_freeze_count()])))\n"
        "sys.argv = ['makersupport', 'calendar', 'holidays', '2026']\n"
        "runpy.run_module('desktop_app', run_name='__main__')\n"
    )
    enabled, frozen = _python(code, data_dir=tmp_path)
    assert enabled is True
    assert frozen > 10_000  # the program's modules, classes and functions


def test_every_launcher_starts_through_the_same_frozen_import() -> None:
    """`makersupport` (what `make run` opens), `makersupport-gui` and `python -m desktop_app` start
    alike, so the start-up the bench measures is the one people get."""
    import tomllib

    from desktop_app import launcher

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    entries = {**project["project"]["scripts"], **project["project"]["gui-scripts"]}
    assert entries == {"makersupport": "desktop_app.launcher:main", "makersupport-gui": "desktop_app.launcher:gui_main"}
    assert callable(launcher.main) and callable(launcher.gui_main)
    main_module = (Path(launcher.__file__).parent / "__main__.py").read_text(encoding="utf-8")
    assert "from desktop_app.launcher import main" in main_module
