"""Where the read-only resources are: a source checkout, an installed wheel, or a frozen bundle.

This is the only module that knows; everything else asks resource_path().
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:  # PyInstaller bundle
        return Path(frozen_root) / "resources"
    installed = _PACKAGE_DIR / "_resources"  # wheel: hatch force-include maps resources/ here
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "resources"  # source checkout or editable install


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    return _PACKAGE_DIR / "persistence" / "migrations"
