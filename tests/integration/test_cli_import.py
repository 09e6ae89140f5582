"""`makersupport import` and `makersupport export`, run as a user runs them: a separate process on the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from desktop_app.bootstrap import build_services
from desktop_app.persistence.tables import CustomerRecord, MachineRecord
from tests.conftest import make_settings, signed_in_env


def run(*args: str, data_dir: Path, signed_in: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MAKERSUPPORT_DATA_DIR": str(data_dir),
        "MAKERSUPPORT_LANG": "es_CO",
        "QT_QPA_PLATFORM": "offscreen",
        **(signed_in_env() if signed_in else {}),
    }
    env.pop("MAKERSUPPORT_DB_URL", None)
    if not signed_in:
        env.pop("MAKERSUPPORT_USER", None)
        env.pop("MAKERSUPPORT_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _demo_facts(folder: Path) -> tuple[str, str, int, int]:
    """A demo customer's NIT, a model's name, and how many customers and machines there are."""
    services = build_services(make_settings(folder))
    try:
        with services.uow_factory() as uow:
            tax_id = next(iter(uow.imports.customers_by_tax_id()))
            model = uow.imports.models()[0].name
        with services.engine.connect() as connection:
            customers = connection.scalar(select(func.count()).select_from(CustomerRecord))
            machines = connection.scalar(select(func.count()).select_from(MachineRecord))
    finally:
        services.close()
    return tax_id, model, int(customers or 0), int(machines or 0)


def _count(folder: Path, table: type) -> int:
    services = build_services(make_settings(folder))
    try:
        with services.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        services.close()


def test_import_machines_dry_run_prints_each_problem_and_exits_1(demo_folder: Path, tmp_path: Path) -> None:
    tax_id, model, _customers, machines = _demo_facts(demo_folder)
    path = tmp_path / "maquinas.csv"
    path.write_text(
        "Serial;Modelo;NIT;Fecha de compra\n"
        f"MK-NEW-0001;{model};{tax_id};2026-01-15\n"
        f"MK-NEW-0002;{model};901234567-7;2026-01-15\n"  # no such customer
        f"MK-NEW-0003;Impresora X;{tax_id};15/01/2026\n"  # no such model
        f"MK-NEW-0004;{model};{tax_id};enero 15\n"  # not a date
        f"MK-NEW-0001;{model};{tax_id};2026-01-15\n",  # repeated serial
        encoding="utf-8",
    )
    result = run("import", "machines", str(path), "--dry-run", data_dir=demo_folder, signed_in=False)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == [
        "fila 3, columna NIT",
        "fila 4, columna Modelo",
        "fila 5, columna Fecha de compra",
        "fila 6, columna Serial",
    ]
    assert "AAAA-MM-DD o DD/MM/AAAA" in lines[2]
    assert "ya está en la fila 2" in lines[3]
    assert "Simulacro: 5 filas leídas, 1 válida, 4 filas rechazadas; no se guardó nada." in lines[-1]
    assert _count(demo_folder, MachineRecord) == machines


def test_import_writes_valid_rows_signed_in_and_a_reimport_updates(demo_folder: Path, tmp_path: Path) -> None:
    _tax_id, _model, customers, _machines = _demo_facts(demo_folder)
    path = tmp_path / "clientes.csv"
    path.write_text(
        "Razón social;NIT;Ciudad\nLaboratorio Nuevo;901234567-7;Pereira\nMalo;901234567-1;Cali\n", encoding="utf-8"
    )
    refused = run("import", "customers", str(path), "--all-or-nothing", data_dir=demo_folder)
    assert refused.returncode == 1
    assert "No se guardó nada" in refused.stdout and _count(demo_folder, CustomerRecord) == customers
    first = run("import", "customers", str(path), data_dir=demo_folder)
    assert first.returncode == 1 and "fila 3, columna NIT" in first.stdout
    assert "1 registro creado, 0 actualizados; 1 fila rechazada." in first.stdout
    again = run("import", "customers", str(path), data_dir=demo_folder)
    assert "0 registros creados, 1 actualizado" in again.stdout
    assert _count(demo_folder, CustomerRecord) == customers + 1


def test_import_needs_a_signed_in_person_and_unreadable_input_exits_2(demo_folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "clientes.csv"
    path.write_text("Razón social;NIT;Ciudad\nX;901234567-7;Cali\n", encoding="utf-8")
    nobody = run("import", "customers", str(path), data_dir=demo_folder, signed_in=False)
    assert nobody.returncode == 2 and "--user" in nobody.stderr
    (tmp_path / "vacio.xlsx").write_bytes(b"")
    empty = run("import", "customers", str(tmp_path / "vacio.xlsx"), "--dry-run", data_dir=demo_folder)
    assert empty.returncode == 2 and "el archivo está vacío" in empty.stderr
    assert "Traceback" not in empty.stderr + nobody.stderr


def test_export_writes_a_new_file_and_never_overwrites(demo_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "maquinas.xlsx"
    first = run("export", "machines", "--out", str(out), data_dir=demo_folder, signed_in=False)
    assert first.returncode == 0, first.stderr
    assert out.stat().st_size > 0 and "registros escritos en" in first.stdout
    before = out.read_bytes()
    second = run("export", "machines", "--out", str(out), data_dir=demo_folder, signed_in=False)
    assert second.returncode == 2 and "ya existe" in second.stderr and out.read_bytes() == before
    wrong = run("export", "contacts", "--out", str(tmp_path / "x.pdf"), data_dir=demo_folder, signed_in=False)
    assert wrong.returncode == 2 and ".xlsx o .csv" in wrong.stderr
    customers = tmp_path / "clientes.csv"
    assert run("export", "customers", "--out", str(customers), data_dir=demo_folder, signed_in=False).returncode == 0
    dry = run("import", "customers", str(customers), "--dry-run", data_dir=demo_folder, signed_in=False)
    assert dry.returncode == 0, dry.stdout  # an export is a file the import reads back without a problem
