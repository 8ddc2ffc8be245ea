"""GraphQL types and queries of the organisation: employees, org units, positions, periods.

Reads are described for the compiler (``graph/sql.py``); nothing here reads the database itself."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, parse_optional_id
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org import service
from kinerja.org.models import Employee as EmployeeModel
from kinerja.org.models import EmployeeAssignment as EmployeeAssignmentModel
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.models import Period as PeriodModel
from kinerja.org.models import Position as PositionModel
from kinerja.org.rules import (
    EmployeeExitReason,
    EmploymentType,
    FunctionalLevel,
    OrgUnitKind,
    PeriodKind,
    PositionKind,
)
from kinerja.org.scoping import employee_rows
from kinerja.tenancy.rules import PeriodScheme

if TYPE_CHECKING:  # for the type checker only: at run time strawberry.lazy imports them
    from kinerja.evaluations.graphql import Evaluation
    from kinerja.plans.graphql import PerformancePlan, PlanStatus
    from kinerja.training.graphql import TrainingProgress

described(EmploymentType, "Jenis kepegawaian: PNS or PPPK.", {
    "PNS": "Pegawai Negeri Sipil: a permanent civil servant (yearly JP target).",
    "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja: a government employee on a work contract (JP cap per "
            "contract year).",
})
described(PositionKind, "Jenis jabatan: JPT, administrator, pengawas, pelaksana, fungsional.", {
    "JPT": "Jabatan Pimpinan Tinggi: senior executive (e.g. head of a dinas or badan).",
    "ADMINISTRATOR": "Jabatan administrator: middle manager (e.g. head of a bidang or bagian).",
    "PENGAWAS": "Jabatan pengawas: supervisor (e.g. head of a seksi or subbagian).",
    "PELAKSANA": "Jabatan pelaksana: staff position carrying out tasks.",
    "FUNGSIONAL": "Jabatan fungsional: functional (expert or skilled) position earning credit points "
                  "(angka kredit).",
})
described(FunctionalLevel, "Jenjang jabatan fungsional: the grade of a functional position (Peraturan BKN 3/2023 "
                           "fixes its yearly credit coefficient).", {
    "AHLI_PERTAMA": "Ahli Pertama (keahlian), 12.5 a year by default.",
    "AHLI_MUDA": "Ahli Muda (keahlian), 25 a year by default.",
    "AHLI_MADYA": "Ahli Madya (keahlian), 37.5 a year by default.",
    "AHLI_UTAMA": "Ahli Utama (keahlian), 50 a year by default.",
    "PEMULA": "Pemula (keterampilan), 3.75 a year by default.",
    "TERAMPIL": "Terampil (keterampilan), 5 a year by default.",
    "MAHIR": "Mahir (keterampilan), 12.5 a year by default.",
    "PENYELIA": "Penyelia (keterampilan), 25 a year by default.",
})
described(EmployeeExitReason, "Alasan pemberhentian: why an employee left.", {
    "RETIRED": "Pensiun: reached the retirement age (batas usia pensiun).",
    "RESIGNED": "Berhenti atas permintaan sendiri: resigned.",
    "DECEASED": "Meninggal dunia: deceased.",
    "DISMISSED": "Diberhentikan: dismissed.",
    "TRANSFERRED_OUT": "Pindah instansi: moved to another government agency.",
    "CONTRACT_ENDED": "Perjanjian kerja berakhir: a PPPK contract that was not extended.",
})
described(OrgUnitKind, "Kind of org unit (perangkat daerah, bidang, seksi, ...).", {
    "SEKRETARIAT": "Sekretariat: the secretariat (of the region, the council, or an agency).",
    "DINAS": "Dinas: a regional service agency (perangkat daerah).",
    "BADAN": "Badan: a regional body (e.g. BKPSDM, Bappeda).",
    "KANTOR": "Kantor: an office.",
    "INSPEKTORAT": "Inspektorat: the regional inspectorate (internal audit).",
    "KECAMATAN": "Kecamatan: a district administration.",
    "KELURAHAN": "Kelurahan: an urban village administration.",
    "NAGARI": "Nagari: a West Sumatran village government.",
    "BAGIAN": "Bagian: a division of a secretariat.",
    "BIDANG": "Bidang: a division of a dinas or badan.",
    "SUBBAGIAN": "Subbagian: a subdivision of a bagian or secretariat.",
    "SEKSI": "Seksi: a section of a bidang or a kecamatan.",
    "UPT": "Unit Pelaksana Teknis: a technical implementation unit (a school, a health centre).",
})
described(PeriodKind, "Assessment period kind (periodik per the tenant scheme, or annual).", {
    "MONTHLY": "Bulanan: a monthly period.",
    "QUARTERLY": "Triwulanan: a quarterly period.",
    "SEMESTER": "Semesteran: a half-year period.",
    "ANNUAL": "Tahunan: the year as a whole (the final evaluation).",
})

described(PeriodScheme, "Skema periode: how a year is divided into periodic assessment periods.", {
    "MONTHLY": "Bulanan: twelve monthly periods.",
    "QUARTERLY": "Triwulanan: four quarterly periods.",
    "SEMESTER": "Semesteran: two half-year periods.",
})

# Types of the areas above, named lazily (their modules import this one).
LazyPlan = Annotated["PerformancePlan", strawberry.lazy("kinerja.plans.graphql")]
LazyPlanStatus = Annotated["PlanStatus", strawberry.lazy("kinerja.plans.graphql")]
LazyEvaluation = Annotated["Evaluation", strawberry.lazy("kinerja.evaluations.graphql")]
LazyTrainingProgress = Annotated["TrainingProgress", strawberry.lazy("kinerja.training.graphql")]

ORG_READ = sql.requires("org", "read")


@sql.table(PositionModel, node=True, not_found=lambda: NotFound("Position not found"),
           description="Jabatan (position).")
class Position(Node):
    name: str = strawberry.field(description="Nama jabatan (position title).")
    kind: PositionKind = strawberry.field(description="Jenis jabatan (kind of position).")
    level: FunctionalLevel | None = strawberry.field(
        description="Jenjang jabatan fungsional of a functional position, which fixes its credit coefficient.")


@sql.table(EmployeeModel, access=employee_rows("employee", "read"), node=True,
           not_found=lambda: NotFound("Employee not found"),
           description="A civil servant (ASN: PNS or PPPK), identified by an 18-digit NIP.")
class Employee(Node):
    nip: str = strawberry.field(description="Nomor Induk Pegawai, 18 digits.")
    name: str = strawberry.field(description="Nama (full name).")
    employment_type: EmploymentType = strawberry.field(description="Jenis kepegawaian: PNS or PPPK.")
    active: bool = strawberry.field(description="Still employed here; inactive employees keep their history.")
    contract_starts_on: dt.date | None = strawberry.field(
        description="TMT perjanjian kerja: the start of a PPPK employee's contract, from which the contract years "
                    "of the JP cap count (PP 49/2018 art. 40); null for PNS.")
    exit_reason: EmployeeExitReason | None = strawberry.field(
        description="Why the employee left (set with `active` false by `deactivateEmployee`).")
    exit_on: dt.date | None = strawberry.field(description="The day the employee left; null while active.")
    position: Position | None = sql.join("position_id", description="Jabatan (position), if assigned.")
    org_unit: Annotated[OrgUnit, strawberry.lazy("kinerja.org.graphql")] = sql.join(
        "org_unit_id", description="Unit kerja.")
    supervisor: Employee | None = sql.join("supervisor_id", description="Atasan langsung (direct supervisor).")

    assignments: list[Annotated[EmployeeAssignment, strawberry.lazy("kinerja.org.graphql")]] = sql.rows(
        on={"employee_id": "id"}, order=("{t}.valid_from IS NULL", "-valid_from", "-id"), access=True,
        description="Riwayat jabatan: the employee's units, positions and supervisors over time, newest first "
                    "(empty for an employee recorded before the history was kept, until the first transfer).")

    @sql.builder(description="This employee's plans you may see (your plan scope), newest year first.")
    def performance_plans(self, first: First = 20, after: After = None,
                          year: Annotated[int | None, strawberry.argument(description="Only plans of this year.")] = None,
                          status: Annotated[LazyPlanStatus | None, strawberry.argument(
                              description="Only plans in this state.")] = None) -> Connection[LazyPlan]:
        where = []
        if year is not None:
            where.append(sql.eq("year", year))
        if status is not None:
            where.append(sql.eq("status", status))
        return sql.Page(first=first, after=after, on=(("employee_id", "id"),), where=tuple(where),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        order=("-year", "id"), access=True)

    @sql.builder(description="The plan of a year in force or in progress (the latest revision not superseded), "
                             "if you may see it.")
    def current_plan(self, year: Annotated[int, strawberry.argument(description="Tahun (the plan's year).")]
                     ) -> LazyPlan | None:
        return sql.Row(on=(("employee_id", "id"),), where=(sql.eq("year", year), sql.where("{t}.status <> 'SUPERSEDED'")),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       order=("-revision",), access=True)

    latest_evaluation: LazyEvaluation | None = sql.row(
        on={"employee_id": "id"}, where=(sql.eq("status", "FINAL"),), access=True,
        joins="JOIN period {j} ON {j}.tenant_id = {t}.tenant_id AND {j}.id = {t}.period_id",
        order=("-{j}.ends_on", "{j}.starts_on", "-{t}.finalized_at", "-{t}.id"),
        description="The final evaluation of the latest evaluated period (the current predicate), if you may "
                    "see it.")

    @sql.builder(description="Verified JP of a year against the yearly target, if you may see it.")
    def training_progress(self, year: Annotated[int, strawberry.argument(description="Tahun (calendar year).")]
                          ) -> LazyTrainingProgress | None:
        return sql.Row(on=(("id", "id"),), values=(year, None), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification


@sql.table(EmployeeAssignmentModel, access=employee_rows("employee", "read", "employee_id"),
           description="One entry of an employee's history: unit, position and supervisor from a day on.")
class EmployeeAssignment:
    org_unit: Annotated[OrgUnit, strawberry.lazy("kinerja.org.graphql")] = sql.join(
        "org_unit_id", description="Unit kerja during this assignment (it may be closed since).")
    position: Position | None = sql.join("position_id", description="Jabatan during this assignment.")
    supervisor: Employee | None = sql.join("supervisor_id", description="Atasan langsung during this assignment.")
    valid_from: dt.date | None = strawberry.field(
        description="First day (TMT); null for what held before the history was kept.")
    valid_to: dt.date | None = strawberry.field(description="Last day; null while current.")
    reason: str = strawberry.field(description="Why (the decree or note given with the transfer).")


@sql.table(OrgUnitModel, access=ORG_READ, node=True, not_found=lambda: NotFound("Org unit not found"),
           description="Unit kerja: a perangkat daerah or one of its parts, in a tree.")
class OrgUnit(Node):
    code: str = strawberry.field(description="Kode unit, unique in the tenant (from the tenant file).")
    name: str = strawberry.field(description="Nama unit (name).")
    kind: OrgUnitKind = strawberry.field(description="Jenis unit (kind of unit).")
    parent: OrgUnit | None = sql.join("parent_id", description="The unit this one is part of; null at the top.")
    closed_on: dt.date | None = strawberry.field(
        description="The day the unit closed (`closeOrgUnit`); null while open. Closed units stay readable.")

    @sql.builder(description="Sub-units, ordered by code (open ones unless `includeClosed`).")
    def children(self, include_closed: Annotated[bool, strawberry.argument(
            description="Also list closed sub-units.")] = False) -> list[OrgUnit]:
        where = () if include_closed else (sql.is_null("closed_on"),)
        return sql.Rows(on=(("parent_id", "id"),), where=where, order=("code",), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    head: Employee | None = sql.join("head_id", description="Kepala unit (head of the unit).")


@sql.table(PeriodModel, access=ORG_READ, node=True, not_found=lambda: NotFound("Period not found"),
           description="Periode penilaian: a periodic (monthly/quarterly/semester) or annual period.")
class Period(Node):
    year: int = strawberry.field(description="Tahun (calendar year).")
    kind: PeriodKind = strawberry.field(description="Jenis periode (monthly, quarterly, semester or annual).")
    sequence: int = strawberry.field(description="Its place in the year (1 = January, Q1 or S1; 1 for annual).")
    name: str = strawberry.field(description="Nama periode, e.g. `Triwulan I 2026`.")
    starts_on: dt.date = strawberry.field(description="First day.")
    ends_on: dt.date = strawberry.field(description="Last day.")
    closed: bool = strawberry.field(description="Ditutup: realisation in the period can no longer change.")


@strawberry.input(description="Which employees to list.")
class EmployeeFilter:
    org_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only employees of this org unit and its sub-units.")
    search: str | None = strawberry.field(default=None, description="Part of the name, or the start of the NIP.")
    active: bool | None = strawberry.field(
        default=None, description="True: only active employees; false: only those who left; omitted: both "
                                  "(inactive employees are listed by default, with `active` false).")


@strawberry.type
class OrgQuery:
    @sql.builder(description="Employees the viewer may see (own, team, unit or tenant scope), by name.")
    def employees(self, first: First = 20, after: After = None,
                  filter: Annotated[EmployeeFilter | None, strawberry.argument(description="Which employees.")] = None
                  ) -> Connection[Employee]:
        where = []
        if filter is not None and filter.org_unit_id:
            unit = parse_global_id(filter.org_unit_id, "OrgUnit")
            where.append(sql.in_subtree("org_unit_id", "org_unit", "parent_id", unit))
        if filter is not None and filter.search:
            term = filter.search.strip()[:100]
            where.append(sql.any_of(sql.icontains("name", term), sql.startswith("nip", term)))
        if filter is not None and filter.active is not None:
            where.append(sql.eq("active", filter.active))
        return sql.Page(first=first, after=after, where=tuple(where), order=("name", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="The org unit tree: top-level units with their `children` (open ones unless "
                             "`includeClosed`).")
    def org_units(self, include_closed: Annotated[bool, strawberry.argument(
            description="Also list closed top-level units.")] = False) -> list[OrgUnit]:
        where = (sql.is_null("parent_id"),) if include_closed else (sql.is_null("parent_id"), sql.is_null("closed_on"))
        return sql.Rows(where=where, order=("code",), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Positions (jabatan) of the tenant, by name.")
    def positions(self) -> list[Position]:
        return sql.Rows(order=("name", "id"), access=ORG_READ)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Assessment periods, optionally of one year.")
    def periods(self, year: Annotated[int | None, strawberry.argument(description="Only this year's periods.")] = None
                ) -> list[Period]:
        return sql.Rows(where=(sql.eq("year", year),) if year is not None else (), order=("year", "kind", "sequence"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        access=True)


@strawberry.input(description="A period to close or reopen.")
class SetPeriodClosedInput:
    id: strawberry.ID = strawberry.field(description="Global id of the period.")
    closed: bool = strawberry.field(default=True, description="True closes the period, false reopens it.")


@strawberry.input(description="A new org unit, or changes to one (rename, re-code, move).")
class SaveOrgUnitInput:
    name: str = strawberry.field(description="Nama unit, at most 200 characters.")
    id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the unit to change; "
                                                                          "omitted creates one.")
    code: str | None = strawberry.field(default=None, description="Kode unit, unique (required for a new unit).")
    kind: OrgUnitKind | None = strawberry.field(default=None, description="Jenis unit (required for a new unit).")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the (open) parent unit: moves the unit under it; a unit cannot "
                                  "move under itself or its sub-units.")
    top_level: bool = strawberry.field(default=False, description="True moves the unit to the top of the tree.")


@strawberry.input(description="An org unit to close.")
class CloseOrgUnitInput:
    id: strawberry.ID = strawberry.field(description="Global id of the unit.")
    closed_on: dt.date = strawberry.field(description="The day the unit closes.")


@strawberry.type(description="The outcome of a change to an org unit.")
class OrgUnitPayload:
    org_unit: OrgUnit | None = strawberry.field(default=None, description="The unit as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="A new position, or changes to one.")
class SavePositionInput:
    name: str = strawberry.field(description="Nama jabatan, unique, at most 200 characters.")
    kind: PositionKind = strawberry.field(description="Jenis jabatan.")
    id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the position to change; "
                                                                          "omitted creates one.")
    level: FunctionalLevel | None = strawberry.field(
        default=None, description="Jenjang of a functional position; its yearly credit coefficient (koefisien) "
                                  "follows from it through the evaluation rules of the year.")


@strawberry.type(description="The outcome of a change to a position.")
class PositionPayload:
    position: Position | None = strawberry.field(default=None, description="The position as it is now; null on "
                                                                           "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The period scheme of one year.")
class SavePeriodSchemeInput:
    year: int = strawberry.field(description="Tahun (2000-2100).")
    scheme: PeriodScheme = strawberry.field(description="Monthly, quarterly or semester periods for the year.")


@strawberry.type(description="The outcome of setting a year's period scheme.")
class PeriodSchemePayload:
    periods: list[Period] | None = strawberry.field(
        default=None, description="The periods of the year as they are now (periodic ones and the annual one); "
                                  "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of closing or reopening a period.")
class PeriodPayload:
    period: Period | None = strawberry.field(default=None, description="The period as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class OrgMutation:
    @strawberry.mutation(description="Close a period (realisation in it can no longer change), or reopen it.")
    async def set_period_closed(self, info: Info, input: Annotated[SetPeriodClosedInput, INPUT]) -> PeriodPayload:
        async def work():
            period = await service.set_period_closed(info.context, parse_global_id(input.id, "Period"), input.closed)
            return {"period": sql.ref("Period", period.id)}
        return await run_mutation(info, PeriodPayload, work)

    @strawberry.mutation(description="Set the period scheme of one year: its periods of that scheme are created "
                                     "and those of another scheme removed; refused (CONFLICT) when a period that "
                                     "would go already holds realisations or evaluations. A year without a scheme "
                                     "of its own follows the tenant's `periodScheme`. Needs `org:manage`.")
    async def save_period_scheme(self, info: Info, input: Annotated[SavePeriodSchemeInput, INPUT]
                                 ) -> PeriodSchemePayload:
        async def work():
            periods = await service.save_period_scheme(info.context, input.year, input.scheme)
            return {"periods": [sql.ref("Period", p.id) for p in periods]}
        return await run_mutation(info, PeriodSchemePayload, work)

    @strawberry.mutation(description="Create an org unit, or rename, re-code or move one (no loops). Needs "
                                     "`org:manage`.")
    async def save_org_unit(self, info: Info, input: Annotated[SaveOrgUnitInput, INPUT]) -> OrgUnitPayload:
        async def work():
            unit = await service.save_org_unit(
                info.context, parse_optional_id(input.id, "OrgUnit", "id"), input.name, input.code, input.kind,
                parse_optional_id(input.parent_id, "OrgUnit", "parentId"), input.top_level)
            return {"org_unit": sql.ref("OrgUnit", unit.id)}
        return await run_mutation(info, OrgUnitPayload, work)

    @strawberry.mutation(description="Close an org unit from a day on; it stays readable with its history. "
                                     "Refused (CONFLICT) while it has active employees or open sub-units. Needs "
                                     "`org:manage`.")
    async def close_org_unit(self, info: Info, input: Annotated[CloseOrgUnitInput, INPUT]) -> OrgUnitPayload:
        async def work():
            unit = await service.close_org_unit(info.context, parse_optional_id(input.id, "OrgUnit", "id"),
                                                input.closed_on)
            return {"org_unit": sql.ref("OrgUnit", unit.id)}
        return await run_mutation(info, OrgUnitPayload, work)

    @strawberry.mutation(description="Create or change a position: name, kind and jenjang. Needs `org:manage`.")
    async def save_position(self, info: Info, input: Annotated[SavePositionInput, INPUT]) -> PositionPayload:
        async def work():
            position = await service.save_position(
                info.context, parse_optional_id(input.id, "Position", "id"), input.name, input.kind, input.level)
            return {"position": sql.ref("Position", position.id)}
        return await run_mutation(info, PositionPayload, work)


@strawberry.input(description="A transfer (mutasi) of an employee to another unit from a day on.")
class TransferEmployeeInput:
    employee_id: strawberry.ID = strawberry.field(description="Global id of the employee.")
    org_unit_id: strawberry.ID = strawberry.field(description="Global id of the new unit (open, not closed).")
    effective_on: dt.date = strawberry.field(description="First day in the new unit (TMT).")
    position_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the new position; omitted keeps the current one.")
    supervisor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the new direct supervisor; omitted keeps the current one.")
    reason: str | None = strawberry.field(default=None, description="The decree or a note (at most 500 "
                                                                    "characters).")


@strawberry.input(description="A new employee (checked as the CSV importer checks a row).")
class CreateEmployeeInput:
    nip: str = strawberry.field(description="NIP, 18 digits (birth date, appointment, sex, serial).")
    name: str = strawberry.field(description="Full name, at most 200 characters.")
    org_unit_id: strawberry.ID = strawberry.field(description="Global id of the unit (open).")
    employment_type: EmploymentType = strawberry.field(default=EmploymentType.PNS, description="PNS or PPPK.")
    position_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the position.")
    supervisor_id: strawberry.ID | None = strawberry.field(default=None,
                                                           description="Global id of the direct supervisor.")
    contract_starts_on: dt.date | None = strawberry.field(default=None,
                                                          description="PPPK only: the start of the contract.")
    starts_on: dt.date | None = strawberry.field(
        default=None, description="First day in the unit, the start of the history (default: today).")


@strawberry.input(description="Corrections to an employee's record; omitted fields stay as they are.")
class UpdateEmployeeInput:
    id: strawberry.ID = strawberry.field(description="Global id of the employee.")
    nip: str | None = strawberry.field(default=None, description="A corrected NIP (18 digits, unique).")
    name: str | None = strawberry.field(default=None, description="A corrected name.")
    employment_type: EmploymentType | None = strawberry.field(default=None, description="PNS or PPPK.")
    contract_starts_on: dt.date | None = strawberry.field(default=None, description="PPPK only: contract start.")
    position_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the position (corrects the current assignment).")
    clear_position: bool = strawberry.field(default=False, description="True removes the position.")
    supervisor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the direct supervisor (corrects the current assignment); a "
                                  "loop in the supervisor tree is refused with SUPERVISOR_CYCLE.")
    clear_supervisor: bool = strawberry.field(default=False, description="True removes the supervisor.")


@strawberry.input(description="An employee leaving (pemberhentian).")
class DeactivateEmployeeInput:
    employee_id: strawberry.ID = strawberry.field(description="Global id of the employee.")
    reason: EmployeeExitReason = strawberry.field(description="Why the employee leaves.")
    effective_on: dt.date = strawberry.field(description="The day the employee leaves (TMT pemberhentian).")


@strawberry.type(description="The outcome of a change to an employee.")
class EmployeePayload:
    employee: Employee | None = strawberry.field(default=None,
                                                 description="The employee as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class EmployeeMutation:
    @strawberry.mutation(description="Transfer (mutasi) an employee to another unit, position or supervisor from "
                                     "a day on. The history keeps the previous assignment; plans and evaluations "
                                     "stay with the person. Needs `employee:manage`.")
    async def transfer_employee(self, info: Info, input: Annotated[TransferEmployeeInput, INPUT]) -> EmployeePayload:
        async def work():
            employee = await service.transfer_employee(
                info.context, parse_optional_id(input.employee_id, "Employee", "employeeId"),
                parse_optional_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                parse_optional_id(input.position_id, "Position", "positionId"),
                parse_optional_id(input.supervisor_id, "Employee", "supervisorId"), input.effective_on, input.reason)
            return {"employee": sql.ref("Employee", employee.id)}
        return await run_mutation(info, EmployeePayload, work)

    @strawberry.mutation(description="Add an employee, checked as the CSV importer checks a row (NIP, name, "
                                     "unit, position, supervisor). Needs `employee:manage`.")
    async def create_employee(self, info: Info, input: Annotated[CreateEmployeeInput, INPUT]) -> EmployeePayload:
        async def work():
            employee = await service.create_employee(
                info.context, input.nip, input.name, input.employment_type,
                parse_optional_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                parse_optional_id(input.position_id, "Position", "positionId"),
                parse_optional_id(input.supervisor_id, "Employee", "supervisorId"),
                input.contract_starts_on, input.starts_on)
            return {"employee": sql.ref("Employee", employee.id)}
        return await run_mutation(info, EmployeePayload, work)

    @strawberry.mutation(description="Correct an employee's record (NIP, name, type, position, supervisor). A "
                                     "change from a given day is `transferEmployee`. Needs `employee:manage`.")
    async def update_employee(self, info: Info, input: Annotated[UpdateEmployeeInput, INPUT]) -> EmployeePayload:
        async def work():
            employee = await service.update_employee(
                info.context, parse_optional_id(input.id, "Employee", "id"), nip=input.nip, name=input.name,
                employment_type=input.employment_type, contract_starts_on=input.contract_starts_on,
                position_id=parse_optional_id(input.position_id, "Position", "positionId"),
                clear_position=input.clear_position,
                supervisor_id=parse_optional_id(input.supervisor_id, "Employee", "supervisorId"),
                clear_supervisor=input.clear_supervisor)
            return {"employee": sql.ref("Employee", employee.id)}
        return await run_mutation(info, EmployeePayload, work)

    @strawberry.mutation(description="An employee leaves (retires, resigns, ...): `active` becomes false with the "
                                     "reason and day; the record, history, plans and evaluations stay. Refused "
                                     "while active employees report to them. Needs `employee:manage`.")
    async def deactivate_employee(self, info: Info, input: Annotated[DeactivateEmployeeInput, INPUT]
                                  ) -> EmployeePayload:
        async def work():
            employee = await service.deactivate_employee(
                info.context, parse_optional_id(input.employee_id, "Employee", "employeeId"), input.reason,
                input.effective_on)
            return {"employee": sql.ref("Employee", employee.id)}
        return await run_mutation(info, EmployeePayload, work)
