"""The PySide6 desktop interface. Thin: every rule lives in the domain, every change in a service."""
