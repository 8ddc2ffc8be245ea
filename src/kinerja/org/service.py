"""Use cases of the organisation: employees, org units, positions, periods."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

from kinerja.core import audit, once
from kinerja.core.batch import by_ids
from kinerja.core.context import RequestContext
from kinerja.core.errors import BadUserInput, Conflict, FieldError, NotFound, ValidationFailed
from kinerja.org.models import Employee, EmployeeAssignment, OrgUnit, Period, Position
from kinerja.org.rules import (
    EmployeeExitReason,
    EmploymentType,
    FunctionalLevel,
    OrgUnitKind,
    PeriodKind,
    PositionKind,
    day_problem,
    nip_problem,
    periods_for_year,
    supervisor_cycle_problem,
)
from kinerja.org.scoping import employee_scope, supervisor_chain, unit_subtree_ids
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import OwnedByTenantFile, PeriodScheme, TenantSettings, owned_by_file


async def employees_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Employee | None]:
    """Batch lookup for loaders of other areas (rows by id, None where missing)."""
    return await by_ids(Employee, tenant_id, ids)


async def positions_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Position | None]:
    return await by_ids(Position, tenant_id, ids)


async def periods_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Period | None]:
    return await by_ids(Period, tenant_id, ids)


async def visible_employees(ctx: RequestContext):
    """Employees the actor may read, as a queryset scoped to the tenant and the held scopes."""
    scopes = await ctx.require("employee", "read")
    query = Employee.filter(tenant_id=ctx.require_tenant())
    condition = await employee_scope(ctx, scopes)
    return query.filter(condition) if condition is not None else query


async def set_period_closed(ctx: RequestContext, period_id: uuid.UUID, closed: bool) -> Period:
    """Close a period (no more realisation is recorded or changed in it), or reopen it."""
    await ctx.require("org", "manage")
    period = await once.locked(Period.filter(id=period_id, tenant_id=ctx.require_tenant()))
    if period is None:
        raise NotFound("Period not found", field="id")
    if period.closed == closed:
        raise Conflict(f"Period {period.name} is already {'closed' if closed else 'open'}", field="closed")
    period.closed = closed
    await period.save(update_fields=["closed"])
    return period


def year_scheme(have: set[tuple[PeriodKind, int]]) -> PeriodScheme | None:
    """The scheme a year's periods follow (the kind of its periodic periods), None for a year without any:
    it then takes the tenant's ``period_scheme``. ``savePeriodScheme`` sets it per year."""
    kinds = {PeriodScheme(kind.value) for kind, _sequence in have if kind is not PeriodKind.ANNUAL}
    return next(iter(kinds)) if len(kinds) == 1 else None


async def ensure_periods(tenant: Tenant, year: int) -> int:
    """Create the missing periods of ``year`` from the tenant's period scheme; how many were created."""
    settings = TenantSettings.from_dict(tenant.settings)
    await once.lock_key("periods", tenant.id, year)  # one filling of a year at a time
    have = set(
        await Period.filter(tenant_id=tenant.id, year=year).values_list("kind", "sequence")
    )
    missing = [
        Period(tenant_id=tenant.id, year=year, kind=s.kind, sequence=s.sequence, name=s.name,
               starts_on=s.starts_on, ends_on=s.ends_on)
        for s in periods_for_year(year, year_scheme(have) or settings.period_scheme)
        if (s.kind, s.sequence) not in have
    ]
    if missing:
        await Period.bulk_create(missing)
    return len(missing)


# --- employees: assignments (transfers) ----------------------------------------------------------

REASON_MAX = 500


async def _locked_employee(tenant_id: uuid.UUID, employee_id: uuid.UUID, field: str = "employeeId") -> Employee:
    employee = await once.locked(Employee.filter(id=employee_id, tenant_id=tenant_id))
    if employee is None:
        raise NotFound("Employee not found", field=field)
    return employee


async def _open_unit(tenant_id: uuid.UUID, unit_id: uuid.UUID, field: str = "orgUnitId") -> OrgUnit:
    """The unit, locked against a concurrent closing, and open."""
    unit = await once.locked(OrgUnit.filter(id=unit_id, tenant_id=tenant_id))
    if unit is None:
        raise NotFound("Org unit not found", field=field)
    if unit.closed_on is not None:
        raise Conflict("The org unit is closed", field=field)
    return unit


async def _position(tenant_id: uuid.UUID, position_id: uuid.UUID, field: str = "positionId") -> Position:
    position = await Position.get_or_none(id=position_id, tenant_id=tenant_id)
    if position is None:
        raise NotFound("Position not found", field=field)
    return position


