"""Escalation (R11): when a promise is missed, or the priority changes, the ticket climbs a level.

Level 1 is the assigned agent. Each further level is reached when the working time counted
towards the current target reaches its threshold × the response time (defaults: level 2 at the
breach, level 3 at twice the response time). A priority change climbs one level by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from desktop_app.domain.policy import EscalationLevel


class EscalationReason(StrEnum):
    BREACH = "breach"  # the threshold of the level was reached
    PRIORITY_CHANGE = "priority_change"
    MANUAL = "manual"


@dataclass(frozen=True)
class EscalationDecision:
    to_level: int
    reason: EscalationReason
    title: str
    notify_username: str


def due_escalations(
    levels: tuple[EscalationLevel, ...], current_level: int, elapsed: timedelta, response_time: timedelta
) -> list[EscalationDecision]:
    """Every level the ticket has passed and not yet reached, lowest first (an app that was closed
    for a day records both steps, each with its reason)."""
    if response_time <= timedelta(0):
        return []
    ratio = elapsed / response_time
    return [
        EscalationDecision(level.level, EscalationReason.BREACH, level.title, level.notify_username)
        for level in sorted(levels, key=lambda lv: lv.level)
        if level.level > current_level and level.threshold > 0 and ratio >= level.threshold
    ]


def next_level(
    levels: tuple[EscalationLevel, ...], current_level: int, reason: EscalationReason
) -> EscalationDecision | None:
    """One step up (priority change, or an agent escalating by hand); None at the top."""
    for level in sorted(levels, key=lambda lv: lv.level):
        if level.level > current_level:
            return EscalationDecision(level.level, reason, level.title, level.notify_username)
    return None


def priority_raised(levels: tuple[EscalationLevel, ...], current_level: int) -> EscalationDecision | None:
    """R11: a raised priority is an escalation trigger. Below the top it climbs one level; at the
    top there is nowhere to climb, yet the trigger is still recorded and the top level's people
    told: the decision keeps the ticket's level (to_level == current_level). None without levels."""
    step = next_level(levels, current_level, EscalationReason.PRIORITY_CHANGE)
    if step is not None or not levels:
        return step
    top = max(levels, key=lambda lv: lv.level)
    return EscalationDecision(current_level, EscalationReason.PRIORITY_CHANGE, top.title, top.notify_username)
