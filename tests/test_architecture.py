"""The import rules of ARCHITECTURE.md, checked on the source (no import side effects)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in _modules(package):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return found


THIRD_PARTY_HEAVY = ("PySide6", "sqlalchemy", "alembic", "cv2", "reportlab", "pyzbar", "zxingcpp", "holidays")


def test_every_layer_has_modules() -> None:
    for package in ("domain", "services", "persistence", "ui"):
        assert _modules(package), package


def test_domain_uses_only_the_standard_library() -> None:
    violations = _violations(
        "domain",
        (
            *THIRD_PARTY_HEAVY,
            "platformdirs",
            "desktop_app.services",
            "desktop_app.persistence",
            "desktop_app.ui",
            "desktop_app.devices",
            "desktop_app.documents",
        ),
    )
    assert violations == []


def test_domain_never_reads_the_clock() -> None:
    offenders = []
    for path in _modules("domain"):
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "date.today(", "time.time(", "datetime.utcnow("):
            if call in text:
                offenders.append(f"{path.name}: {call}")
    assert offenders == []


def test_services_never_import_qt_or_the_database() -> None:
    assert _violations("services", (*THIRD_PARTY_HEAVY, "desktop_app.persistence", "desktop_app.ui")) == []


@pytest.mark.parametrize("package", ["ui"])
def test_ui_never_imports_persistence(package: str) -> None:
    assert _violations(package, ("desktop_app.persistence", "sqlalchemy", "alembic")) == []


def test_only_persistence_imports_sqlalchemy() -> None:
    outside = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "persistence":
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("sqlalchemy", "alembic"):
                outside.append(f"{relative} imports {name}")
    # bootstrap.py is the composition root and holds an Engine to dispose of it.
    assert [v for v in outside if not v.startswith("bootstrap.py")] == []


def test_only_ui_and_app_import_pyside6() -> None:
    outside = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "ui" or relative.name == "app.py":
            continue
        outside += [f"{relative} imports {n}" for n in _imports(path) if n.split(".")[0] == "PySide6"]
    assert outside == []


def _importers_outside(packages: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in allowed:
            continue
        found += [f"{relative} imports {n}" for n in _imports(path) if n.split(".")[0] in packages]
    return found


def test_only_devices_imports_opencv_and_the_qr_decoders() -> None:
    assert _importers_outside(("cv2", "pyzbar", "zxingcpp"), ("devices",)) == []


def test_only_documents_imports_reportlab() -> None:
    assert _importers_outside(("reportlab",), ("documents",)) == []


def test_devices_and_documents_never_import_qt() -> None:
    assert _violations("devices", ("PySide6", "desktop_app.ui", "desktop_app.persistence")) == []
    assert _violations("documents", ("PySide6", "desktop_app.ui", "desktop_app.persistence")) == []
