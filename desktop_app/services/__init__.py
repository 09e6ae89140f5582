"""Use cases: open a unit of work, call the domain, persist, return frozen DTOs. Qt-free."""