async def check_supervisor(tenant_id: uuid.UUID, employee_id: uuid.UUID | None, supervisor_id: uuid.UUID,
                           field: str = "supervisorId") -> None:
    """The supervisor exists, is active, and does not close a loop in the supervisor tree."""
    supervisor = await Employee.get_or_none(id=supervisor_id, tenant_id=tenant_id)
    if supervisor is None:
        raise NotFound("Supervisor not found", field=field)
    if not supervisor.active:
        raise Conflict("The supervisor is no longer active", field=field)
    if employee_id is None:
        return
    # Changes of the tree run one at a time per tenant, so two crossing changes cannot close a loop together.
    await once.lock_key("supervisor-tree", tenant_id)
    chain = await supervisor_chain(tenant_id, supervisor_id)  # the supervisor's supervisors, up the tree
    if problem := supervisor_cycle_problem(employee_id, supervisor_id, set(chain)):
        raise SupervisorCycle(problem, field=field)


class SupervisorCycle(BadUserInput):
    """A supervisor change that would make the supervisor tree a loop."""

    code = "SUPERVISOR_CYCLE"


async def _current_assignment(employee: Employee) -> EmployeeAssignment | None:
    return await EmployeeAssignment.filter(tenant_id=employee.tenant_id, employee_id=employee.id,
                                           valid_to=None).first()


async def transfer_employee(ctx: RequestContext, employee_id: uuid.UUID, org_unit_id: uuid.UUID,
                            position_id: uuid.UUID | None, supervisor_id: uuid.UUID | None,
                            effective_on: dt.date, reason: str | None) -> Employee:
    """Move an employee to another unit (and position, supervisor) from ``effective_on``: the current
    assignment ends the day before and a new one starts. Plans and evaluations stay with the person."""
    await ctx.require("employee", "manage")
    tenant_id = ctx.require_tenant()
    _check_days(effectiveOn=effective_on)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise BadUserInput("At most 500 characters", field="reason")
    employee = await _locked_employee(tenant_id, employee_id)
    if not employee.active:
        raise Conflict("The employee is no longer active", field="employeeId")
    await _open_unit(tenant_id, org_unit_id)
    if position_id is not None:
        await _position(tenant_id, position_id)
    if supervisor_id is not None:
        await check_supervisor(tenant_id, employee.id, supervisor_id)
    new_position = employee.position_id if position_id is None else position_id
    new_supervisor = employee.supervisor_id if supervisor_id is None else supervisor_id
    if (employee.org_unit_id, employee.position_id, employee.supervisor_id) == (org_unit_id, new_position,
                                                                                new_supervisor):
        raise Conflict("The employee already has this unit, position and supervisor", field="orgUnitId")
    await move_employee(employee, org_unit_id, new_position, new_supervisor, effective_on, reason)
    return employee


async def move_employee(employee: Employee, org_unit_id: uuid.UUID, position_id: uuid.UUID | None,
                        supervisor_id: uuid.UUID | None, effective_on: dt.date, reason: str) -> None:
    """The history of a transfer, for an active employee whose row the caller locked: the current
    assignment ends the day before ``effective_on`` (CONFLICT unless after it began), a new one starts,
    and the employee row takes the new unit, position and supervisor."""
    current = await _current_assignment(employee)
    if current is None:
        # The first recorded change: what held until now becomes the first entry of the history.
        current = await EmployeeAssignment.create(
            tenant_id=employee.tenant_id, employee_id=employee.id, org_unit_id=employee.org_unit_id,
            position_id=employee.position_id, supervisor_id=employee.supervisor_id, valid_from=None)
    await _end_assignment(current, effective_on,
                          "The transfer must take effect after the current assignment began")
    await EmployeeAssignment.create(tenant_id=employee.tenant_id, employee_id=employee.id, org_unit_id=org_unit_id,
                                    position_id=position_id, supervisor_id=supervisor_id,
                                    valid_from=effective_on, reason=reason)
    employee.org_unit_id, employee.position_id, employee.supervisor_id = org_unit_id, position_id, supervisor_id
    await employee.save(update_fields=["org_unit_id", "position_id", "supervisor_id", "updated_at"])


async def _end_assignment(current: EmployeeAssignment, effective_on: dt.date, too_early: str) -> None:
    """End an assignment the day before ``effective_on``, which must be after the assignment began."""
    if current.valid_from is not None and effective_on <= current.valid_from:
        raise Conflict(too_early, field="effectiveOn")
    current.valid_to = effective_on - dt.timedelta(days=1)
    await current.save(update_fields=["valid_to"])


