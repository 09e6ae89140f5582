"""The policy in force and the working-time calendar built from it."""

from __future__ import annotations

from collections.abc import Container
from datetime import date

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.policy import DEFAULT_POLICY, PolicySettings
from desktop_app.services.ports import UnitOfWorkFactory


class PolicyService:
    """Args:
    uow_factory: opens units of work.
    public_holidays: the country's holidays as a container of local dates (an adapter computes them).
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, public_holidays: Container[date]) -> None:
        self._uow_factory = uow_factory
        self._holidays = public_holidays
        self._policy: PolicySettings | None = None
        self._calendar: BusinessCalendar | None = None

    def ensure_defaults(self) -> PolicySettings:
        """Seed the shipped defaults into an empty database; return the policy in force."""
        with self._uow_factory() as uow:
            policy = uow.policy.load()
            if policy is None:
                uow.policy.save(DEFAULT_POLICY)
                uow.commit()
                policy = DEFAULT_POLICY
        self._policy, self._calendar = policy, None
        return policy

    def policy(self) -> PolicySettings:
        if self._policy is None:
            return self.ensure_defaults()
        return self._policy

    def calendar(self) -> BusinessCalendar:
        if self._calendar is None:
            policy = self.policy()
            self._calendar = BusinessCalendar(policy.timezone, policy.working_hours, self._holidays)
        return self._calendar
