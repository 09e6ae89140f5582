"""Screenshots of every main screen, in Spanish and English, at 1366x768 and 1920x1080.

Runs a real window under Xvfb (started here with xvfb-run when there is no display) on a fresh
demo database, and writes PNGs to artifacts/screenshots/. Look at them after every UI change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "screenshots"


def _capture(language: str, width: int, height: int) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop_app import i18n
    from desktop_app.bootstrap import build_services
    from desktop_app.config import Settings
    from desktop_app.services.demo import DEMO_PASSWORD
    from desktop_app.ui import theme
    from desktop_app.ui.main_window import MainWindow, Page

    i18n.install(language)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_theme(app)
    theme.install_qt_translator(app, language)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_url=f"sqlite:///{tmp}/demo.sqlite3", data_dir=Path(tmp))
        services = build_services(settings)
        services.demo.load(services.tickets.now())
        window = MainWindow(
            services.desk,
            QSettings(f"{tmp}/ui.ini", QSettings.Format.IniFormat),
            services.users.sign_in("admin", DEMO_PASSWORD),
        )
        window.resize(width, height)
        window.show()
        tag = f"{language}_{width}x{height}"

        def shot(name: str) -> None:
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(OUT / f"{name}_{tag}.png"))

        window.queue_view.table.selectRow(0)
        shot("queue")
        first = window.queue_view.selected_ticket_id()
        with_attachments = next(
            (r.entry.id for r in window.queue_view.model._rows if services.tickets.get_ticket(r.entry.id).attachments),
            first,
        )
        window.open_ticket(with_attachments)
        shot("ticket")
        dialog = window.new_ticket()
        machine = services.machines.search("MK-R2-230055")[0]
        dialog.choose_machine(machine.id)
        dialog.description.setPlainText("La resina no se adhiere a la plataforma desde el cambio de película FEP.")
        for _ in range(5):
            app.processEvents()
        dialog.grab().save(str(OUT / f"intake_{tag}.png"))
        dialog.reject()
        window.open_machine(int(machine.id))
        shot("machines")
        window.show_page(Page.CONTRACTS)
        window.contract_view.table.selectRow(0)
        shot("contracts")
        window.show_page(Page.SETTINGS)
        for index in range(window.policy_view.tabs.count()):
            window.policy_view.tabs.setCurrentIndex(index)
            shot(f"settings_{index}")
        window.queue_view.search.setText("zzz-no-such-ticket")
        window.queue_view.apply_filter()
        window.show_page(Page.QUEUE)
        shot("queue_empty")
        window.show_page(Page.CUSTOMERS)
        window.customers_view.table.selectRow(0)
        shot("customers")
        _import_with_problems(app, window, Path(tmp), tag)
        window.close()
        services.close()
    _first_run_guide(app, width, height, tag)


def _settle(app, until=lambda: True, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Let the window's background work (a dry run, a save) finish and paint."""
    import time

    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()


def _import_with_problems(app, window, folder: Path, tag: str) -> None:  # type: ignore[no-untyped-def]
    """File → Import with a customers file of three rows, two refused, after its dry run."""
    from desktop_app.domain.importing import ImportKind

    path = folder / "clientes.csv"
    path.write_text(
        "Razón social;NIT;Ciudad;Correo\n"
        "Laboratorio Nuevo S.A.S.;901234567-7;Pereira;compras@nuevo.co\n"
        "NIT con dígito malo;901234567-1;Cali;\n"
        "Ciudad que no existe;800200300-5;Barranqilla;\n",
        encoding="utf-8",
    )
    dialog = window.menus.import_file(ImportKind.CUSTOMERS)
    dialog.open_file(path)
    _settle(app, lambda: dialog.check_button.isEnabled() and dialog.columns_table.rowCount() > 0)
    dialog.check()
    _settle(app, lambda: dialog.check_button.isEnabled() and dialog.problems_table.rowCount() > 0)
    dialog.grab().save(str(OUT / f"import_problems_{tag}.png"))
    dialog.reject()


def _first_run_guide(app, width: int, height: int, tag: str) -> None:  # type: ignore[no-untyped-def]
    """A new installation: the first administrator, then the guide over the window, at its first step."""
    from PySide6.QtCore import QSettings

    from desktop_app.bootstrap import build_services
    from desktop_app.config import Settings
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.views.first_run_guide import offer_guide

    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(db_url=f"sqlite:///{tmp}/new.sqlite3", data_dir=Path(tmp)))
        actor = services.users.create_first_admin("admin", "Carolina Gómez", "c@somosmaker.com", "una-clave-larga")
        settings = QSettings(f"{tmp}/ui.ini", QSettings.Format.IniFormat)
        window = MainWindow(services.desk, settings, actor)
        window.resize(width, height)
        window.show()
        guide = offer_guide(window.menus, services.desk, actor, settings, first_admin_created=True)
        assert guide is not None
        _settle(app)
        guide.grab().save(str(OUT / f"first_run_guide_{tag}.png"))
        guide.go_to(2)
        _settle(app)
        guide.grab().save(str(OUT / f"first_run_guide_customers_{tag}.png"))
        guide.close()
        window.close()
        services.close()


def main() -> int:
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        if shutil.which("xvfb-run") is None:
            print("xvfb-run is missing: run `make system-deps-test` first", file=sys.stderr)
            return 1
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, *sys.argv])
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [(1366, 768), (1920, 1080)]
    languages = sys.argv[1:] or ["es_CO", "en"]
    for language in languages:
        for width, height in sizes:
            _capture(language, width, height)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
