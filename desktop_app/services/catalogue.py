"""The product catalogue: the models machines are registered as, with their technology, warranty
months (a new machine's default warranty), preventive-maintenance interval (R3), end of life (R5)
and notes. Coordinators and administrators keep it; every change is audited field by field (R18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop_app.domain.audit import AuditEntry, as_text, diff
from desktop_app.domain.catalogue import ModelProblem, model_problems, normal_model_code
from desktop_app.domain.ids import ModelCode
from desktop_app.domain.model import ProductModel, Technology
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text
from desktop_app.wording import model_problems_text

AUDITED_MODEL_FIELDS = (
    "name",
    "technology",
    "warranty_months",
    "maintenance_interval_days",
    "discontinued_from",
    "notes",
)


@dataclass(frozen=True)
class ModelForm:
    """A model as typed in Settings; `version` None creates it, else it corrects that version."""

    code: str
    name: str
    technology: Technology
    warranty_months: int
    maintenance_interval_days: int | None  # None: the policy's interval
    end_of_life: date | None
    notes: str = ""
    version: int | None = None


@dataclass(frozen=True)
class CatalogueModel:
    """One model as the catalogue lists it."""

    code: str
    name: str
    technology: Technology
    warranty_months: int
    maintenance_interval_days: int | None
    end_of_life: date | None
    notes: str
    version: int
    machines: int  # registered of this model
    discontinued: bool  # past its end of life today (R5)


class CatalogueService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    def models(self) -> list[CatalogueModel]:
        """Every model by name (everyone may read the catalogue)."""
        today = self.today()
        with self._uow_factory() as uow:
            rows = uow.products.models()
        return [_row(model, version, machines, today) for model, version, machines in rows]

    def may_edit(self, actor: Actor) -> bool:
        return allows(actor, Permission.MANAGE_CATALOGUE)

    def policy_maintenance_days(self) -> int:
        """The policy's interval, which a model without its own follows."""
        return self._policy.policy().maintenance_interval_days

    def save(self, form: ModelForm, *, actor: Actor) -> CatalogueModel:
        """Create a model or correct one (R18: audited with every field before and after).

        Raises:
            PermissionDeniedError: the actor may not keep the catalogue.
            UserFacingError: every problem of the form at once (a code already used among them).
            ConflictError: someone changed the model since `form.version`; nothing saved.
        """
        if not self.may_edit(actor):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        model = ProductModel(
            ModelCode(normal_model_code(clean_line(form.code))),
            clean_line(form.name),
            Technology(form.technology),
            form.end_of_life,
            form.warranty_months,
            form.maintenance_interval_days,
            clean_text(form.notes).strip(),
        )
        problems = list(model_problems(model))
        now = self._clock.now()
        with self._uow_factory() as uow:
            code_readable = not any(p.value.startswith("code_") for p in problems)
            if form.version is None and code_readable and uow.products.exists_like(model.code):
                problems.insert(0, ModelProblem.CODE_TAKEN)
            if problems:
                raise UserFacingError(model_problems_text(tuple(problems), model.code))
            if form.version is None:
                uow.products.add(model)
                action, changes = "create", {name: ("", as_text(getattr(model, name))) for name in AUDITED_MODEL_FIELDS}
            else:
                found = uow.products.get(model.code)
                if found is None:
                    raise NotFoundError(_("Model {code} does not exist.").format(code=model.code))
                before, _version = found
                uow.products.update(model, form.version)
                action, changes = "update", diff(before, model, AUDITED_MODEL_FIELDS)
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "product_model", model.code, action, changes))
            uow.commit()
        return next(m for m in self.models() if m.code == model.code)

    def today(self) -> date:
        return self._clock.now().astimezone(self._policy.calendar().tz).date()


def _row(model: ProductModel, version: int, machines: int, today: date) -> CatalogueModel:
    return CatalogueModel(
        model.code,
        model.name,
        model.technology,
        model.warranty_months,
        model.maintenance_interval_days,
        model.discontinued_from,
        model.notes,
        version,
        machines,
        model.is_discontinued(today),
    )
