"""The policy in force, its versions, and the working-time calendar built from it (R6, R7, R18)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.calendar import BusinessCalendar, DaysOff
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.policy import DEFAULT_POLICY, InvalidPolicyError, PolicySettings, to_document, validate
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import PolicyVersionInfo
from desktop_app.services.ports import Clock, HolidaySource, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text
from desktop_app.wording import policy_issue_text

FIRST_YEAR, LAST_YEAR = 1984, 2100
MAX_PLAN_NAME_LENGTH = 80  # the plans table's column


class PolicyNotSavedError(UserFacingError):
    def __init__(self, error: InvalidPolicyError) -> None:
        lines = "\n".join(f"• {policy_issue_text(issue)}" for issue in error.issues)
        super().__init__(_("The policy was not saved:\n{problems}").format(problems=lines))
        self.issues = error.issues


class PolicyService:
    """Args:
    uow_factory: opens units of work.
    holidays: the country's public holidays (an adapter computes them locally).
    clock: when a new version is saved.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, holidays: HolidaySource, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._holidays = holidays
        self._clock = clock
        self._policy: PolicySettings | None = None
        self._version: int | None = None
        self._calendar: BusinessCalendar | None = None

    def ensure_defaults(self) -> PolicySettings:
        """Seed the shipped defaults into an empty database; return the policy in force."""
        with self._uow_factory() as uow:
            policy = uow.policy.load()
            if policy is None:
                policy = DEFAULT_POLICY
                now = self._clock.now()
                seeded = uow.policy.save(policy, at=now, note=_("Defaults of the published policy"))
                uow.audit.record(AuditEntry(now, None, "policy", str(seeded), "create", {"version": ("", str(seeded))}))
                uow.commit()
            version = uow.policy.current_version()
        self._policy, self._version, self._calendar = policy, version, None
        return policy

    def reload(self) -> PolicySettings:
        """Forget what is cached: another workstation may have saved a new version."""
        self._policy = None
        return self.policy()

    def policy(self) -> PolicySettings:
        if self._policy is None:
            return self.ensure_defaults()
        return self._policy

    def version(self) -> int | None:
        self.policy()
        return self._version

    def calendar(self) -> BusinessCalendar:
        if self._calendar is None:
            policy = self.policy()
            self._calendar = BusinessCalendar(
                policy.timezone, policy.working_hours, DaysOff(self._holidays, frozenset(policy.closure_days))
            )
        return self._calendar

    def save_policy(self, policy: PolicySettings, *, actor: Actor, note: str = "") -> int:
        """Validate and store a new version (R18); nothing is saved when any field is wrong."""
        if not allows(actor, Permission.EDIT_POLICY):
            raise PermissionDeniedError(_("Only an administrator can change the support policy."))
        # One-line names and the note cleaned like every text a person types (services/text_input.py).
        plans = tuple(replace(plan, name=clean_line(plan.name)) for plan in policy.plans)
        for plan in plans:
            if not 0 < len(plan.name) <= MAX_PLAN_NAME_LENGTH:
                raise UserFacingError(
                    _("Plan {code}: the name must have 1 to {n} characters.").format(
                        code=plan.code, n=MAX_PLAN_NAME_LENGTH
                    )
                )
        policy, note = replace(policy, plans=plans), clean_text(note).strip()
        issues = validate(policy)
        if issues:
            raise PolicyNotSavedError(InvalidPolicyError(issues))
        before, after = to_document(self.policy()), to_document(policy)
        changes = {
            key: (json.dumps(before.get(key), ensure_ascii=False), json.dumps(after[key], ensure_ascii=False))
            for key in after
            if before.get(key) != after[key]
        }
        now = self._clock.now()
        with self._uow_factory() as uow:
            version = uow.policy.save(policy, at=now, author_id=actor.user_id, note=note)
            uow.audit.record(AuditEntry(now, actor.user_id, "policy", str(version), "update", changes))
            uow.commit()
        self._policy, self._version, self._calendar = policy, version, None
        return version

    def history(self) -> list[PolicyVersionInfo]:
        with self._uow_factory() as uow:
            return uow.queries.policy.history()

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """Public holidays of `year` with their names (R7), 1984–2100."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise UserFacingError(
                _("The year must be between {first} and {last}.").format(first=FIRST_YEAR, last=LAST_YEAR)
            )
        return self._holidays.in_year(year)

    def holiday_name(self, day: date) -> str:
        return dict(self._holidays.in_year(day.year)).get(day, "")
