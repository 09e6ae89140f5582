"""The import figures of issue 13: XLSX files with 10,000 customers, 20,000 contacts and 50,000 machines
(1 % bad rows in each), checked (dry run) and imported into an SQLite file and into PostgreSQL, then
imported again (every row an update), compared with registering machines one at a time through
MachineService.save, as a person does in the machine form.

    python bench/import_bench.py [--scale 1.0] [--backend sqlite|postgresql|both] [--sample 500]

Each backend runs in its own process, so its peak memory (ru_maxrss, the whole process: Python, the
database driver, SQLite's cache) is its own; the Python allocations' peak of the largest step (the
machines import) is measured once more with tracemalloc, in a separate run because tracing slows
everything down. The one-at-a-time figure is measured on a sample (--sample machines) and extrapolated
to the file's size: it says so in its line. Goal (issue 13): < 60 s and < 500 MB for each backend.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.co import nit as dian_nit

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.ids import CustomerId, ModelCode
from desktop_app.domain.importing import ImportKind
from desktop_app.domain.model import ProductModel, Role, Technology, User
from desktop_app.services.clock import FixedClock
from desktop_app.services.machines import MachineForm
from desktop_app.services.users import actor_of
from tests.conftest import make_settings

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
CITIES = ("Barranquilla", "Bogotá", "Cali", "Medellín", "Pereira", "Bucaramanga", "Cartagena", "Manizales")
MODELS = (("M3", "makeR M3"), ("M2", "makeR M2"), ("R1", "makeR Resin R1"), ("X1", "makeR X1 Pro"))


def _nit(index: int) -> str:
    base = str(800_000_000 + index * 37)
    return f"{base}-{dian_nit.calc_check_digit(base)}"


def _write_xlsx(path: Path, header: list[str], rows: object) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:  # type: ignore[attr-defined]
        sheet.append(row)
    book.save(path)


def generate(folder: Path, scale: float) -> dict[str, tuple[Path, int]]:
    """The three files; every 100th row of each is bad in its own way."""
    customers, contacts, machines = int(10_000 * scale), int(20_000 * scale), int(50_000 * scale)
    files = {}

    def customer_rows():  # type: ignore[no-untyped-def]
        for i in range(customers):
            nit = _nit(i)
            if i % 100 == 99:  # a wrong check digit, or a city that is not one
                nit = nit[:-1] + str((int(nit[-1]) + 1) % 10) if i % 200 == 199 else nit
            city = "Ciudad Gótica" if i % 200 == 99 else CITIES[i % len(CITIES)]
            yield [f"Cliente {i} S.A.S.", nit, city, f"compras{i}@cliente{i}.co", f"60{i:08d}", "empresa", "Sí", "No"]

    def contact_rows():  # type: ignore[no-untyped-def]
        for i in range(contacts):
            owner = _nit(i % customers) if i % 100 != 99 else "901234567-7"  # no such customer
            yield [
                owner,
                f"Contacto {i}",
                "Jefe de laboratorio",
                f"contacto{i}@cliente{i % customers}.co",
                "3001234567",
            ]

    def machine_rows():  # type: ignore[no-untyped-def]
        start = date(2020, 1, 1)
        for i in range(machines):
            bought = start + timedelta(days=i % 2000)
            day = bought.isoformat() if i % 100 != 99 else bought.strftime("%m-%d-%Y")  # month first: refused
            model = MODELS[i % len(MODELS)][1] if i % 200 != 149 else "Impresora desconocida"
            yield [f"MK-{i:07d}", model, _nit(i % customers), day, ""]

    for name, header, rows, count in (
        (
            "clientes.xlsx",
            ["Razón social", "NIT", "Ciudad", "Correo", "Teléfono", "Tipo", "A paz y salvo", "Capacitado"],
            customer_rows(),
            customers,
        ),
        ("contactos.xlsx", ["NIT cliente", "Nombre", "Cargo", "Correo", "Teléfono"], contact_rows(), contacts),
        (
            "maquinas.xlsx",
            ["Serial", "Modelo", "NIT cliente", "Fecha de compra", "Fin de garantía"],
            machine_rows(),
            machines,
        ),
    ):
        path = folder / name
        _write_xlsx(path, header, rows)
        files[name] = (path, count)
    return files


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _prepare(services: Services) -> object:
    with services.uow_factory() as uow:
        for code, name in MODELS:
            uow.catalog.add_model(ProductModel(ModelCode(code), name, Technology.FDM))
        user = uow.catalog.add_user(User("bench", "Importadora", "b@somosmaker.com", Role.COORDINATOR, "Cali"))
        uow.commit()
    return actor_of(user)


def run_backend(backend: str, folder: Path, sample: int) -> dict[str, object]:
    files = {name: Path(folder, name) for name in ("clientes.xlsx", "contactos.xlsx", "maquinas.xlsx")}
    pg = None
    url = None
    if backend == "postgresql":
        from tests.pg_server import TemporaryPostgres

        pg = TemporaryPostgres().start()
        url = pg.url(pg.create_database())
    data = Path(tempfile.mkdtemp(prefix=f"import-bench-{backend}-"))
    services = build_services(make_settings(data, url), clock=FixedClock(NOW))
    result: dict[str, object] = {"backend": backend, "steps": []}
    steps: list[dict[str, object]] = result["steps"]  # type: ignore[assignment]
    try:
        actor = _prepare(services)
        total = 0.0
        for name, kind in (
            ("clientes.xlsx", ImportKind.CUSTOMERS),
            ("contactos.xlsx", ImportKind.CONTACTS),
            ("maquinas.xlsx", ImportKind.MACHINES),
        ):
            started = time.perf_counter()
            dry = services.imports.check(files[name], kind)
            dry_seconds = time.perf_counter() - started
            started = time.perf_counter()
            report = services.imports.import_file(files[name], kind, actor=actor)  # type: ignore[arg-type]
            seconds = time.perf_counter() - started
            total += seconds
            steps.append(
                {
                    "kind": kind.value,
                    "rows": report.rows_read,
                    "refused": report.refused_rows,
                    "problems": len(dry.problems),
                    "dry_run_s": dry_seconds,
                    "import_s": seconds,
                    "created": report.created,
                    "peak_rss_mb": _peak_mb(),
                }
            )
        started = time.perf_counter()
        again = services.imports.import_file(files["maquinas.xlsx"], ImportKind.MACHINES, actor=actor)  # type: ignore[arg-type]
        result["reimport_machines"] = {
            "s": time.perf_counter() - started,
            "updated": again.updated,
            "created": again.created,
        }
        result["import_total_s"] = total
        result["peak_rss_mb"] = _peak_mb()
        # One at a time through the service, as the machine form does: a sample, extrapolated.
        with services.uow_factory() as uow:
            customer_id = next(iter(uow.imports.customers_by_tax_id().values())).id
        started = time.perf_counter()
        for i in range(sample):
            services.machines.save(
                MachineForm(f"MK-ONE-{i:05d}", "M3", CustomerId(customer_id), date(2025, 1, 1), date(2026, 1, 1)),
                actor=actor,  # type: ignore[arg-type]
            )
        per_row = (time.perf_counter() - started) / sample
        result["one_at_a_time"] = {"sample": sample, "per_row_ms": per_row * 1000}
    finally:
        services.close()
        if pg is not None:
            pg.stop()
    return result


def traced_machines(folder: Path) -> dict[str, float]:
    """The Python allocations' peak while checking and importing the machines file (SQLite)."""
    data = Path(tempfile.mkdtemp(prefix="import-bench-traced-"))
    services = build_services(make_settings(data), clock=FixedClock(NOW))
    try:
        actor = _prepare(services)
        services.imports.import_file(folder / "clientes.xlsx", ImportKind.CUSTOMERS, actor=actor)  # type: ignore[arg-type]
        tracemalloc.start()
        services.imports.import_file(folder / "maquinas.xlsx", ImportKind.MACHINES, actor=actor)  # type: ignore[arg-type]
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        services.close()
    return {"machines_import_python_peak_mb": peak / 1024 / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--child", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--traced", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.backend, Path(args.child), args.sample)))
        return
    if args.traced:
        print(json.dumps(traced_machines(Path(args.traced))))
        return
    folder = Path(tempfile.mkdtemp(prefix="import-bench-files-"))
    started = time.perf_counter()
    files = generate(folder, args.scale)
    print(f"Files generated in {time.perf_counter() - started:.1f} s:")
    for name, (path, count) in files.items():
        print(f"  {name:16} {count:>7,} rows  {path.stat().st_size / 1024 / 1024:6.1f} MB")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    machines = files["maquinas.xlsx"][1]
    for backend in backends:
        out = subprocess.run(
            [sys.executable, __file__, "--backend", backend, "--child", str(folder), "--sample", str(args.sample)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n{backend}:")
        print(f"  {'kind':10} {'rows':>7} {'refused':>7} {'dry run':>9} {'import':>9} {'peak RSS':>10}")
        for step in result["steps"]:
            print(
                f"  {step['kind']:10} {step['rows']:>7,} {step['refused']:>7,} {step['dry_run_s']:>8.1f}s "
                f"{step['import_s']:>8.1f}s {step['peak_rss_mb']:>8.0f} MB"
            )
        print(f"  all three imported in {result['import_total_s']:.1f} s; process peak {result['peak_rss_mb']:.0f} MB")
        again = result["reimport_machines"]
        print(
            f"  machines imported again: {again['s']:.1f} s ({again['updated']:,} updated, {again['created']} created)"
        )
        one = result["one_at_a_time"]
        print(
            f"  one at a time through MachineService.save: {one['per_row_ms']:.1f} ms per machine, measured on "
            f"{one['sample']} machines; extrapolated to {machines:,}: {one['per_row_ms'] * machines / 1000:.0f} s"
        )
    out = subprocess.run(
        [sys.executable, __file__, "--traced", str(folder)], capture_output=True, text=True, check=True
    )
    traced = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"\nPython allocations' peak while importing the machines (tracemalloc, SQLite): "
        f"{traced['machines_import_python_peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