# --- employees: create, update, deactivate -------------------------------------------------------

NAME_PROBLEM = "Name is required (at most 200 characters)"


def _check_days(**days: dt.date | None) -> None:
    problems = [FieldError(name, "BAD_USER_INPUT", problem) for name, day in days.items()
                if (problem := day_problem(day))]
    if problems:
        raise ValidationFailed(problems)


def _employee_problems(nip: str | None, name: str | None, employment_type: EmploymentType | None,
                       contract_starts_on: dt.date | None) -> list[FieldError]:
    """The checks of the employee importer (org/importer.py), per input field."""
    problems = [FieldError("contractStartsOn", "BAD_USER_INPUT", problem)
                for problem in [day_problem(contract_starts_on)] if problem]
    if nip is not None and (problem := nip_problem(nip)):
        problems.append(FieldError("nip", "BAD_USER_INPUT", problem))
    if name is not None and (not name.strip() or len(name.strip()) > 200):
        problems.append(FieldError("name", "BAD_USER_INPUT", NAME_PROBLEM))
    if contract_starts_on is not None and employment_type is not EmploymentType.PPPK:
        problems.append(FieldError("contractStartsOn", "BAD_USER_INPUT", "Only PPPK employees have a contract"))
    return problems


async def _nip_free(tenant_id: uuid.UUID, nip: str) -> None:
    await once.lock_key("employee-nip", tenant_id, nip)  # one claim of a NIP at a time
    if await Employee.exists(tenant_id=tenant_id, nip=nip):
        raise Conflict("An employee with this NIP already exists", field="nip")


async def create_employee(ctx: RequestContext, nip: str, name: str, employment_type: EmploymentType,
                          org_unit_id: uuid.UUID, position_id: uuid.UUID | None, supervisor_id: uuid.UUID | None,
                          contract_starts_on: dt.date | None, starts_on: dt.date | None) -> Employee:
    """Add an employee (checked as the CSV importer checks a row); the history starts with this assignment."""
    await ctx.require("employee", "manage")
    tenant_id = ctx.require_tenant()
    nip = nip.strip()
    _check_days(startsOn=starts_on)
    if problems := _employee_problems(nip, name, employment_type, contract_starts_on):
        raise ValidationFailed(problems)
    await _open_unit(tenant_id, org_unit_id)
    if position_id is not None:
        await _position(tenant_id, position_id)
    if supervisor_id is not None:
        await check_supervisor(tenant_id, None, supervisor_id)
    await _nip_free(tenant_id, nip)
    employee = await Employee.create(tenant_id=tenant_id, nip=nip, name=name.strip(), employment_type=employment_type,
                                     org_unit_id=org_unit_id, position_id=position_id, supervisor_id=supervisor_id,
                                     contract_starts_on=contract_starts_on)
    await EmployeeAssignment.create(tenant_id=tenant_id, employee_id=employee.id, org_unit_id=org_unit_id,
                                    position_id=position_id, supervisor_id=supervisor_id,
                                    valid_from=starts_on or dt.date.today(), reason="")
    return employee


async def update_employee(ctx: RequestContext, employee_id: uuid.UUID, *, nip: str | None, name: str | None,
                          employment_type: EmploymentType | None, contract_starts_on: dt.date | None,
                          position_id: uuid.UUID | None, clear_position: bool, supervisor_id: uuid.UUID | None,
                          clear_supervisor: bool) -> Employee:
    """Correct an employee's record. A new position or supervisor corrects the current assignment too; a
    change from a given day is a transfer (``transfer_employee``), which keeps the previous one."""
    await ctx.require("employee", "manage")
    tenant_id = ctx.require_tenant()
    nip = nip.strip() if nip is not None else None
    employee = await _locked_employee(tenant_id, employee_id, "id")
    kind = employment_type or employee.employment_type
    contract = contract_starts_on if contract_starts_on is not None else (
        employee.contract_starts_on if kind is EmploymentType.PPPK else None)
    if problems := _employee_problems(nip, name, kind, contract_starts_on):
        raise ValidationFailed(problems)
    if position_id is not None:
        await _position(tenant_id, position_id)
    if supervisor_id is not None:
        await check_supervisor(tenant_id, employee.id, supervisor_id)
    if nip is not None and nip != employee.nip:
        await _nip_free(tenant_id, nip)
        employee.nip = nip
    if name is not None:
        employee.name = name.strip()
    employee.employment_type, employee.contract_starts_on = kind, contract
    if position_id is not None or clear_position:
        employee.position_id = position_id
    if supervisor_id is not None or clear_supervisor:
        employee.supervisor_id = supervisor_id
    await employee.save()
    current = await _current_assignment(employee)
    if current is not None and (current.position_id, current.supervisor_id) != (employee.position_id,
                                                                                 employee.supervisor_id):
        current.position_id, current.supervisor_id = employee.position_id, employee.supervisor_id
        await current.save(update_fields=["position_id", "supervisor_id"])
    return employee


