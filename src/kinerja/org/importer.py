"""Bulk import of employees from a SIASN-style CSV: validate every row first, then write all of
them in one transaction, or nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from kinerja.core import audit, clock, once
from kinerja.core.csvimport import ImportFailed, ProgressFactory, RowError, cell, decode_csv, progress_steps, read_rows
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.core.errors import Conflict
from kinerja.org.models import Employee, EmployeeAssignment, OrgUnit, Position
from kinerja.org.rules import EmploymentType, day_problem, nip_problem, supervisor_cycles
from kinerja.org.service import move_employee
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings

# Accepted header names (case-insensitive) for each column, SIASN export names first.
COLUMNS = {
    "nip": ("nip", "nip_baru"),
    "name": ("nama", "name"),
    "position": ("jabatan", "jabatan_nama", "position"),
    "unit": ("unit", "unor", "unor_nama", "unit_kerja", "kode_unit"),
    "supervisor_nip": ("nip_atasan", "atasan_nip", "supervisor_nip"),
    "employment_type": ("jenis_pegawai", "jenis_kepegawaian", "employment_type"),
    "contract_starts_on": ("tmt_perjanjian_kerja", "tmt_kontrak", "mulai_kontrak", "contract_starts_on"),
    # The day a new unit or position of a stored employee takes effect (default: the day of the import).
    "effective_on": ("tmt_jabatan", "tmt_unor", "tmt_mutasi", "effective_on"),
}
REQUIRED = ("nip", "name", "unit")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported: {self.created} created, {self.updated} updated"


@dataclass
class References:
    """What rows of a file may name: the tenant's org units (by code or name), positions and employees,
    with the day the employees' current assignments began and the tenant's date (of the import)."""

    tenant_id: uuid.UUID
    units: dict[str, OrgUnit]
    positions: dict[str, Position]
    existing: dict[str, Employee]
    assigned_since: dict[uuid.UUID, dt.date | None]
    today: dt.date


@dataclass(frozen=True)
class Row:
    """A row of a file as read: what it names (None where it named nothing known)."""

    line: int
    nip: str
    name: str
    unit: OrgUnit | None
    position: Position | None
    kind: EmploymentType
    contract_starts_on: dt.date | None
    effective_on: dt.date | None
    supervisor_nip: str

    def moves(self, stored: Employee | None) -> bool:
        """Whether the row gives a stored employee another unit or position (a transfer)."""
        position_id = self.position.id if self.position is not None else None
        return (stored is not None and self.unit is not None
                and (stored.org_unit_id, stored.position_id) != (self.unit.id, position_id))


@dataclass
class CheckedRows:
    """A file checked against the references: the rows to write and every problem, by line."""

    columns: dict[str, int]
    parsed: list[Row]
    errors: list[RowError]
    row_count: int

    @property
    def valid_count(self) -> int:
        bad = {e.line for e in self.errors}
        return sum(1 for row in self.parsed if row.line not in bad)


async def load_references(tenant_id: uuid.UUID) -> References:
    """Read what a file may name, in the caller's transaction (bound to the tenant)."""
    units: dict[str, OrgUnit] = {}
    for known in await OrgUnit.filter(tenant_id=tenant_id):
        units[known.code.lower()] = known
        units.setdefault(known.name.lower(), known)
    positions = {p.name.lower(): p for p in await Position.filter(tenant_id=tenant_id)}
    existing = {e.nip: e for e in await Employee.filter(tenant_id=tenant_id)}
    assigned_since = dict(await EmployeeAssignment.filter(tenant_id=tenant_id, valid_to=None)
                          .values_list("employee_id", "valid_from"))
    tenant = await Tenant.get(id=tenant_id)
    today = clock.today_in(TenantSettings.from_dict(tenant.settings).timezone)
    return References(tenant_id, units, positions, existing, assigned_since, today)


async def import_employees_file(tenant_slug: str, path: Path, *, progress: ProgressFactory | None = None) -> ImportResult:
    text = decode_csv(await asyncio.to_thread(path.read_bytes), str(path))
    return await import_employees(tenant_slug, text, str(path), progress=progress)


async def import_employees(tenant_slug: str, text: str, source: str, *, progress: ProgressFactory | None = None) -> ImportResult:
    rows, columns = read_rows(text, source, COLUMNS, REQUIRED)

    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=tenant_slug)
        if tenant is None:
            raise ImportFailed(source, [RowError(0, "--tenant", f"no tenant {tenant_slug!r}")])
        await switch_tenant(conn, tenant.id)
        refs = await load_references(tenant.id)
        checked = check_rows(rows, columns, refs, progress=progress)
        if checked.errors:
            raise ImportFailed(source, checked.errors)
        return await write_rows(checked, refs, progress=progress)


