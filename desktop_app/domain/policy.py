"""Policy settings as data (R6, R7, R11, R12), with the defaults of POLICY.md.

An administrator edits these in the app; the shipped values are defaults, not published makeR figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity

# Monday=0 … Sunday=6, as datetime.weekday() counts.
WeeklyHours = Mapping[int, tuple[tuple[time, time], ...]]

DEFAULT_TIMEZONE = "America/Bogota"
WARRANTY_PLAN = PlanCode("garantia")


@dataclass(frozen=True)
class PlanTerms:
    """What a plan promises (R6)."""

    code: PlanCode
    name: str
    rank: int  # category: 1 is served first (R8)
    onsite: bool
    included_advisory_hours: int
    included_maintenances: int
    price_before_iva: int  # COP, IVA added on documents


@dataclass(frozen=True)
class PolicySettings:
    plans: tuple[PlanTerms, ...]
    # Most urgent first; the position is the priority used by the queue (R8).
    severities: tuple[Severity, ...]
    response_hours: Mapping[tuple[PlanCode, Severity], int]
    working_hours: WeeklyHours
    timezone: str = DEFAULT_TIMEZONE
    at_risk_fraction: float = 0.25
    wait_after_third_attempt_days: int = 2
    max_maintenance_hours: int = 4
    escalation_multipliers: tuple[int, ...] = field(default=(1, 2))

    def plan(self, code: PlanCode) -> PlanTerms:
        for plan in self.plans:
            if plan.code == code:
                return plan
        raise KeyError(code)

    def severity_rank(self, severity: Severity) -> int:
        return self.severities.index(severity) + 1

    def response_time(self, plan_code: PlanCode, severity: Severity) -> timedelta:
        return timedelta(hours=self.response_hours[(plan_code, severity)])


_MORNING_AND_AFTERNOON = ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0)))

_DEFAULT_MATRIX = {
    "premium": (2, 4, 8, 16),
    "profesional": (4, 8, 16, 24),
    "basico": (8, 16, 24, 40),
    "garantia": (16, 24, 40, 80),
}

_SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)

DEFAULT_POLICY = PolicySettings(
    plans=(
        PlanTerms(PlanCode("premium"), "Premium", 1, True, 20, 4, 9_800_000),
        PlanTerms(PlanCode("profesional"), "Profesional", 2, True, 10, 2, 5_400_000),
        PlanTerms(PlanCode("basico"), "Básico", 3, False, 4, 1, 2_300_000),
        # Free support under warranty: virtual by e-mail only (R3).
        PlanTerms(WARRANTY_PLAN, "Garantía", 4, False, 0, 0, 0),
    ),
    severities=_SEVERITY_ORDER,
    response_hours={
        (PlanCode(plan), severity): hours
        for plan, row in _DEFAULT_MATRIX.items()
        for severity, hours in zip(_SEVERITY_ORDER, row, strict=True)
    },
    working_hours={weekday: _MORNING_AND_AFTERNOON for weekday in range(5)},
)
