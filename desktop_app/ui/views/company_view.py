"""The company's data in Settings (legal name, NIT, address, phone, support e-mail, web site, the
seal's texts) as certificates and statements print it, and the certificate signing key's public
part with its fingerprint. Administrators edit; everyone else who opens Settings reads."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.company import COMPANY_FIELDS, FIELD_LENGTHS, CompanyProfile
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _
from desktop_app.services.company import CompanyPage, CompanyService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording import company_field_label

_PLACEHOLDERS = {
    "legal_name": "3D makeR Technologies SAS",
    "tax_id": "900123456-8",
    "address": "Calle 77 # 65-37, Barranquilla",
    "phone": "+57 605 000 0000",
    "support_email": "soporte@somosmaker.com",
    "website": "somosmaker.com",
    "seal_ring_text": "3D MAKER TECHNOLOGIES SAS",
    "seal_centre_text": "SOPORTE TÉCNICO",
}


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.addWidget(QLabel(title, objectName="cardTitle"))
    return frame, layout


class CompanyView(QWidget):
    """Signals:
    company_saved(): the company data changed (certificates print it from now on).
    """

    company_saved = Signal()

    def __init__(
        self, company: CompanyService, tasks: TaskRunner, actor: Actor, tz: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service, self._tasks, self._actor, self._tz = company, tasks, actor, tz
        self._page: CompanyPage | None = None
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name in COMPANY_FIELDS:
            field = QLineEdit(placeholderText=_PLACEHOLDERS[name])
            field.setMaxLength(FIELD_LENGTHS[name] * 2)  # longer than allowed is refused by name, not cut
            self.fields[name] = field
            form.addRow(company_field_label(name), field)
        self.fields["tax_id"].setToolTip(_("With its check digit, as on the RUT: 900123456-8."))
        self.state = QLabel(objectName="muted", wordWrap=True)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.save_button = QPushButton(_("Save company data"), objectName="primary")
        self.discard_button = QPushButton(_("Discard changes"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        data_card, data_layout = _card(_("Company data printed on certificates and statements"))
        data_layout.addLayout(form)
        data_layout.addWidget(self.error)
        data_layout.addLayout(buttons)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.can_issue = QLabel(wordWrap=True)
        self.key_id = QLabel()
        self.fingerprint = QLabel(wordWrap=True)
        self.public_key = QLabel(wordWrap=True)
        for label in (self.key_id, self.fingerprint, self.public_key):
            label.setFont(mono)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key_form = QFormLayout()
        key_form.addRow(_("Key id (in each certificate's QR)"), self.key_id)
        key_form.addRow(_("Fingerprint (SHA-256)"), self.fingerprint)
        key_form.addRow(_("Public key"), self.public_key)
        key_card, key_layout = _card(_("Certificate signing key"))
        key_layout.addWidget(self.can_issue)
        key_layout.addLayout(key_form)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 8, 0, 0)
        body_layout.addWidget(data_card)
        body_layout.addWidget(key_card)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The cards wrap their texts to the page's width; they never need to scroll sideways.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.discard_button.clicked.connect(lambda _checked=False: self.load())
        self.load()

    # -- own API ---------------------------------------------------------------------------------

    def load(self) -> None:
        """The company data as saved (or the shipped defaults), and the key as it is now."""
        self.show_page(self._service.page(self._actor))

    def show_page(self, page: CompanyPage) -> None:
        self._page = page
        for name, field in self.fields.items():
            field.setText(getattr(page.profile, name))
            field.setReadOnly(not page.editable)
        self.save_button.setVisible(page.editable)
        self.discard_button.setVisible(page.editable)
        self.error.hide()
        if page.saved and page.updated_at is not None:
            # No full stop after the time: in Spanish it ends in "a. m.".
            self.state.setText(
                _("Saved by {name} on {when}").format(
                    name=page.updated_by_name or "—", when=format_datetime(page.updated_at, self._tz)
                )
            )
        else:
            self.state.setText(
                _("Not saved yet: certificates print the data shipped with the program until an administrator saves.")
            )
        key = page.key
        if key.can_issue:
            self.can_issue.setText(_("This installation can issue certificates: it holds the office's signing key."))
        else:
            self.can_issue.setText(
                _(
                    "This installation cannot issue certificates: it has no signing key. An administrator creates "
                    "it once, in Help → Getting started guide (or with “makersupport certificate keygen”); other desks "
                    "only verify."
                )
            )
        self.key_id.setText(key.key_id or "—")
        self.fingerprint.setText(key.fingerprint or "—")
        self.public_key.setText(key.public_key_hex or "—")

    def read_form(self) -> CompanyProfile:
        return CompanyProfile(**{name: field.text() for name, field in self.fields.items()})

    def save(self) -> None:
        """Saved off the GUI thread; a refusal (a wrong NIT check digit…) is shown above the buttons."""
        page = self._page
        if page is None or not page.editable:
            return
        profile, version, actor = self.read_form(), page.version if page.saved else None, self._actor
        self.save_button.setEnabled(False)
        self._tasks.run(
            lambda: self._service.save(profile, actor=actor, expected_version=version),
            self._on_saved,
            self._on_refused,
        )

    # -- slots -----------------------------------------------------------------------------------

    def _on_saved(self, page: CompanyPage) -> None:
        self.save_button.setEnabled(True)
        self.show_page(page)
        self.company_saved.emit()

    def _on_refused(self, error: UserFacingError) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(error.message)
        self.error.show()
