"""The .deb test takes about three minutes: it is moved to the front of the run, so that under
pytest-xdist one worker builds and installs the package while the other goes through the rest,
instead of starting it last and holding up the end of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = [item for item in items if Path(item.path).resolve().parent == HERE]
    if here:
        items[:] = here + [item for item in items if Path(item.path).resolve().parent != HERE]
