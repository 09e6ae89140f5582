"""A customer's record as a form: the fields, and the checks a person sees while typing — the NIT's
check digit (and a NIT already registered), and the city: a known municipality, the nearest names
to pick from, and, for an administrator, "add this municipality". The service applies the same
rules again when saving."""

from __future__ import annotations

import html

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Customer, CustomerKind
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.domain.places import Place
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.customer_ports import CustomerView
from desktop_app.services.customers import CustomerForm, CustomerService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.customers import customer_kind_label

CHECK_DELAY_MS = 400
MAX_SUGGESTIONS = 5


class CustomerFormWidget(QWidget):
    """Signals:
    place_added(str): an administrator added a municipality (its label), for the status bar.
    """

    place_added = Signal(str)

    def __init__(
        self,
        customers: CustomerService,
        tasks: TaskRunner,
        actor: Actor,
        editable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers, self._tasks, self._actor = customers, tasks, actor
        self._customer_id: CustomerId | None = None
        self.name = QLineEdit(placeholderText=_("Legal name, as on the RUT"))
        self.kind = QComboBox()
        for kind in CustomerKind:
            self.kind.addItem(customer_kind_label(kind), kind.value)
        self.tax_id = QLineEdit(placeholderText="900123456-8")
        self.tax_id.setToolTip(_("With its check digit, after a dash, as on the RUT."))
        self.nit_message = QLabel(wordWrap=True, objectName="error")
        self.nit_message.hide()
        self.city = QLineEdit(placeholderText=_("Municipality, e.g. Medellín"))
        self.department = QComboBox()
        self.department.addItem(_("(department: from the city)"), "")
        for department in customers.departments():
            self.department.addItem(department, department)
        self.city_message = QLabel(wordWrap=True, objectName="error")
        self.city_message.hide()
        # The nearest names, each a link that fills the city and its department.
        self.suggestions = QLabel(wordWrap=True)
        self.suggestions.setTextFormat(Qt.TextFormat.RichText)
        self.suggestions.linkActivated.connect(self._on_place_chosen)
        self.suggestions.hide()
        for message in (self.nit_message, self.city_message, self.suggestions):
            # As tall as their text, not a share of the form's spare height.
            message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.add_place_button = QPushButton(_("Add this municipality"))
        self.add_place_button.setToolTip(
            _("Add the city to the list of municipalities, in the department chosen (administrators).")
        )
        self.add_place_button.hide()
        self.add_place_button.clicked.connect(self.add_place)
        self.address = QLineEdit()
        self.email = QLineEdit(placeholderText="soporte@cliente.com.co")
        self.phone = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(_("What the desk should know about this customer…"))
        self.notes.setFixedHeight(70)
        self._completer_model = QStringListModel(self)
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._on_place_chosen)
        self.city.setCompleter(completer)
        self._fill_places()

        # A field and its messages in one column: QFormLayout gives wrapped labels of its own rows
        # far more height than their text needs.
        nit_box = QWidget()
        nit_column = QVBoxLayout(nit_box)
        nit_column.setContentsMargins(0, 0, 0, 0)
        nit_column.addWidget(self.tax_id)
        nit_column.addWidget(self.nit_message)
        city_box = QWidget()
        city_column = QVBoxLayout(city_box)
        city_column.setContentsMargins(0, 0, 0, 0)
        city_row = QHBoxLayout()
        city_row.addWidget(self.city, 3)
        city_row.addWidget(self.department, 2)
        city_column.addLayout(city_row)
        city_column.addWidget(self.city_message)
        city_column.addWidget(self.suggestions)
        city_column.addWidget(self.add_place_button)
        form = QFormLayout()
        form.addRow(_("Legal name"), self.name)
        form.addRow(_("Type"), self.kind)
        form.addRow(_("NIT"), nit_box)
        form.addRow(_("City"), city_box)
        form.addRow(_("Address"), self.address)
        form.addRow(_("E-mail"), self.email)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Notes"), self.notes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

        self._nit_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._nit_timer.timeout.connect(self.check_nit)
        self.tax_id.textEdited.connect(lambda _text: self._nit_timer.start())
        self.tax_id.editingFinished.connect(self.check_nit)
        self.city.editingFinished.connect(self.check_city)
        self.department.currentIndexChanged.connect(lambda _index: self.check_city())
        self.set_editable(editable)

    # -- own API ---------------------------------------------------------------------------------

    def set_editable(self, editable: bool) -> None:
        for field in (self.name, self.tax_id, self.city, self.address, self.email, self.phone):
            field.setReadOnly(not editable)
        self.notes.setReadOnly(not editable)
        self.kind.setEnabled(editable)
        self.department.setEnabled(editable)
        self._editable = editable

    def show_customer(self, view: CustomerView | None) -> None:
        """The fields of a stored customer (None: empty, for a new one)."""
        customer = view.customer if view else None
        self._customer_id = customer.id if customer else None
        self.name.setText(customer.name if customer else "")
        self.kind.setCurrentIndex(
            max(0, self.kind.findData((customer.kind if customer else CustomerKind.COMPANY).value))
        )
        self.tax_id.setText(customer.tax_id if customer else "")
        self.city.setText(customer.city if customer else "")
        self.department.blockSignals(True)
        self.department.setCurrentIndex(max(0, self.department.findData(customer.department if customer else "")))
        self.department.blockSignals(False)
        self.address.setText(customer.address if customer else "")
        self.email.setText(customer.email if customer else "")
        self.phone.setText(customer.phone if customer else "")
        self.notes.setPlainText(customer.notes if customer else "")
        self._show_nit_problem(view.nit_problem if view else None)
        self._show_place_problem(None)
        if view is not None and not view.place_known and customer is not None:
            self.check_city()

    def form(self, customer: Customer | None = None) -> CustomerForm:
        return CustomerForm(
            name=self.name.text(),
            kind=CustomerKind(self.kind.currentData()),
            tax_id=self.tax_id.text(),
            city=self.city.text(),
            department=self.department.currentData() or "",
            address=self.address.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            notes=self.notes.toPlainText(),
            id=self._customer_id,
        )

    def check_nit(self) -> None:
        """The NIT as typed: its check digit, or a NIT already registered (read on this thread: one
        short query)."""
        self._nit_timer.stop()
        if not self._editable:
            return
        text = self.tax_id.text()
        self._show_nit_problem(self._customers.nit_problem(text, self._customer_id) if text.strip() else None)

    def check_city(self) -> None:
        if not self._editable or not self.city.text().strip():
            self._show_place_problem(None)
            return
        check = self._customers.check_place(self.city.text(), self.department.currentData() or "")
        if check.place is not None:
            self.city.setText(check.place.name)
            self.department.blockSignals(True)
            self.department.setCurrentIndex(max(0, self.department.findData(check.place.department)))
            self.department.blockSignals(False)
            self._show_place_problem(None)
            return
        if check.suggestions:  # said shortly: the names follow as links
            problem = _("{city} is not a Colombian municipality we know.").format(city=self.city.text().strip())
            self._show_place_problem(problem, [p.label for p in check.suggestions])
        else:
            self._show_place_problem(check.problem)

    def add_place(self) -> None:
        """An administrator adds the typed city in the chosen department."""
        city, department = self.city.text(), self.department.currentData() or ""
        customers, actor = self._customers, self._actor
        self._tasks.run(
            lambda: customers.add_place(city, department, actor=actor), self._on_place_added, self._on_refused
        )

    # -- internals -------------------------------------------------------------------------------

    def _fill_places(self) -> None:
        self._completer_model.setStringList([p.label for p in self._customers.places()])

    def _show_nit_problem(self, problem: str | None) -> None:
        self.nit_message.setText(problem or "")
        self.nit_message.setVisible(bool(problem))

    def _show_place_problem(self, problem: str | None, suggestions: list[str] | None = None) -> None:
        self.city_message.setText(problem or "")
        self.city_message.setVisible(bool(problem))
        names = (suggestions or [])[:MAX_SUGGESTIONS]
        links = ", ".join(f'<a href="{html.escape(n, quote=True)}">{html.escape(n)}</a>' for n in names)
        self.suggestions.setText(_("Did you mean: {places}?").format(places=links) if names else "")
        self.suggestions.setVisible(bool(names))
        may_add = may(self._actor, Permission.ADD_PLACES) and self._editable
        self.add_place_button.setVisible(bool(problem) and may_add)
        self.add_place_button.setEnabled(bool(self.department.currentData()))
        if problem and may_add and not self.department.currentData():
            self.add_place_button.setToolTip(_("Choose the department first, then add the municipality."))

    def _on_place_chosen(self, label: str) -> None:
        name, _sep, department = label.rpartition(" (")
        if not name:
            return
        self.city.setText(name)
        self.department.blockSignals(True)
        self.department.setCurrentIndex(max(0, self.department.findData(department.rstrip(")"))))
        self.department.blockSignals(False)
        self.check_city()

    def _on_place_added(self, place: Place) -> None:
        self._fill_places()
        self.check_city()
        self.place_added.emit(place.label)

    def _on_refused(self, error: UserFacingError) -> None:
        self._show_place_problem(error.message)
