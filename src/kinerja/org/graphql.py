"""GraphQL types and queries of the organisation: employees, org units, positions, periods."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.core.batch import by_ids
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.org import service
from kinerja.org.models import Employee as EmployeeModel
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.models import Period as PeriodModel
from kinerja.org.models import Position as PositionModel
from kinerja.org.rules import EmploymentType, OrgUnitKind, PeriodKind, PositionKind

strawberry.enum(EmploymentType, description="Jenis kepegawaian: PNS or PPPK.")
strawberry.enum(PositionKind, description="Jenis jabatan: JPT, administrator, pengawas, pelaksana, fungsional.")
strawberry.enum(OrgUnitKind, description="Kind of org unit (perangkat daerah, bidang, seksi, ...).")
strawberry.enum(PeriodKind, description="Assessment period kind (periodik per the tenant scheme, or annual).")


async def employees_by_id(tenant_id, ids):
    return await by_ids(EmployeeModel, tenant_id, ids)


async def units_by_id(tenant_id, ids):
    return await by_ids(OrgUnitModel, tenant_id, ids)


async def positions_by_id(tenant_id, ids):
    return await by_ids(PositionModel, tenant_id, ids)


@strawberry.type(description="Jabatan (position).")
class Position:
    name: str
    kind: PositionKind

    @classmethod
    def from_model(cls, m: PositionModel) -> "Position":
        return cls(name=m.name, kind=m.kind)


@strawberry.type(description="A civil servant (ASN: PNS or PPPK), identified by an 18-digit NIP.")
class Employee(Node):
    nip: str = strawberry.field(description="Nomor Induk Pegawai, 18 digits.")
    name: str
    employment_type: EmploymentType
    active: bool
    _model: strawberry.Private[EmployeeModel]

    @classmethod
    def from_model(cls, m: EmployeeModel) -> "Employee":
        return cls(id=to_global_id("Employee", m.id), nip=m.nip, name=m.name,
                   employment_type=m.employment_type, active=m.active, _model=m)

    @strawberry.field
    async def position(self, info: Info) -> Position | None:
        if self._model.position_id is None:
            return None
        row = await loader(info.context, "position", positions_by_id).load(self._model.position_id)
        return Position.from_model(row) if row else None

    @strawberry.field(description="Unit kerja.")
    async def org_unit(self, info: Info) -> Annotated["OrgUnit", strawberry.lazy("kinerja.org.graphql")]:
        row = await loader(info.context, "org_unit", units_by_id).load(self._model.org_unit_id)
        return OrgUnit.from_model(row)

    @strawberry.field(description="Atasan langsung (direct supervisor).")
    async def supervisor(self, info: Info) -> Employee | None:
        if self._model.supervisor_id is None:
            return None
        row = await loader(info.context, "employee", employees_by_id).load(self._model.supervisor_id)
        return Employee.from_model(row) if row else None


@strawberry.type(description="Unit kerja: a perangkat daerah or one of its parts, in a tree.")
class OrgUnit(Node):
    code: str
    name: str
    kind: OrgUnitKind
    _model: strawberry.Private[OrgUnitModel]

    @classmethod
    def from_model(cls, m: OrgUnitModel) -> "OrgUnit":
        return cls(id=to_global_id("OrgUnit", m.id), code=m.code, name=m.name, kind=m.kind, _model=m)

    @strawberry.field
    async def parent(self, info: Info) -> OrgUnit | None:
        if self._model.parent_id is None:
            return None
        row = await loader(info.context, "org_unit", units_by_id).load(self._model.parent_id)
        return OrgUnit.from_model(row) if row else None

    @strawberry.field(description="Sub-units, ordered by code.")
    async def children(self, info: Info) -> list[OrgUnit]:
        tree = await _unit_tree(info)
        return [OrgUnit.from_model(u) for u in tree.get(self._model.id, [])]

    @strawberry.field(description="Kepala unit (head of the unit).")
    async def head(self, info: Info) -> Employee | None:
        if self._model.head_id is None:
            return None
        row = await loader(info.context, "employee", employees_by_id).load(self._model.head_id)
        return Employee.from_model(row) if row else None


async def _unit_tree(info: Info) -> dict[uuid.UUID | None, list[OrgUnitModel]]:
    """All units of the tenant grouped by parent: one query per request, however deep the tree."""
    ctx = info.context
    if "org_unit_tree" not in ctx.cache:
        tree: dict[uuid.UUID | None, list[OrgUnitModel]] = {}
        for unit in await service.list_org_units(ctx):
            tree.setdefault(unit.parent_id, []).append(unit)
        ctx.cache["org_unit_tree"] = tree
    return ctx.cache["org_unit_tree"]


@strawberry.type(description="Periode penilaian: a periodic (monthly/quarterly/semester) or annual period.")
class Period(Node):
    year: int
    kind: PeriodKind
    sequence: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    closed: bool

    @classmethod
    def from_model(cls, m: PeriodModel) -> "Period":
        return cls(id=to_global_id("Period", m.id), year=m.year, kind=m.kind, sequence=m.sequence,
                   name=m.name, starts_on=m.starts_on, ends_on=m.ends_on, closed=m.closed)


@strawberry.input
class EmployeeFilter:
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only employees of this org unit and its sub-units.")
    search: str | None = strawberry.field(default=None, description="Part of the name, or the start of the NIP.")


@strawberry.type
class OrgQuery:
    @strawberry.field(description="Employees the viewer may see (own, team, unit or tenant scope), by name.")
    async def employees(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: EmployeeFilter | None = None,
    ) -> Connection[Employee]:
        flt = service.EmployeeFilter()
        if filter is not None:
            flt = service.EmployeeFilter(
                org_unit_id=parse_global_id(filter.org_unit_id, "OrgUnit") if filter.org_unit_id else None,
                search=filter.search,
            )
        page = await service.list_employees(info.context, flt, first, after)
        return Connection[Employee](**connection_from_page(page, Employee.from_model))

    @strawberry.field(description="The org unit tree: top-level units with their `children`.")
    async def org_units(self, info: Info) -> list[OrgUnit]:
        tree = await _unit_tree(info)
        return [OrgUnit.from_model(u) for u in tree.get(None, [])]

    @strawberry.field(description="Assessment periods, optionally of one year.")
    async def periods(self, info: Info, year: int | None = None) -> list[Period]:
        return [Period.from_model(p) for p in await service.list_periods(info.context, year)]


@strawberry.input
class SetPeriodClosedInput:
    id: strawberry.ID
    closed: bool = True


@strawberry.type
class PeriodPayload:
    period: Period | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrgMutation:
    @strawberry.mutation(description="Close a period (realisation in it can no longer change), or reopen it.")
    async def set_period_closed(self, info: Info, input: SetPeriodClosedInput) -> PeriodPayload:
        async def work():
            period = await service.set_period_closed(info.context, parse_global_id(input.id, "Period"), input.closed)
            return {"period": Period.from_model(period)}
        return await run_mutation(info, PeriodPayload, work)


async def resolve_employee_node(ctx, object_id: uuid.UUID) -> Employee:
    return Employee.from_model(await service.get_employee(ctx, object_id))


async def resolve_org_unit_node(ctx, object_id: uuid.UUID) -> OrgUnit:
    return OrgUnit.from_model(await service.get_org_unit(ctx, object_id))


async def resolve_period_node(ctx, object_id: uuid.UUID) -> Period:
    return Period.from_model(await service.get_period(ctx, object_id))


NODE_RESOLVERS = {
    "Employee": resolve_employee_node,
    "OrgUnit": resolve_org_unit_node,
    "Period": resolve_period_node,
}
