"""Policy settings as data (R6, R7, R11, R12), with the defaults of POLICY.md.

An administrator edits these in the app; the shipped values are defaults, not published makeR
figures. Every saved edit is a new version (R18); a ticket remembers the version that planned it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity

# Monday=0 … Sunday=6, as datetime.weekday() counts.
WeeklyHours = Mapping[int, tuple[tuple[time, time], ...]]

DEFAULT_TIMEZONE = "America/Bogota"
WARRANTY_PLAN = PlanCode("garantia")
# R12: the wait before closing stated after the third contact attempt, in working days. At least
# one, so a ticket never closes the moment its third attempt is logged.
MIN_WAIT_DAYS = 1
MAX_WAIT_DAYS = 30
# COP before IVA per hour of work no contract covers (R17); a default, not a published figure.
DEFAULT_OUT_OF_PLAN_HOUR_RATE = 200_000


class PolicyProblem(StrEnum):
    """What can be wrong with an edited policy; the UI names the field from these codes."""

    NO_PLANS = "no_plans"
    DUPLICATE_PLAN = "duplicate_plan"
    DUPLICATE_RANK = "duplicate_rank"
    BAD_RANK = "bad_rank"
    NEGATIVE_AMOUNT = "negative_amount"
    MISSING_RESPONSE_TIME = "missing_response_time"
    BAD_RESPONSE_TIME = "bad_response_time"
    NO_SEVERITIES = "no_severities"
    NO_WORKING_HOURS = "no_working_hours"
    BAD_WORKING_HOURS = "bad_working_hours"
    BAD_ESCALATION = "bad_escalation"
    BAD_WAIT = "bad_wait"
    BAD_AT_RISK = "bad_at_risk"
    BAD_MAINTENANCE = "bad_maintenance"


@dataclass(frozen=True)
class PolicyIssue:
    problem: PolicyProblem
    field: str  # e.g. "response_hours.premium.critica", "working_hours.0"


class InvalidPolicyError(ValueError):
    def __init__(self, issues: list[PolicyIssue]) -> None:
        super().__init__(", ".join(f"{i.field}: {i.problem.value}" for i in issues))
        self.issues = issues


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
    # COP before IVA per advisory hour beyond the included ones, and per hour of maintenance
    # beyond the included maintenances (R6, R17).
    extra_hour_rate: int = 0


@dataclass(frozen=True)
class EscalationLevel:
    """A rung of the escalation ladder (R11). Level 1 is the assigned agent (threshold 0)."""

    level: int
    title: str
    # Reached when the working time since the clock started is this many times the response time.
    threshold: float
    notify_username: str = ""


DEFAULT_ESCALATION = (
    EscalationLevel(1, "Agente asignado", 0.0),
    EscalationLevel(2, "Coordinador de soporte", 1.0, "carolina.rojas"),
    EscalationLevel(3, "Director técnico", 2.0, "mauricio.diaz"),
)


@dataclass(frozen=True)
class PolicySettings:
    plans: tuple[PlanTerms, ...]
    # Most urgent first; the position is the priority used by the queue (R8).
    severities: tuple[Severity, ...]
    response_hours: Mapping[tuple[PlanCode, Severity], float]
    working_hours: WeeklyHours
    timezone: str = DEFAULT_TIMEZONE
    closure_days: tuple[date, ...] = ()
    at_risk_fraction: float = 0.25
    wait_after_third_attempt_days: int = 2
    max_maintenance_hours: int = 4
    # Preventive maintenance is "done" (R3) when the last one is at most this old.
    maintenance_interval_days: int = 365
    escalation_levels: tuple[EscalationLevel, ...] = field(default=DEFAULT_ESCALATION)
    # Per hour of on-site or advisory work on a machine no contract covers that day (R17).
    out_of_plan_hour_rate: int = DEFAULT_OUT_OF_PLAN_HOUR_RATE

    def plan(self, code: PlanCode) -> PlanTerms:
        for plan in self.plans:
            if plan.code == code:
                return plan
        raise KeyError(code)

    def severity_rank(self, severity: Severity) -> int:
        return self.severities.index(severity) + 1

    def response_time(self, plan_code: PlanCode, severity: Severity) -> timedelta:
        return timedelta(hours=self.response_hours[(plan_code, severity)])

    def level(self, number: int) -> EscalationLevel:
        for level in self.escalation_levels:
            if level.level == number:
                return level
        raise KeyError(number)

    @property
    def top_level(self) -> int:
        return max(level.level for level in self.escalation_levels)


def validate(policy: PolicySettings) -> list[PolicyIssue]:
    """Everything wrong with a policy, each naming its field; empty when it can be saved."""
    issues: list[PolicyIssue] = []

    def bad(problem: PolicyProblem, where: str) -> None:
        issues.append(PolicyIssue(problem, where))

    if not policy.plans:
        bad(PolicyProblem.NO_PLANS, "plans")
    codes = [p.code for p in policy.plans]
    ranks = [p.rank for p in policy.plans]
    for code in {c for c in codes if codes.count(c) > 1}:
        bad(PolicyProblem.DUPLICATE_PLAN, f"plans.{code}")
    for plan in policy.plans:
        if plan.rank < 1:
            bad(PolicyProblem.BAD_RANK, f"plans.{plan.code}.rank")
        elif ranks.count(plan.rank) > 1:
            bad(PolicyProblem.DUPLICATE_RANK, f"plans.{plan.code}.rank")
        for name in ("included_advisory_hours", "included_maintenances", "price_before_iva", "extra_hour_rate"):
            if getattr(plan, name) < 0:
                bad(PolicyProblem.NEGATIVE_AMOUNT, f"plans.{plan.code}.{name}")
    if policy.out_of_plan_hour_rate < 0:
        bad(PolicyProblem.NEGATIVE_AMOUNT, "out_of_plan_hour_rate")
    if not policy.severities:
        bad(PolicyProblem.NO_SEVERITIES, "severities")
    for plan in policy.plans:
        for severity in policy.severities:
            hours = policy.response_hours.get((plan.code, severity))
            where = f"response_hours.{plan.code}.{severity.value}"
            if hours is None:
                bad(PolicyProblem.MISSING_RESPONSE_TIME, where)
            elif not 0 < hours <= 2000:
                bad(PolicyProblem.BAD_RESPONSE_TIME, where)
    if not any(policy.working_hours.get(day) for day in range(7)):
        bad(PolicyProblem.NO_WORKING_HOURS, "working_hours")
    for day, intervals in policy.working_hours.items():
        previous_end = time.min
        for start, end in intervals:
            if not 0 <= day <= 6 or not start < end or start < previous_end:
                bad(PolicyProblem.BAD_WORKING_HOURS, f"working_hours.{day}")
                break
            previous_end = end
    levels = [level.level for level in policy.escalation_levels]
    thresholds = [level.threshold for level in policy.escalation_levels]
    if (
        not levels
        or levels != list(range(1, len(levels) + 1))
        or thresholds[0] != 0
        or any(b <= a for a, b in pairwise(thresholds))
    ):
        bad(PolicyProblem.BAD_ESCALATION, "escalation_levels")
    if not MIN_WAIT_DAYS <= policy.wait_after_third_attempt_days <= MAX_WAIT_DAYS:
        bad(PolicyProblem.BAD_WAIT, "wait_after_third_attempt_days")
    if not 0 < policy.at_risk_fraction < 1:
        bad(PolicyProblem.BAD_AT_RISK, "at_risk_fraction")
    if policy.max_maintenance_hours <= 0 or policy.maintenance_interval_days <= 0:
        bad(PolicyProblem.BAD_MAINTENANCE, "maintenance")
    return issues


def require_valid(policy: PolicySettings) -> PolicySettings:
    issues = validate(policy)
    if issues:
        raise InvalidPolicyError(issues)
    return policy


# -- (de)serialisation: the stored form of a policy version ------------------------------------


def to_document(policy: PolicySettings) -> dict[str, Any]:
    """A JSON-ready dict; `from_document(to_document(p)) == p`."""
    return {
        "plans": [
            {
                "code": p.code,
                "name": p.name,
                "rank": p.rank,
                "onsite": p.onsite,
                "included_advisory_hours": p.included_advisory_hours,
                "included_maintenances": p.included_maintenances,
                "price_before_iva": p.price_before_iva,
                "extra_hour_rate": p.extra_hour_rate,
            }
            for p in policy.plans
        ],
        "severities": [s.value for s in policy.severities],
        "response_hours": {f"{plan}|{sev.value}": hours for (plan, sev), hours in policy.response_hours.items()},
        "working_hours": {
            str(day): [[start.isoformat("minutes"), end.isoformat("minutes")] for start, end in intervals]
            for day, intervals in sorted(policy.working_hours.items())
        },
        "timezone": policy.timezone,
        "closure_days": [d.isoformat() for d in policy.closure_days],
        "at_risk_fraction": policy.at_risk_fraction,
        "wait_after_third_attempt_days": policy.wait_after_third_attempt_days,
        "max_maintenance_hours": policy.max_maintenance_hours,
        "maintenance_interval_days": policy.maintenance_interval_days,
        "escalation_levels": [
            {
                "level": e.level,
                "title": e.title,
                "threshold": e.threshold,
                "notify_username": e.notify_username,
            }
            for e in policy.escalation_levels
        ],
        "out_of_plan_hour_rate": policy.out_of_plan_hour_rate,
    }


def from_document(doc: Mapping[str, Any]) -> PolicySettings:
    def response_key(key: str) -> tuple[PlanCode, Severity]:
        plan, severity = key.split("|")
        return PlanCode(plan), Severity(severity)

    return PolicySettings(
        plans=tuple(
            PlanTerms(
                PlanCode(p["code"]),
                p["name"],
                int(p["rank"]),
                bool(p["onsite"]),
                int(p["included_advisory_hours"]),
                int(p["included_maintenances"]),
                int(p["price_before_iva"]),
                int(p.get("extra_hour_rate", 0)),  # versions saved before the rate existed
            )
            for p in doc["plans"]
        ),
        severities=tuple(Severity(s) for s in doc["severities"]),
        response_hours={response_key(k): float(v) for k, v in doc["response_hours"].items()},
        working_hours={
            int(day): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in intervals)
            for day, intervals in doc["working_hours"].items()
        },
        timezone=doc.get("timezone", DEFAULT_TIMEZONE),
        closure_days=tuple(date.fromisoformat(d) for d in doc.get("closure_days", ())),
        at_risk_fraction=float(doc.get("at_risk_fraction", 0.25)),
        wait_after_third_attempt_days=int(doc.get("wait_after_third_attempt_days", 2)),
        max_maintenance_hours=int(doc.get("max_maintenance_hours", 4)),
        maintenance_interval_days=int(doc.get("maintenance_interval_days", 365)),
        escalation_levels=tuple(
            EscalationLevel(int(e["level"]), e["title"], float(e["threshold"]), e.get("notify_username", ""))
            for e in doc.get("escalation_levels", ())
        )
        or DEFAULT_ESCALATION,
        # Versions saved before the rate existed get the default.
        out_of_plan_hour_rate=int(doc.get("out_of_plan_hour_rate", DEFAULT_OUT_OF_PLAN_HOUR_RATE)),
    )


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
        PlanTerms(PlanCode("premium"), "Premium", 1, True, 20, 4, 9_800_000, 150_000),
        PlanTerms(PlanCode("profesional"), "Profesional", 2, True, 10, 2, 5_400_000, 160_000),
        PlanTerms(PlanCode("basico"), "Básico", 3, False, 4, 1, 2_300_000, 170_000),
        # Free support under warranty: virtual by e-mail only (R3); extra work is billed by the hour.
        PlanTerms(WARRANTY_PLAN, "Garantía", 4, False, 0, 0, 0, 180_000),
    ),
    severities=_SEVERITY_ORDER,
    response_hours={
        (PlanCode(plan), severity): float(hours)
        for plan, row in _DEFAULT_MATRIX.items()
        for severity, hours in zip(_SEVERITY_ORDER, row, strict=True)
    },
    working_hours={weekday: _MORNING_AND_AFTERNOON for weekday in range(5)},
)


def parse_day_hours(text: str) -> tuple[tuple[time, time], ...]:
    """ "08:00-12:00, 14:00-18:00" → intervals; empty text is a day off. Raises ValueError."""
    intervals = []
    for part in text.replace("–", "-").replace("—", "-").split(","):
        part = part.strip()
        if not part:
            continue
        start_text, sep, end_text = part.partition("-")
        if not sep:
            raise ValueError(part)
        start, end = time.fromisoformat(start_text.strip().zfill(5)), time.fromisoformat(end_text.strip().zfill(5))
        intervals.append((start, end))
    return tuple(intervals)


def format_day_hours(intervals: tuple[tuple[time, time], ...]) -> str:
    return ", ".join(f"{a.strftime('%H:%M')}–{b.strftime('%H:%M')}" for a, b in intervals)