# Run in the transaction of an employee's exit: the application registers the disabling of the
# person's logins (``auth/roles.py``), which this area does not know (``app.py``).
EMPLOYEE_EXIT_HOOKS: list[Callable[[RequestContext, uuid.UUID], Awaitable[None]]] = []


async def deactivate_employee(ctx: RequestContext, employee_id: uuid.UUID, reason: EmployeeExitReason,
                              effective_on: dt.date) -> Employee:
    """An employee leaves (retires, resigns, ...) from ``effective_on``: inactive, with the reason; the
    record, its history, plans and evaluations stay."""
    await ctx.require("employee", "manage")
    tenant_id = ctx.require_tenant()
    _check_days(effectiveOn=effective_on)
    employee = await _locked_employee(tenant_id, employee_id)
    if not employee.active:
        raise Conflict("The employee is no longer active", field="employeeId")
    if await Employee.exists(tenant_id=tenant_id, supervisor_id=employee.id, active=True):
        raise Conflict("The employee still supervises active employees: give them another supervisor first",
                       field="employeeId")
    current = await _current_assignment(employee)
    if current is not None:
        await _end_assignment(current, effective_on, "The exit must take effect after the current assignment began")
    employee.active, employee.exit_reason, employee.exit_on = False, reason, effective_on
    await employee.save(update_fields=["active", "exit_reason", "exit_on", "updated_at"])
    for hook in EMPLOYEE_EXIT_HOOKS:
        await hook(ctx, employee.id)
    return employee


# --- org units and positions ---------------------------------------------------------------------

async def _not_file_owned(tenant_id: uuid.UUID, part: str, key: str, message: str) -> None:
    """Units and positions the tenant file lists are the file's: `tenants apply` would set them back."""
    tenant = await Tenant.get(id=tenant_id)
    if owned_by_file(tenant.file_owned, part, key):
        raise OwnedByTenantFile(message, field="id")


def _text_problems(**values: tuple[str | None, int]) -> list[FieldError]:
    return [FieldError(name, "BAD_USER_INPUT", f"{name} must be 1-{limit} characters")
            for name, (value, limit) in values.items()
            if value is not None and (not value.strip() or len(value.strip()) > limit)]


async def save_org_unit(ctx: RequestContext, unit_id: uuid.UUID | None, name: str, code: str | None,
                        kind: OrgUnitKind | None, parent_id: uuid.UUID | None, top_level: bool) -> OrgUnit:
    """Create a unit (code, name, kind, parent), or rename, re-code, re-kind or move one (``parent_id``, or
    ``top_level`` to make it a top unit). A move under itself or its sub-units is refused."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    problems = _text_problems(name=(name, 200), code=(code, 50))
    if unit_id is None and code is None:
        problems.append(FieldError("code", "BAD_USER_INPUT", "A new org unit needs a code"))
    if unit_id is None and kind is None:
        problems.append(FieldError("kind", "BAD_USER_INPUT", "A new org unit needs a kind"))
    if problems:
        raise ValidationFailed(problems)
    code = code.strip() if code is not None else None
    moving = parent_id is not None or top_level or unit_id is None
    if moving:
        # Moves run one at a time (two crossing moves make no loop); taken before any unit row, so a move
        # never waits for the key while holding a row another move needs.
        await once.lock_key("org-tree", tenant_id)
    unit = None
    if unit_id is not None:
        unit = await _open_unit(tenant_id, unit_id, "id")
        await _not_file_owned(tenant_id, "org_units", unit.code,
                              "The tenant file lists this org unit: change it there and run `kinerja tenants apply`")
    if parent_id is not None:
        await _open_unit(tenant_id, parent_id, "parentId")
        if unit is not None and parent_id in await unit_subtree_ids(tenant_id, unit.id):
            raise Conflict("An org unit cannot move under itself or one of its sub-units", field="parentId")
    if code is not None and (unit is None or code != unit.code):
        await once.lock_key("org-unit-code", tenant_id, code)
        if await OrgUnit.exists(tenant_id=tenant_id, code=code):
            raise Conflict("An org unit with this code already exists", field="code")
    if unit is None:
        return await OrgUnit.create(tenant_id=tenant_id, code=code, name=name.strip(), kind=kind, parent_id=parent_id)
    unit.name = name.strip()
    if code is not None:
        unit.code = code
    if kind is not None:
        unit.kind = kind
    if moving:
        unit.parent_id = parent_id
    await unit.save()
    return unit


async def close_org_unit(ctx: RequestContext, unit_id: uuid.UUID, closed_on: dt.date) -> OrgUnit:
    """Close a unit from a day on; it stays readable with its history. Refused while active employees
    belong to it or open units are below it."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    _check_days(closedOn=closed_on)
    unit = await _open_unit(tenant_id, unit_id, "id")
    if await Employee.exists(tenant_id=tenant_id, org_unit_id=unit.id, active=True):
        raise Conflict("The org unit still has active employees: transfer them first", field="id")
    if await OrgUnit.exists(tenant_id=tenant_id, parent_id=unit.id, closed_on=None):
        raise Conflict("The org unit has open sub-units: close or move them first", field="id")
    unit.closed_on = closed_on
    await unit.save(update_fields=["closed_on"])
    return unit


