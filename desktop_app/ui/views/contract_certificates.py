"""A contract's certificates (R15) on the Contracts page: the ones issued (double-click to see,
print or save one again), issuing a new one, and revoking one."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.certificates import CertificateService, IssuedCertificate
from desktop_app.services.dto import ContractSummary
from desktop_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop_app.ui.views.certificate_preview import CertificatePreview


class ContractCertificates(QWidget):
    """Signals:
    message(str): something done, for the status bar.
    """

    message = Signal(str)

    def __init__(
        self,
        certificates: CertificateService,
        tasks: TaskRunner,
        actor: Actor,
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._certificates, self._tasks, self._actor, self._tz = certificates, tasks, actor, tz
        self.contract: ContractSummary | None = None
        self.last_preview: CertificatePreview | None = None
        self.issue_button = QPushButton(_("Issue certificate…"), objectName="primary")
        self.issue_button.setToolTip(
            _("A one-page PDF with the plan, invoice, validity, machines, seal and a signed QR")
        )
        self.issue_button.clicked.connect(self.issue_certificate)
        self.revoke_button = QPushButton(_("Revoke…"))
        self.revoke_button.clicked.connect(self.revoke_certificate)
        may_issue = may(actor, Permission.ISSUE_CERTIFICATES)
        self.issue_button.setVisible(may_issue)
        self.revoke_button.setVisible(may_issue)
        self.certificates = QTreeWidget()
        self.certificates.setHeaderLabels([_("Certificate"), _("Issued"), _("State")])
        self.certificates.setRootIsDecorated(False)
        self.certificates.setMaximumHeight(110)
        self.certificates.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.certificates.setToolTip(_("Double-click a certificate to see it, print it or save it again"))
        self.certificates.itemActivated.connect(self._on_certificate_activated)
        buttons = QHBoxLayout()
        buttons.addWidget(self.issue_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.certificates)
        layout.addLayout(buttons)

    def show_contract(self, contract: ContractSummary) -> None:
        self.contract = contract
        self.certificates.clear()
        for stored in self._certificates.for_contract(contract.id):
            state = _("Revoked") if stored.revoked_at else _("Issued")
            item = QTreeWidgetItem([stored.number, format_datetime(stored.issued_at, self._tz, short=True), state])
            self.certificates.addTopLevelItem(item)
        self.revoke_button.setEnabled(self.certificates.topLevelItemCount() > 0)

    def issue_certificate(self) -> None:
        contract, certificates, actor = self.contract, self._certificates, self._actor
        if contract is None:
            return
        self.issue_button.setEnabled(False)
        self._tasks.run(lambda: certificates.issue(contract.id, actor=actor), self._on_issued, self._on_refused)

    def revoke_certificate(self) -> None:
        item = self.certificates.currentItem()
        if item is None:
            return
        number = item.text(0)
        reason, ok = QInputDialog.getText(
            self, _("Revoke {number}").format(number=number), _("Why is the certificate revoked?")
        )
        if not ok:
            return
        certificates, actor = self._certificates, self._actor
        self._tasks.run(
            lambda: certificates.revoke(number, reason, actor=actor),
            lambda _result: self._after_revoke(number),
            self._on_refused,
        )

    def refresh(self) -> None:
        if self.contract is not None:
            self.show_contract(self.contract)

    # -- internals -------------------------------------------------------------------------------

    def _on_issued(self, issued: IssuedCertificate) -> None:
        self.issue_button.setEnabled(True)
        self.refresh()
        self.message.emit(_("Certificate {number} issued.").format(number=issued.number))
        self._preview(issued.number, issued.pdf)

    def _on_certificate_activated(self, item: QTreeWidgetItem) -> None:
        try:
            pdf = self._certificates.reprint(item.text(0), actor=self._actor)  # refused: revoked, or a role
        except UserFacingError as exc:
            QMessageBox.warning(self, _("Certificate"), exc.message)
            return
        self._preview(item.text(0), pdf)

    def _preview(self, number: str, pdf: bytes) -> None:
        # QtPdf and QtPrintSupport load with the first certificate shown, not with the window.
        from desktop_app.ui.views.certificate_preview import CertificatePreview

        certificates, actor = self._certificates, self._actor
        self.last_preview = CertificatePreview(
            number, pdf, lambda paper: certificates.reprint(number, paper, actor=actor), self
        )
        self.last_preview.open()

    def _after_revoke(self, number: str) -> None:
        self.refresh()
        self.message.emit(_("Certificate {number} revoked.").format(number=number))

    def _on_refused(self, error: UserFacingError) -> None:
        self.issue_button.setEnabled(True)
        QMessageBox.warning(self, _("Certificate"), error.message)
