"""`@recorded`: marks a TicketService method whose changes a field copy records as commands.

On the office's database the method runs as it is. On a field copy the service holds a recorder
(services/field/recording.py), which wraps the call: it notes what the technician saw, and the
command is written to the outbox in the transaction of the change.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")


class Recorder(Protocol):
    def record(self, method: str, arguments: dict[str, Any], call: Callable[[], R]) -> R: ...


class HasRecorder(Protocol):
    field_recorder: Recorder | None


S = TypeVar("S", bound=HasRecorder)


def recorded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        recorder = self.field_recorder
        if recorder is None:
            return method(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = {name: value for name, value in bound.arguments.items() if name != "self"}
        return recorder.record(method.__name__, arguments, lambda: method(self, *args, **kwargs))

    return cast(Callable[Concatenate[S, P], R], wrapper)  # functools.wraps hides the signature from mypy