def check_text(text: str, source: str, refs: References) -> CheckedRows:
    """Read and check a file's text (pure: nothing is read or written); a file that cannot be read
    at all (encoding, quoting, header) is one problem of its line."""
    try:
        rows, columns = read_rows(text, source, COLUMNS, REQUIRED)
    except ImportFailed as failed:
        return CheckedRows({}, [], failed.errors, 0)
    return check_rows(rows, columns, refs)


def check_rows(rows: list[tuple[int, list[str]]], columns: dict[str, int], refs: References, *,
               progress: ProgressFactory | None = None) -> CheckedRows:
    """Every problem of every row, by line (pure: the references were read before)."""
    units, positions, existing = refs.units, refs.positions, refs.existing
    errors: list[RowError] = []
    parsed = []
    seen: dict[str, int] = {}
    step = progress_steps(progress, "validating", len(rows) - 1)
    for line, row in rows[1:]:
        step()
        if not any(text.strip() for text in row):
            continue
        def value(key: str, row=row) -> str:
            return cell(row, columns, key)

        nip, name = value("nip"), value("name")
        if problem := nip_problem(nip):
            errors.append(RowError(line, "NIP", problem))
        elif nip in seen:
            errors.append(RowError(line, "NIP", f"duplicate of line {seen[nip]}", "CONFLICT"))
        seen.setdefault(nip, line)
        if not name or len(name) > 200:
            errors.append(RowError(line, "NAMA", "name is required (at most 200 characters)"))
        unit = units.get(value("unit").lower())
        if unit is None:
            errors.append(RowError(line, "UNIT", "no org unit has this code or name", "NOT_FOUND"))
        position = None
        if value("position"):
            position = positions.get(value("position").lower())
            if position is None:
                errors.append(RowError(line, "JABATAN", "no position has this name", "NOT_FOUND"))
        kind_raw = value("employment_type").upper() or "PNS"
        try:
            kind = EmploymentType(kind_raw)
        except ValueError:
            errors.append(RowError(line, "JENIS_PEGAWAI", "must be PNS or PPPK"))
            kind = EmploymentType.PNS
        contract_start = _date_cell(value("contract_starts_on"), line, "TMT_PERJANJIAN_KERJA", errors)
        if contract_start is not None and kind is not EmploymentType.PPPK:
            errors.append(RowError(line, "TMT_PERJANJIAN_KERJA", "only PPPK employees have a contract"))
        effective_on = _date_cell(value("effective_on"), line, "TMT_JABATAN", errors)
        if effective_on is not None and (problem := day_problem(effective_on)):
            errors.append(RowError(line, "TMT_JABATAN", problem))
            effective_on = None
        parsed.append(Row(line, nip, name, unit, position, kind, contract_start, effective_on,
                          value("supervisor_nip")))
        if not (value("position") and position is None):
            errors += move_problems(parsed[-1], existing.get(nip), refs)

    for parsed_row in parsed:
        line, nip, supervisor_nip = parsed_row.line, parsed_row.nip, parsed_row.supervisor_nip
        if supervisor_nip and supervisor_nip not in seen and supervisor_nip not in existing:
            errors.append(RowError(line, "NIP_ATASAN", "no employee has this NIP", "NOT_FOUND"))
        if supervisor_nip == nip:
            errors.append(RowError(line, "NIP_ATASAN", "an employee cannot supervise himself or herself"))
    errors += _cycle_errors(parsed, existing)
    return CheckedRows(columns, parsed, sorted(errors, key=lambda e: e.line), len(parsed))


