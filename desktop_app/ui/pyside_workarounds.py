"""Defects of the PySide6 release in use, worked around where they are seen, and retested by
tests/gui/test_pyside_workarounds.py so each workaround can go when PySide6 no longer needs it."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_EMITS = 64
# References added to True and False: a signal emitted every microsecond would need
# almost nine years to use them up. Far from the largest count CPython 3.11 can hold (2**63 - 1).
_SPARE_REFERENCES = 1 << 48


class _Probe(QObject):
    probed = Signal()


def emit_loses_references_to_true() -> bool:
    """Whether ``SignalInstance.emit()`` returns True without a reference of its own (PySide6 6.12.0)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.probed.emit()
    lost = before - sys.getrefcount(True)
    return lost >= _PROBE_EMITS // 2  # exactly one per emit when the defect is there; a few at most otherwise


def keep_true_and_false_alive() -> bool:
    """Give True and False spare references when emitting a signal from Python loses one.

    # WORKAROUND: PySide6 6.12.0 (no upstream report found): ``SignalInstance.emit()`` and
    # ``SignalInstance.disconnect()`` return True without taking a reference to it, so every signal
    # emitted from Python takes one reference away from True. On CPython 3.11, True is an ordinary
    # object with some 15,000 references at start-up; the window's polling, task results and views
    # emit thousands of signals an hour, and after a day or so True is freed and the process aborts
    # with "Fatal Python error: bool_dealloc" (found by tests/gui/test_every_button.py, whose run
    # ended that way). CPython 3.12 made True and False immortal; this does the same here, only when
    # the defect is seen, and checks that the count really moved.

    Returns:
        Whether the spare references were given.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # True and False are immortal there
    if hasattr(sys, "gettotalrefcount") or not emit_loses_references_to_true():
        return False  # a debug build lays objects out differently; or nothing to work around
    for value in (True, False):
        before = sys.getrefcount(value)
        # ob_refcnt is the first field of every object in a CPython 3.11 release build.
        ctypes.c_ssize_t.from_address(id(value)).value += _SPARE_REFERENCES
        if sys.getrefcount(value) - before != _SPARE_REFERENCES:
            raise RuntimeError("the reference count of a bool is not where CPython 3.11 keeps it")
    return True
