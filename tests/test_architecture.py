"""The import rules of ARCHITECTURE.md, checked on the source (no import side effects)."""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import types
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_app"


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The module an import names, with a relative import (`from .x import y`, `from .. import z`)
    resolved against the importing file's package, so the rules below cannot be walked around."""
    if node.level == 0:
        return node.module or ""
    package = list(path.relative_to(PACKAGE.parent).parts[:-1])  # the file's package is its folder
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def _from_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every `from … import …` in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (_absolute(path, node), [alias.name for alias in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            names.add(module)
            if not node.module:  # `from . import tasks`: each name is a module of that package
                names.update(f"{module}.{alias.name}" for alias in node.names)
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
# Only desktop_app/mail (the mail adapters) imports these.
MAIL_LIBRARIES = ("imapclient", "nh3", "charset_normalizer")


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


def test_domain_and_services_never_import_the_mail_libraries() -> None:
    assert _violations("domain", MAIL_LIBRARIES) == []
    assert _violations("services", MAIL_LIBRARIES) == []


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


def test_only_mail_imports_the_mail_libraries() -> None:
    assert _importers_outside(MAIL_LIBRARIES, ("mail",)) == []


def test_mail_never_imports_qt_the_ui_or_the_database() -> None:
    assert _modules("mail")
    assert _violations("mail", ("PySide6", "desktop_app.ui", "desktop_app.persistence", "sqlalchemy")) == []


def test_devices_and_documents_never_import_qt() -> None:
    assert _violations("devices", ("PySide6", "desktop_app.ui", "desktop_app.persistence")) == []
    assert _violations("documents", ("PySide6", "desktop_app.ui", "desktop_app.persistence")) == []


def test_web_never_imports_qt_the_ui_or_the_database() -> None:
    """desktop_app/web writes the public support pages from the services' facts (issue 17)."""
    assert _modules("web")
    forbidden = ("PySide6", "desktop_app.ui", "desktop_app.persistence", "sqlalchemy", "reportlab", "cv2")
    assert _violations("web", forbidden) == []


def test_relative_imports_are_held_to_the_same_rules(tmp_path: Path) -> None:
    """A relative import is resolved to the module it names, so `from ..persistence import x` in ui/
    is caught like its absolute spelling."""
    sneaky = PACKAGE / "ui" / "views" / "_probe_relative.py"
    node = ast.parse("from ...persistence import tables").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(sneaky, node) == "desktop_app.persistence"
    node = ast.parse("from ..tasks import TaskRunner").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(sneaky, node) == "desktop_app.ui.tasks"
    package_init = PACKAGE / "services" / "tickets" / "__init__.py"
    node = ast.parse("from .intake import Intake").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(package_init, node) == "desktop_app.services.tickets.intake"


# The domain's pure formatting the UI may call (reading and writing the policy editor's fields).
UI_DOMAIN_FORMATTING = frozenset({"format_day_hours", "parse_day_hours"})


def _is_value_or_name(obj: object) -> bool:
    """An id type, an enum, a value type (a dataclass) or a constant: not a rule."""
    if isinstance(obj, type):
        return issubclass(obj, enum.Enum) or dataclasses.is_dataclass(obj)
    if callable(obj):
        return hasattr(obj, "__supertype__")  # a NewType id
    return True


def test_ui_uses_the_domain_only_for_ids_enums_values_and_formatting() -> None:
    """Rules are asked of the services (ARCHITECTURE.md: the UI is thin); a widget that calls a
    domain rule itself may disagree with the service that enforces it."""
    found = []
    for path in _modules("ui"):
        for module_name, names in _from_imports(path):
            if not module_name.startswith("desktop_app.domain"):
                continue
            module = importlib.import_module(module_name)
            for name in names:
                if name in UI_DOMAIN_FORMATTING:
                    continue
                obj = getattr(module, name, None)
                if obj is None or isinstance(obj, types.ModuleType) or not _is_value_or_name(obj):
                    found.append(f"{path.relative_to(PACKAGE)} uses {module_name}.{name}")
        found += [
            f"{path.relative_to(PACKAGE)} imports {name} whole"
            for name in _imports(path)
            if name.startswith("desktop_app.domain") and not any(name == m for m, _n in _from_imports(path))
        ]
    assert found == []
