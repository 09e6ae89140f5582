"""A small, hand-made world for playing the scenarios of SCENARIOS.md against real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.ids import ModelCode, PlanCode
from desktop_app.domain.model import Contract, Customer, CustomerKind, Machine, ProductModel, Role, Technology, User
from desktop_app.domain.permissions import Actor
from desktop_app.services.clock import FixedClock
from desktop_app.services.tickets import NewAttachment
from desktop_app.services.users import actor_of
from tests.conftest import make_settings

BOGOTA = ZoneInfo("America/Bogota")
# An image by its media type: enough for R2 (the service does not decode it).
PHOTO = NewAttachment("falla.jpg", b"\xff\xd8\xff\xe0 an image by its type", "image/jpeg")


def bogota(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BOGOTA)


@dataclass
class World:
    services: Services
    clock: FixedClock
    ids: dict[str, int]
    users: dict[str, User]

    def actor(self, username: str) -> Actor:
        return actor_of(self.users[username])


def build_world(folder: Path, start: datetime, db_url: str | None = None) -> World:
    clock = FixedClock(start)
    services = build_services(make_settings(folder, db_url), clock=clock)
    ids: dict[str, int] = {}
    users: dict[str, User] = {}
    with services.uow_factory() as uow:
        cat = uow.catalog
        for model in (
            ProductModel(ModelCode("R1"), "makeR Resin R1", Technology.RESIN),
            ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM),
            ProductModel(ModelCode("M2"), "makeR M2", Technology.FDM, discontinued_from=date(2023, 6, 30)),
        ):
            cat.add_model(model)
        for username, name, role, city in (
            ("admin", "Administración", Role.ADMIN, "Barranquilla"),
            ("diego", "Diego Martínez", Role.TECHNICIAN, "Bogotá"),
            ("laura", "Laura Pérez", Role.AGENT, "Barranquilla"),
            ("andres", "Andrés Gómez", Role.AGENT, "Cali"),
            ("carolina.rojas", "Carolina Rojas", Role.COORDINATOR, "Barranquilla"),
            ("mauricio.diaz", "Mauricio Díaz", Role.COORDINATOR, "Barranquilla"),
        ):
            user = cat.add_user(User(username, name, f"{username}@somosmaker.com", role, city))
            ids[username] = int(user.id)  # type: ignore[arg-type]
            users[username] = user

        def customer(
            key: str, name: str, kind: CustomerKind, city: str, paid: bool = True, trained: bool = True
        ) -> int:
            saved = cat.add_customer(Customer(name, kind, city, f"900{len(ids)}", f"{key}@x.co", "1", paid, trained))
            ids[key] = int(saved.id)  # type: ignore[arg-type]
            return ids[key]

        def machine(key: str, owner: int, model: str, bought: date, warranty: date, maint: date | None) -> int:
            serial = f"MK-{model}-{key.upper()}"
            saved = cat.add_machine(Machine(serial, serial, ModelCode(model), owner, bought, warranty, False, maint))  # type: ignore[arg-type]
            ids[key] = int(saved.id)  # type: ignore[arg-type]
            return ids[key]

        eafit = customer("eafit", "Universidad EAFIT", CustomerKind.UNIVERSITY, "Medellín")
        machine("eafit_r1", eafit, "R1", date(2025, 5, 1), date(2026, 5, 1), date(2026, 8, 1))
        school = customer("school", "Colegio Bolívar", CustomerKind.SCHOOL, "Cali")
        machine("school_m3", school, "M3", date(2025, 1, 1), date(2026, 1, 1), date(2026, 7, 1))
        uni = customer("uni", "Universidad del Norte", CustomerKind.UNIVERSITY, "Barranquilla")
        machine("uni_m3", uni, "M3", date(2025, 1, 1), date(2026, 1, 1), date(2026, 7, 1))
        maker = customer("maker", "Maker Space Bogotá", CustomerKind.MAKERSPACE, "Bogotá")
        machine("maker_m3", maker, "M3", date(2025, 9, 1), date(2026, 9, 1), date(2026, 6, 1))
        machine("maker_old", maker, "M2", date(2021, 3, 1), date(2022, 3, 1), date(2026, 6, 1))
        for key, plan, owner, machines, special in (
            ("c_eafit", "premium", eafit, ["eafit_r1"], False),
            ("c_school", "basico", school, ["school_m3"], False),
            ("c_uni", "profesional", uni, ["uni_m3"], False),
        ):
            saved = uow.contracts.add(
                Contract(
                    owner,
                    PlanCode(plan),
                    f"FE-{key}",
                    date(2026, 1, 1),
                    date(2027, 6, 30),
                    1_000_000,  # type: ignore[arg-type]
                    tuple(ids[m] for m in machines),
                    special,
                )  # type: ignore[misc]
            )
            ids[key] = int(saved.id)  # type: ignore[arg-type]
        uow.commit()
    return World(services, clock, ids, users)
