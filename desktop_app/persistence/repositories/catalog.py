"""The reference data: customers, contacts, product models, machines and users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import CustomerId, MachineId, ModelCode, UserId
from desktop_app.domain.model import Contact, Customer, Machine, ProductModel, Role, User
from desktop_app.domain.search import search_document
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence.repositories.customers import SqlCustomerRepository, customer_from_record
from desktop_app.persistence.repositories.products import model_from_record
from desktop_app.persistence.tables import (
    CustomerRecord,
    MachineRecord,
    ProductModelRecord,
    UserRecord,
)
from desktop_app.services.dto import Credentials


def _user(r: UserRecord) -> User:
    return User(r.username, r.full_name, r.email, Role(r.role), r.city, r.active, UserId(r.id))


def _machine(r: MachineRecord) -> Machine:
    return Machine(
        r.serial,
        r.qr_payload,
        ModelCode(r.model_code),
        CustomerId(r.customer_id),
        r.purchase_date,
        r.warranty_end,
        r.unauthorized_intervention,
        r.last_preventive_maintenance,
        MachineId(r.id),
    )


class SqlCatalogRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _persist(self, record: object) -> None:
        self._session.add(record)
        self._session.flush()

    # -- customers and contacts ------------------------------------------------------------------

    def add_customer(self, customer: Customer) -> Customer:
        """Every field, the ones migration 0009 added too (repositories.customers writes them)."""
        return SqlCustomerRepository(self._session).add(customer)

    def add_contact(self, contact: Contact) -> Contact:
        return SqlCustomerRepository(self._session).add_contact(contact)

    def count_customers(self) -> int:
        return self._session.scalar(select(func.count()).select_from(CustomerRecord)) or 0

    def get_customer(self, customer_id: CustomerId) -> Customer | None:
        r = self._session.get(CustomerRecord, customer_id)
        return None if r is None else customer_from_record(r)

    def customer_id_by_tax_id(self, tax_id: str) -> CustomerId | None:
        found = self._session.scalar(select(CustomerRecord.id).where(CustomerRecord.tax_id == tax_id))
        return CustomerId(found) if found is not None else None

    # -- product models and machines -------------------------------------------------------------

    def add_model(self, model: ProductModel) -> ProductModel:
        self._persist(
            ProductModelRecord(
                code=model.code,
                name=model.name,
                technology=model.technology.value,
                discontinued_from=model.discontinued_from,
                warranty_months=model.warranty_months,
                maintenance_interval_days=model.maintenance_interval_days,
                notes=model.notes,
            )
        )
        return model

    def get_model(self, code: str) -> ProductModel | None:
        r = self._session.get(ProductModelRecord, code)
        return None if r is None else model_from_record(r)

    def _machine_search_text(self, machine: Machine) -> str:
        customer = self._session.get(CustomerRecord, machine.customer_id)
        model = self._session.get(ProductModelRecord, machine.model_code)
        return search_document(
            machine.serial,
            model.name if model else "",
            customer.name if customer else "",
            customer.tax_id if customer else "",
            customer.city if customer else "",
        )

    def add_machine(self, machine: Machine) -> Machine:
        record = MachineRecord(
            search_text=self._machine_search_text(machine),
            serial=machine.serial,
            qr_payload=machine.qr_payload,
            model_code=machine.model_code,
            customer_id=machine.customer_id,
            purchase_date=machine.purchase_date,
            warranty_end=machine.warranty_end,
            unauthorized_intervention=machine.unauthorized_intervention,
            last_preventive_maintenance=machine.last_preventive_maintenance,
        )
        self._persist(record)
        return Machine(**{**machine.__dict__, "id": MachineId(record.id)})

    def get_machine(self, machine_id: MachineId) -> Machine | None:
        r = self._session.get(MachineRecord, machine_id)
        return None if r is None else _machine(r)

    def machine_id_by_serial(self, serial: str) -> MachineId | None:
        found = self._session.scalar(select(MachineRecord.id).where(MachineRecord.serial == serial))
        return MachineId(found) if found is not None else None

    def update_machine(self, machine: Machine, expected_version: int) -> None:
        """Raises ConflictError when the record changed since expected_version."""
        assert machine.id is not None
        record = self._session.get(MachineRecord, machine.id)
        if record is None:
            raise NotFoundError(_("Machine {id} does not exist.").format(id=machine.id))
        if record.version != expected_version:
            raise ConflictError(_("Someone else changed this machine meanwhile. Nothing was saved."))
        search_text = self._machine_search_text(machine)  # read before the record turns dirty
        record.serial = machine.serial
        record.qr_payload = machine.qr_payload
        record.model_code = machine.model_code
        record.customer_id = machine.customer_id
        record.purchase_date = machine.purchase_date
        record.warranty_end = machine.warranty_end
        record.unauthorized_intervention = machine.unauthorized_intervention
        record.last_preventive_maintenance = machine.last_preventive_maintenance
        record.search_text = search_text
        self._session.flush()

    def record_maintenance(self, machine_id: MachineId, day: date) -> None:
        record = self._session.get(MachineRecord, machine_id)
        if record is None:
            raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
        if record.last_preventive_maintenance is None or record.last_preventive_maintenance < day:
            record.last_preventive_maintenance = day
            self._session.flush()

    # -- users -----------------------------------------------------------------------------------

    def add_user(self, user: User) -> User:
        record = UserRecord(
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            role=user.role.value,
            city=user.city,
            active=user.active,
        )
        self._persist(record)
        return User(**{**user.__dict__, "id": UserId(record.id)})

    def user_by_username(self, username: str) -> User | None:
        r = self._session.scalars(select(UserRecord).where(UserRecord.username == username)).first()
        return None if r is None else _user(r)

    def get_user(self, user_id: UserId) -> User | None:
        r = self._session.get(UserRecord, user_id)
        return None if r is None else _user(r)

    def users(self) -> list[User]:
        return [_user(r) for r in self._session.scalars(select(UserRecord).order_by(UserRecord.full_name))]

    def users_with_role(self, role: Role) -> list[User]:
        stmt = select(UserRecord).where(UserRecord.role == role.value, UserRecord.active.is_(True))
        return [_user(r) for r in self._session.scalars(stmt)]

    def credentials(self, username: str) -> Credentials | None:
        r = self._session.scalars(select(UserRecord).where(UserRecord.username == username.strip())).first()
        if r is None:
            return None
        return Credentials(_user(r), r.password_hash, r.failed_sign_ins, r.last_failed_sign_in_at)

    def record_sign_in(self, user_id: UserId, *, success: bool, at: datetime) -> None:
        """Count a sign-in, in one UPDATE that reads and writes the count in the database.

        Not through the record's version: the same person signing in on two desks (or two workers with one
        service account) at the same moment is not a conflict, and two failures at once must count twice.
        """
        if success:
            values: dict[str, object] = {"failed_sign_ins": 0, "last_failed_sign_in_at": None, "last_sign_in_at": at}
        else:
            values = {"failed_sign_ins": UserRecord.failed_sign_ins + 1, "last_failed_sign_in_at": at}
        self._session.execute(
            update(UserRecord).where(UserRecord.id == user_id).values(**values),
            execution_options={"synchronize_session": False},
        )

    def clear_failed_sign_ins(self, user_id: UserId) -> bool:
        result = self._session.execute(
            update(UserRecord).where(UserRecord.id == user_id).values(failed_sign_ins=0, last_failed_sign_in_at=None),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        r = self._session.get(UserRecord, user_id)
        assert r is not None
        r.password_hash = password_hash
        r.failed_sign_ins, r.last_failed_sign_in_at = 0, None
        self._session.flush()

    def count_admins_with_password(self) -> int:
        stmt = select(func.count(UserRecord.id)).where(
            UserRecord.role == Role.ADMIN.value, UserRecord.active.is_(True), UserRecord.password_hash.is_not(None)
        )
        return self._session.scalar(stmt) or 0
