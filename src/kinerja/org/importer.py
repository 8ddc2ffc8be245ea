"""Bulk import of employees from a SIASN-style CSV: validate every row first, then write all of
them in one transaction, or nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from kinerja.core.csvimport import ImportFailed, ProgressFactory, RowError, cell, decode_csv, progress_steps, read_rows
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.org.models import Employee, OrgUnit, Position
from kinerja.org.rules import EmploymentType, nip_problem, supervisor_cycles
from kinerja.tenancy.models import Tenant

# Accepted header names (case-insensitive) for each column, SIASN export names first.
COLUMNS = {
    "nip": ("nip", "nip_baru"),
    "name": ("nama", "name"),
    "position": ("jabatan", "jabatan_nama", "position"),
    "unit": ("unit", "unor", "unor_nama", "unit_kerja", "kode_unit"),
    "supervisor_nip": ("nip_atasan", "atasan_nip", "supervisor_nip"),
    "employment_type": ("jenis_pegawai", "jenis_kepegawaian", "employment_type"),
    "contract_starts_on": ("tmt_perjanjian_kerja", "tmt_kontrak", "mulai_kontrak", "contract_starts_on"),
}
REQUIRED = ("nip", "name", "unit")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported: {self.created} created, {self.updated} updated"


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
        units: dict[str, OrgUnit] = {}
        for known in await OrgUnit.filter(tenant_id=tenant.id):
            units[known.code.lower()] = known
            units.setdefault(known.name.lower(), known)
        positions = {p.name.lower(): p for p in await Position.filter(tenant_id=tenant.id)}
        existing = {e.nip: e for e in await Employee.filter(tenant_id=tenant.id)}

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
                errors.append(RowError(line, "NIP", f"duplicate of line {seen[nip]}"))
            seen.setdefault(nip, line)
            if not name or len(name) > 200:
                errors.append(RowError(line, "NAMA", "name is required (at most 200 characters)"))
            unit = units.get(value("unit").lower())
            if unit is None:
                errors.append(RowError(line, "UNIT", f"no org unit with code or name {value('unit')!r}"))
            position = None
            if value("position"):
                position = positions.get(value("position").lower())
                if position is None:
                    errors.append(RowError(line, "JABATAN", f"no position {value('position')!r}"))
            kind_raw = value("employment_type").upper() or "PNS"
            try:
                kind = EmploymentType(kind_raw)
            except ValueError:
                errors.append(RowError(line, "JENIS_PEGAWAI", "must be PNS or PPPK"))
                kind = EmploymentType.PNS
            contract_start = None
            if value("contract_starts_on"):
                try:
                    contract_start = dt.date.fromisoformat(value("contract_starts_on"))
                except ValueError:
                    errors.append(RowError(line, "TMT_PERJANJIAN_KERJA", "must be a date YYYY-MM-DD"))
                else:
                    if kind is not EmploymentType.PPPK:
                        errors.append(RowError(line, "TMT_PERJANJIAN_KERJA", "only PPPK employees have a contract"))
            parsed.append((line, nip, name, unit, position, kind, contract_start, value("supervisor_nip")))

        for line, nip, _name, _unit, _pos, _kind, _contract, supervisor_nip in parsed:
            if supervisor_nip and supervisor_nip not in seen and supervisor_nip not in existing:
                errors.append(RowError(line, "NIP_ATASAN", f"no employee with NIP {supervisor_nip}"))
            if supervisor_nip == nip:
                errors.append(RowError(line, "NIP_ATASAN", "an employee cannot supervise himself or herself"))
        errors += _cycle_errors(parsed, existing)
        if errors:
            raise ImportFailed(source, errors)

        result = ImportResult()
        step = progress_steps(progress, "importing", len(parsed))
        by_nip = dict(existing)
        for _line, nip, name, named_unit, position, kind, contract_start, _sup in parsed:
            unit = cast(OrgUnit, named_unit)  # every row named a known unit (ImportFailed above otherwise)
            employee = by_nip.get(nip)
            if employee is None:
                employee = Employee(tenant_id=tenant.id, nip=nip, name=name, employment_type=kind,
                                    org_unit_id=unit.id, position_id=position.id if position else None,
                                    contract_starts_on=contract_start)
                await employee.save()
                result.created += 1
            else:
                employee.name, employee.employment_type, employee.org_unit_id = name, kind, unit.id
                employee.position_id = position.id if position else None
                if "contract_starts_on" in columns or kind is not EmploymentType.PPPK:
                    employee.contract_starts_on = contract_start
                await employee.save(update_fields=["name", "employment_type", "org_unit_id", "position_id",
                                                   "contract_starts_on", "updated_at"])
                result.updated += 1
            by_nip[nip] = employee
            step()
        for _line, nip, *_rest, supervisor_nip in parsed:
            supervisor = by_nip[supervisor_nip].id if supervisor_nip else None
            if by_nip[nip].supervisor_id != supervisor:
                await Employee.filter(id=by_nip[nip].id, tenant_id=tenant.id).update(supervisor_id=supervisor)
        return result


def _cycle_errors(parsed: list, existing: dict[str, Employee]) -> list[RowError]:
    """Supervisor chains the file would close into a loop (with the employees already stored whose
    supervisor it does not change), named by the rows that take part."""
    nip_of = {e.id: e.nip for e in existing.values()}
    supervisors = {nip: nip_of.get(e.supervisor_id) if e.supervisor_id is not None else None
                   for nip, e in existing.items()}
    lines = {}
    for line, nip, *_rest, supervisor_nip in parsed:
        supervisors[nip] = supervisor_nip or None
        lines[nip] = line
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
