"""The PySide6 desktop interface. Thin: every rule lives in the domain, every change in a service."""

from desktop_app.ui.pyside_workarounds import keep_true_and_false_alive

# Before any window, timer or task emits a signal: whatever imports the interface (the desk, the
# tests) is covered, however it was started.
keep_true_and_false_alive()