async def save_position(ctx: RequestContext, position_id: uuid.UUID | None, name: str, kind: PositionKind,
                        level: FunctionalLevel | None) -> Position:
    """Create or change a position (jabatan): its name, kind and, for a functional one, its jenjang (which
    fixes the yearly credit coefficient through the evaluation rules)."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    problems = _text_problems(name=(name, 200))
    if level is not None and kind is not PositionKind.FUNGSIONAL:
        problems.append(FieldError("level", "BAD_USER_INPUT", "only functional (FUNGSIONAL) positions have a jenjang"))
    if problems:
        raise ValidationFailed(problems)
    name = name.strip()
    position = None
    if position_id is not None:
        position = await once.locked(Position.filter(id=position_id, tenant_id=tenant_id))
        if position is None:
            raise NotFound("Position not found", field="id")
        await _not_file_owned(tenant_id, "positions", position.name,
                              "The tenant file lists this position: change it there and run `kinerja tenants apply`")
    if position is None or position.name != name:
        await once.lock_key("position-name", tenant_id, name)
        if await Position.exists(tenant_id=tenant_id, name=name):
            raise Conflict("A position with this name already exists", field="name")
    if position is None:
        return await Position.create(tenant_id=tenant_id, name=name, kind=kind, level=level)
    position.name, position.kind, position.level = name, kind, level  # type: ignore[assignment]  # level is a nullable column (null=True), which the field type does not carry
    await position.save()
    return position


# --- periods -------------------------------------------------------------------------------------

async def save_period_scheme(ctx: RequestContext, year: int, scheme: PeriodScheme) -> list[Period]:
    """Set the period scheme of one year: its periods of the scheme (and the annual one) exist, those of
    another scheme are removed. Refused when a period that would go holds realisations, evaluations or
    other records."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    if not 2000 <= year <= 2100:
        raise BadUserInput("Year must be between 2000 and 2100", field="year")
    await once.lock_key("periods", tenant_id, year)  # as ensure_periods: one change of a year at a time
    existing = await once.locked_all(Period.filter(tenant_id=tenant_id, year=year))
    specs = periods_for_year(year, scheme)
    wanted = {(spec.kind, spec.sequence) for spec in specs}
    have = {(p.kind, p.sequence) for p in existing}
    if wanted == have:
        raise Conflict("The year already follows this period scheme", field="scheme")
    vanishing = [p.id for p in existing if (p.kind, p.sequence) not in wanted]
    if vanishing:
        try:
            await audit.delete(Period.filter(tenant_id=tenant_id, id__in=vanishing))
        except Exception as exc:
            if once.conflict_from(exc) is None:
                raise
            raise Conflict("Periods this scheme would remove already hold realisations or evaluations",
                           field="scheme") from None
    await Period.bulk_create([
        Period(tenant_id=tenant_id, year=year, kind=spec.kind, sequence=spec.sequence, name=spec.name,
               starts_on=spec.starts_on, ends_on=spec.ends_on)
        for spec in specs if (spec.kind, spec.sequence) not in have])
    return await Period.filter(tenant_id=tenant_id, year=year).order_by("kind", "sequence")
