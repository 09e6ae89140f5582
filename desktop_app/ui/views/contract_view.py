"""Plan contracts: a searchable list, and the selected contract with the machines it covers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.money import IVA_RATE_PERCENT
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_date, format_money
from desktop_app.i18n import _, ngettext
from desktop_app.services.access import may
from desktop_app.services.billing import BillingService, balance_text, line_description
from desktop_app.services.certificates import CertificateService
from desktop_app.services.contracts import ContractForm, ContractService
from desktop_app.services.dto import ContractSummary
from desktop_app.services.pricing import price_with_iva
from desktop_app.ui import theme
from desktop_app.ui.models.contract_model import ContractColumn, ContractModel, CoveredMachineModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.contract_certificates import ContractCertificates
from desktop_app.ui.views.contract_dialog import ContractDialog
from desktop_app.ui.views.plans_dialog import PlansDialog
from desktop_app.ui.widgets import record_table, search_field
from desktop_app.ui.workers.batch_worker import BatchWorker
from desktop_app.wording import contract_state_label

# The customer column takes the rest of the width.
_COLUMN_WIDTHS = {
    ContractColumn.CITY: 105,
    ContractColumn.PLAN: 135,
    ContractColumn.INVOICE: 105,
    ContractColumn.VALIDITY: 200,
    ContractColumn.STATE: 95,
    ContractColumn.MACHINES: 80,
    ContractColumn.PRICE: 140,
}


class ContractView(QWidget):
    """Signals:
    message(str): something done, for the status bar.
    """

    message = Signal(str)

    def __init__(
        self,
        contracts: ContractService,
        certificates: CertificateService | None = None,
        tasks: TaskRunner | None = None,
        actor: Actor | None = None,
        billing: BillingService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._contracts = contracts
        self._billing = billing
        self._certificates, self._tasks, self._actor = certificates, tasks, actor
        self.contract: ContractSummary | None = None

        self.search = search_field(_("Search customer, city, plan or invoice…"))

        self.model = ContractModel(contracts.state_of, self)
        self.table = record_table(self.model, row_height=30)
        self.table.setFont(theme.tabular_font(self.table.font()))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ContractColumn.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        # Never narrower than the header's own text in the language in force ("Valor antes de IVA").
        bold = QFontMetrics(theme.bold(self.table.font()))
        for column, width in _COLUMN_WIDTHS.items():
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            header.resizeSection(column, max(width, bold.horizontalAdvance(title) + 28))

        self.empty_label = QLabel(objectName="emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        may_manage = actor is not None and may(actor, Permission.MANAGE_CONTRACTS) and tasks is not None
        self.batch_button = QPushButton(_("Certificates in batch…"))
        self.batch_button.setToolTip(
            _("Issue the certificates of every listed contract that can be certified (narrow the list first)")
        )
        self.batch_button.setVisible(
            actor is not None and may(actor, Permission.ISSUE_CERTIFICATES) and certificates is not None
        )
        self.batch_button.clicked.connect(lambda _checked=False: self.issue_batch())  # checked is no folder
        self.new_button = QPushButton(theme.icon("plus"), _("New contract"))
        self.new_button.setVisible(may_manage)
        self.new_button.clicked.connect(self.new_contract)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        self.plans_button = QPushButton(_("Plans…"))
        self.plans_button.setToolTip(_("What each support plan includes and costs"))
        self.plans_button.clicked.connect(lambda: PlansDialog(list(self._contracts.plan_terms()), self).exec())
        search_row.addWidget(self.plans_button)
        search_row.addWidget(self.batch_button)
        search_row.addWidget(self.new_button)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.list_stack, 1)

        self.detail_title = QLabel(objectName="ticketNumber")
        self.detail_title.setWordWrap(True)
        self.fields: dict[str, QLabel] = {}
        card = QFrame(objectName="card")
        columns = QHBoxLayout(card)
        columns.setContentsMargins(12, 10, 12, 12)
        columns.setSpacing(24)
        card_layout = QVBoxLayout()
        machines_layout = QVBoxLayout()
        columns.addLayout(card_layout, 2)
        columns.addLayout(machines_layout, 3)
        card_layout.addWidget(self.detail_title)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label in (
            ("plan", _("Plan")),
            ("invoice", _("Invoice")),
            ("validity", _("Validity")),
            ("state", _("State")),
            ("price", _("Price before IVA")),
            ("iva", _("IVA {rate} %").format(rate=IVA_RATE_PERCENT)),
            ("total", _("Total")),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(label, value)
        card_layout.addLayout(form)
        self.special_note = QLabel(objectName="muted")
        self.special_note.setWordWrap(True)
        card_layout.addWidget(self.special_note)
        # R15: the contract's certificates, and issuing a new one.
        self.certificate_panel: ContractCertificates | None = None
        if certificates is not None and tasks is not None and actor is not None:
            self.certificate_panel = ContractCertificates(certificates, tasks, actor, contracts.timezone())
            self.certificate_panel.message.connect(self.message)
        self.correct_button = QPushButton(_("Correct…"))
        self.correct_button.clicked.connect(self.correct_contract)
        self.renew_button = QPushButton(_("Renew…"))
        self.renew_button.setToolTip(_("A new contract for the next period; this one stays in the history"))
        self.renew_button.clicked.connect(self.renew_contract)
        for button in (self.correct_button, self.renew_button):
            button.setVisible(may_manage)
        contract_buttons = QHBoxLayout()
        contract_buttons.addWidget(self.correct_button)
        contract_buttons.addWidget(self.renew_button)
        contract_buttons.addStretch(1)
        card_layout.addLayout(contract_buttons)
        if self.certificate_panel is not None:
            card_layout.addWidget(self.certificate_panel)
        card_layout.addStretch(1)
        machines_layout.addWidget(QLabel(_("Covered machines"), objectName="cardTitle"))
        self.machine_model = CoveredMachineModel(self, contracts.today)
        self.machines = QTableView()
        self.machines.setModel(self.machine_model)
        self.machines.verticalHeader().setVisible(False)
        self.machines.setShowGrid(False)
        self.machines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.machines.horizontalHeader().setStretchLastSection(True)
        self.machines.horizontalHeader().resizeSection(0, 130)
        self.machines.horizontalHeader().resizeSection(1, 150)
        machines_layout.addWidget(self.machines, 1)
        # R6/R17: what the plan has used, and what to bill.
        self.balance = QLabel(wordWrap=True)
        self.bill = QTreeWidget()
        self.bill.setHeaderLabels([_("Date"), _("Concept"), _("Reference"), _("Before IVA")])
        self.bill.setRootIsDecorated(False)
        self.bill.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.bill_totals = QLabel(objectName="hint")
        self.csv_button = QPushButton(_("Export CSV…"))
        self.csv_button.clicked.connect(lambda: self.export_statement("csv"))
        self.statement_button = QPushButton(_("PDF statement…"))
        self.statement_button.clicked.connect(lambda: self.export_statement("pdf"))
        export_row = QHBoxLayout()
        export_row.addWidget(self.bill_totals, 1)
        export_row.addWidget(self.csv_button)
        export_row.addWidget(self.statement_button)
        machines_layout.addWidget(QLabel(_("Use and billing"), objectName="cardTitle"))
        machines_layout.addWidget(self.balance)
        machines_layout.addWidget(self.bill, 1)
        machines_layout.addLayout(export_row)
        for widget in (self.balance, self.bill, self.bill_totals, self.csv_button, self.statement_button):
            widget.setVisible(billing is not None)

        self.detail_empty = QLabel(
            _("Select a contract to see its plan, validity and machines."), objectName="emptyState"
        )
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_empty.setWordWrap(True)
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_empty)
        self.detail_stack.addWidget(card)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._search_timer.start)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.reload()

    def reload(self) -> None:
        self.model.set_contracts(self._contracts.list_contracts(self.search.text().strip()))
        if self.model.rowCount():
            self.list_stack.setCurrentWidget(self.table)
        else:
            self.empty_label.setText(
                _("No contracts match “{text}”.").format(text=self.search.text().strip())
                if self.search.text().strip()
                else _("There are no plan contracts yet.")
            )
            self.list_stack.setCurrentWidget(self.empty_label)
        self.detail_stack.setCurrentWidget(self.detail_empty)

    def show_contract(self, contract: ContractSummary) -> None:
        self.contract = contract
        self.detail_title.setText(contract.customer_name)
        price = price_with_iva(contract.price_before_iva)
        self.fields["plan"].setText(contract.plan_name)
        self.fields["invoice"].setText(contract.invoice_number)
        self.fields["validity"].setText(f"{format_date(contract.valid_from)} – {format_date(contract.valid_to)}")
        self.fields["state"].setText(contract_state_label(self._contracts.state_of(contract)))
        self.fields["price"].setText(format_money(price.before_iva))
        self.fields["iva"].setText(format_money(price.iva))
        self.fields["total"].setText(format_money(price.total))
        self.special_note.setText(
            _("Special contract: it keeps support for a discontinued model.") if contract.special else ""
        )
        self.special_note.setVisible(contract.special)
        self.machine_model.set_machines(contract.machines)
        if self.certificate_panel is not None:
            self.certificate_panel.show_contract(contract)
        self._fill_billing(contract)
        self.detail_stack.setCurrentIndex(1)

    def select_contract(self, contract_id: int) -> bool:
        """Select and show the contract (the audit log opens contracts this way). The list is read
        again when it lacks the contract (recorded since, or hidden by the search, which is then
        cleared). False when there is no such contract."""
        row = self._row_of(contract_id)
        if row is None:
            if self.search.text():
                self.search.clear()
                self._search_timer.stop()  # reloaded now, not again in a moment
            self.reload()
            row = self._row_of(contract_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        self.show_contract(self.model.contract_at(row))
        return True

    def _row_of(self, contract_id: int) -> int | None:
        for row in range(self.model.rowCount()):
            if self.model.contract_at(row).id == contract_id:
                return row
        return None

    def export_statement(self, kind: str) -> None:
        """The customer's billing lines of every contract: CSV for the accountant, or the PDF statement."""
        contract, billing, tasks = self.contract, self._billing, self._tasks
        if contract is None or billing is None or tasks is None:
            return
        suffix = "csv" if kind == "csv" else "pdf"
        name = f"facturacion-{contract.customer_name}.{suffix}".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the billing"), name, f"{suffix.upper()} (*.{suffix})")
        if not path:
            return
        target = Path(path if path.lower().endswith(f".{suffix}") else f"{path}.{suffix}")
        make = billing.customer_csv if kind == "csv" else billing.customer_pdf
        customer = contract.customer_id
        tasks.run(
            lambda: write_file(target, make(customer), replace=True),  # the save dialog asked first
            lambda written: self.message.emit(_("Saved to {path}").format(path=written)),
            self._on_refused,
        )

    def issue_batch(self, folder: Path | None = None) -> BatchWorker | None:
        """The certificates of every listed contract that can be certified, one PDF each in a folder,
        with a progress bar and a cancel button (R15)."""
        certificates, actor = self._certificates, self._actor
        if certificates is None or actor is None:
            return None
        # The service's own rule (R15) picks the contracts: the batch does not restate it.
        listed = [self.model.contract_at(row) for row in range(self.model.rowCount())]
        wanted = [contract for contract in listed if not certificates.refusal(contract)]
        if not wanted:
            reason = _("No listed contract can be certified: they cover no machines or have ended.")
            QMessageBox.information(self, _("Certificate"), reason)
            return None
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, _("Folder for the certificates"))
            if not chosen:
                return None
            folder = Path(chosen)
        target = folder

        def issue(contract: ContractSummary) -> tuple[Path, str]:
            issued = certificates.issue(contract.id, actor=actor)
            path = write_file(target / f"{issued.number}.pdf", issued.pdf)
            return path, f"{issued.number} · {contract.customer_name}"

        worker = BatchWorker(wanted, issue)
        dialog = QProgressDialog(_("Issuing certificates…"), _("Cancel"), 0, len(wanted), self)
        dialog.setWindowTitle(_("Certificates in batch"))
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(worker.cancel)
        worker.progress.connect(
            lambda done, total, said: (
                dialog.setValue(done),
                dialog.setLabelText(_("{done} of {total}: {said}").format(done=done, total=total, said=said)),
            )
        )
        worker.finished_batch.connect(lambda results, refused: self._on_batch_done(dialog, worker, results, refused))
        self._batch = worker  # a running QThread must stay referenced until it finishes
        worker.start()
        return worker

    def _on_refused(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("Not saved"), error.message)

    def _on_batch_done(
        self, dialog: QProgressDialog, worker: BatchWorker, results: list[Path], refused: list[str]
    ) -> None:
        worker.wait()
        dialog.close()
        if self.certificate_panel is not None:
            self.certificate_panel.refresh()
        summary = ngettext("{n} certificate issued", "{n} certificates issued", len(results)).format(n=len(results))
        if worker.cancelled:
            summary += " · " + _("cancelled")
        if refused:
            summary += " · " + ngettext("{n} refused", "{n} refused", len(refused)).format(n=len(refused))
            QMessageBox.warning(self, _("Certificates in batch"), "\n".join(refused[:20]))
        self.message.emit(summary)

    def _fill_billing(self, contract: ContractSummary) -> None:
        self.bill.clear()
        if self._billing is None:
            return
        statement = self._billing.contract_statement(contract.id)
        self.balance.setText(balance_text(statement.balance))
        for line in statement.lines:
            self.bill.addTopLevelItem(
                QTreeWidgetItem(
                    [format_date(line.day), line_description(line), line.reference, format_money(line.amount)]
                )
            )
        if not statement.lines:
            self.bill.addTopLevelItem(QTreeWidgetItem(["", _("Nothing to bill for this contract.")]))
        t = statement.totals
        self.bill_totals.setText(
            _("Before IVA {before} · IVA {iva} · Total {total}").format(
                before=format_money(t.before_iva), iva=format_money(t.iva), total=format_money(t.total)
            )
        )

    def new_contract(self) -> None:
        self._edit(None, None)

    def correct_contract(self) -> None:
        c = self.contract
        if c is None:
            return
        form = ContractForm(
            c.customer_id,
            c.plan_code,
            c.invoice_number,
            c.valid_from,
            c.valid_to,
            c.price_before_iva,
            tuple(m.id for m in c.machines),
            c.special,
            c.id,
            c.renews_id,
        )
        self._edit(form, c.version)

    def renew_contract(self) -> None:
        if self.contract is not None:
            self._edit(self._contracts.renewal_form(self.contract.id), None)

    def _edit(self, form: ContractForm | None, version: int | None) -> None:
        if self._tasks is None or self._actor is None:
            return
        dialog = ContractDialog(
            self._contracts, self._contracts.customers(), self._tasks, self._actor, form, self._contracts.today(),
            version, self,
        )  # fmt: skip
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.reload()
            self.show_contract(dialog.saved)
            self.message.emit(_("Contract {invoice} saved.").format(invoice=dialog.saved.invoice_number))

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.show_contract(self.model.contract_at(indexes[0].row()))