async def write_rows(checked: CheckedRows, refs: References, *,
                     progress: ProgressFactory | None = None) -> ImportResult:
    """Write the rows of a file without problems, in the caller's transaction. A new unit or position of a
    stored employee is a transfer (``move_employee``) from the row's TMT_JABATAN, else the import's day."""
    if checked.errors:
        raise ValueError("a file with problems is not written")
    columns, parsed, tenant_id = checked.columns, checked.parsed, refs.tenant_id
    step = progress_steps(progress, "importing", len(parsed))
    movers = await _lock_movers(parsed, refs)
    by_nip = {**refs.existing, **movers}
    new = [Employee(tenant_id=tenant_id, nip=row.nip, name=row.name, employment_type=row.kind,
                    org_unit_id=cast(OrgUnit, row.unit).id,  # every row named a known unit (checked above)
                    position_id=row.position.id if row.position else None,
                    contract_starts_on=row.contract_starts_on)
           for row in parsed if row.nip not in by_nip]
    await Employee.bulk_create(new, batch_size=500)
    for employee in new:
        by_nip[employee.nip] = employee
        step()
    result = ImportResult(created=len(new))
    for row in parsed:
        if row.nip not in refs.existing:
            continue
        employee = by_nip[row.nip]
        employee.name, employee.employment_type = row.name, row.kind
        if "contract_starts_on" in columns or row.kind is not EmploymentType.PPPK:
            employee.contract_starts_on = row.contract_starts_on
        await employee.save(update_fields=["name", "employment_type", "contract_starts_on", "updated_at"])
        result.updated += 1
        step()
    for row in parsed:
        employee = by_nip[row.nip]
        supervisor = by_nip[row.supervisor_nip].id if row.supervisor_nip else None
        if row.nip in movers:
            await move_employee(employee, cast(OrgUnit, row.unit).id, row.position.id if row.position else None,
                                supervisor, row.effective_on or refs.today, reason="")
        elif employee.supervisor_id != supervisor:
            await audit.update(Employee.filter(id=employee.id, tenant_id=tenant_id), supervisor_id=supervisor)
    return result


async def _lock_movers(parsed: list[Row], refs: References) -> dict[str, Employee]:
    """The stored employees the rows transfer, locked (as ``transferEmployee`` locks its employee, then the
    unit), by NIP; CONFLICT when one stopped being active or a unit closed since the check."""
    moving = {refs.existing[row.nip].id: row for row in parsed if row.moves(refs.existing.get(row.nip))}
    if not moving:
        return {}
    locked = await once.locked_all(Employee.filter(tenant_id=refs.tenant_id, id__in=list(moving)).order_by("id"))
    if any(not employee.active for employee in locked):
        raise Conflict("The employee is no longer active")
    units = {cast(OrgUnit, row.unit).id for row in moving.values()}
    if any(unit.closed_on is not None for unit in await once.locked_all(
            OrgUnit.filter(tenant_id=refs.tenant_id, id__in=list(units)).order_by("id"))):
        raise Conflict("The org unit is closed")
    return {employee.nip: employee for employee in locked}


def move_problems(row: Row, stored: Employee | None, refs: References) -> list[RowError]:
    """What refuses a transfer (``transferEmployee``) the row would make, if it makes one."""
    if stored is None or row.unit is None or not row.moves(stored):
        return []
    problems = []
    if not stored.active:
        problems.append(RowError(row.line, "NIP", "the employee is no longer active: the unit or position "
                                                  "cannot change", "CONFLICT"))
    if row.unit.closed_on is not None:
        problems.append(RowError(row.line, "UNIT", "the org unit is closed", "CONFLICT"))
    began = refs.assigned_since.get(stored.id)
    if began is not None and (row.effective_on or refs.today) <= began:
        problems.append(RowError(row.line, "TMT_JABATAN", "a new unit or position must take effect after the "
                                                          "current assignment began", "CONFLICT"))
    return problems


def _cycle_errors(parsed: list[Row], existing: dict[str, Employee]) -> list[RowError]:
    """Supervisor chains the file would close into a loop (with the employees already stored whose
    supervisor it does not change), named by the rows that take part."""
    nip_of = {e.id: e.nip for e in existing.values()}
    supervisors = {nip: nip_of.get(e.supervisor_id) if e.supervisor_id is not None else None
                   for nip, e in existing.items()}
    lines = {}
    for row in parsed:
        supervisors[row.nip] = row.supervisor_nip or None
        lines[row.nip] = row.line
    errors = []
    for cycle in supervisor_cycles(supervisors):
        if cycle == [cycle[0]]:
            continue  # an employee supervising himself or herself is reported on its own
        named = ", ".join(f"line {lines[nip]} ({nip})" if nip in lines else f"stored employee {nip}" for nip in cycle)
        for nip in cycle:
            if nip in lines:
                errors.append(RowError(lines[nip], "NIP_ATASAN", f"supervisor cycle: {named} supervise each other "
                                                                 "in a loop"))
    return sorted(errors, key=lambda e: e.line)


def _date_cell(text: str, line: int, column: str, errors: list[RowError]) -> dt.date | None:
    """A cell's date (YYYY-MM-DD), or None when empty or not a date (then reported in ``errors``)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(line, column, "must be a date YYYY-MM-DD"))
        return None
