"""Settings: the support policy (administrators), the product catalogue (coordinators and
administrators) and the company's data with the certificate signing key, one tab each."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.catalogue import CatalogueService
from desktop_app.services.company import CompanyService
from desktop_app.services.policy_service import PolicyService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.catalogue_view import CatalogueView
from desktop_app.ui.views.company_view import CompanyView
from desktop_app.ui.views.policy_view import PolicyView


class SettingsView(QWidget):
    """The Settings page; `policy_view` is None for a person who may not edit the policy."""

    def __init__(
        self,
        policy: PolicyService,
        catalogue: CatalogueService,
        company: CompanyService,
        tasks: TaskRunner,
        actor: Actor,
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(documentMode=True)
        self.policy_view: PolicyView | None = None
        if may(actor, Permission.EDIT_POLICY):
            self.policy_view = PolicyView(policy, actor)
            self.tabs.addTab(self.policy_view, _("Support policy"))
        self.catalogue_view = CatalogueView(catalogue, tasks, actor)
        self.catalogue_tab = self.tabs.addTab(self.catalogue_view, _("Product catalogue"))
        self.company_view = CompanyView(company, tasks, actor, tz)
        self.company_tab = self.tabs.addTab(self.company_view, _("Company data"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def show_catalogue(self) -> None:
        self.tabs.setCurrentIndex(self.catalogue_tab)

    def show_company(self) -> None:
        self.tabs.setCurrentIndex(self.company_tab)
