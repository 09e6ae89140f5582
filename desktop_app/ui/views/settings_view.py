"""Settings: the support policy (administrators), the product catalogue (coordinators and
administrators), the company's data with the certificate signing key, and mail (administrators:
the servers, the templates, the outbox), one tab each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.catalogue import CatalogueService
from desktop_app.services.company import CompanyService
from desktop_app.services.mail import MailService
from desktop_app.services.policy_service import PolicyService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.catalogue_view import CatalogueView
from desktop_app.ui.views.company_view import CompanyView
from desktop_app.ui.views.mail_settings_view import MailSettingsView
from desktop_app.ui.views.mail_templates_view import MailTemplatesView
from desktop_app.ui.views.outbox_view import OutboxView
from desktop_app.ui.views.policy_view import PolicyView


class SettingsView(QWidget):
    """The Settings page; `policy_view` is None for a person who may not edit the policy, and the
    mail views are None for a person who may not configure mail (or without a mail service)."""

    def __init__(
        self,
        policy: PolicyService,
        catalogue: CatalogueService,
        company: CompanyService,
        tasks: TaskRunner,
        actor: Actor,
        tz: tzinfo,
        parent: QWidget | None = None,
        *,
        mail: MailService | None = None,
        find_ticket: Callable[[str], int] | None = None,
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
        self.mail_view: MailSettingsView | None = None
        self.mail_templates_view: MailTemplatesView | None = None
        self.outbox_view: OutboxView | None = None
        if mail is not None and may(actor, Permission.CONFIGURE_MAIL):
            self.mail_view = MailSettingsView(mail, tasks, actor, tz)
            self.mail_tab = self.tabs.addTab(self.mail_view, _("Mail"))
            self.mail_templates_view = MailTemplatesView(mail, tasks, actor, find_ticket)
            self.mail_templates_tab = self.tabs.addTab(self.mail_templates_view, _("Mail templates"))
            self.outbox_view = OutboxView(mail, tasks, actor, tz)
            self.outbox_tab = self.tabs.addTab(self.outbox_view, _("Outbox"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def show_catalogue(self) -> None:
        self.tabs.setCurrentIndex(self.catalogue_tab)

    def show_company(self) -> None:
        self.tabs.setCurrentIndex(self.company_tab)
