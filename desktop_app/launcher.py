"""Where every way of starting the program begins (`makersupport`, `makersupport-gui`,
`python -m desktop_app`, the packaged program), so each starts as fast as the others."""

from __future__ import annotations

import gc
from collections.abc import Callable


def _imported_frozen(load: Callable[[], Callable[[], int]]) -> Callable[[], int]:
    """Import the program with the garbage collector paused, then freeze what was imported.

    Importing the program makes some 75,000 objects that live until it exits, and almost no
    garbage; the collector would walk them over and over while they are made and once more at
    exit (together about a fifth of opening the desk). Frozen, later collections skip them.
    """
    gc.disable()
    try:
        entry = load()
    finally:
        gc.enable()
    gc.freeze()
    return entry


def _cli() -> Callable[[], int]:
    from desktop_app.cli import main

    return main


def _gui() -> Callable[[], int]:
    from desktop_app.app import main

    return main


def main() -> int:
    """The command line (the window by default)."""
    return _imported_frozen(_cli)()


def gui_main() -> int:
    """The window alone (the `makersupport-gui` launcher, no console)."""
    return _imported_frozen(_gui)()
