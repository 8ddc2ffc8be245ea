from __future__ import annotations

import uuid

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.org.rules import (
    EmployeeExitReason,
    EmploymentType,
    FunctionalLevel,
    OrgUnitKind,
    PeriodKind,
    PositionKind,
)


class OrgUnit(TenantModel):
    """Perangkat daerah and its parts (bidang, seksi, ...), a tree per tenant."""

    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(OrgUnitKind, max_length=20)
    parent: fields.ForeignKeyNullableRelation[OrgUnit] = fields.ForeignKeyField(
        "kinerja.OrgUnit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: uuid.UUID | None
    # The unit's head (kepala). A plain column: employee -> org_unit -> employee would be a
    # cycle the migration generator cannot order; the composite foreign key in
    # 0002_tenant_isolation enforces it on PostgreSQL.
    head_id = fields.UUIDField(null=True)
    # Closed units stay readable (plans, evaluations and assignments of the past name them).
    closed_on = fields.DateField(null=True)

    class Meta:
        table = "org_unit"
        unique_together = (("tenant", "code"),)
        indexes = (("tenant_id", "parent_id"),)


class Position(TenantModel):
    """A jabatan: JPT, administrator, pengawas, pelaksana or fungsional."""

    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(PositionKind, max_length=20)
    # No longer read: the yearly coefficient follows from ``level`` (rule data per year, Peraturan BKN 3/2023).
    credit_coefficient = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    # Jenjang of a functional position (FUNGSIONAL), else null.
    level = fields.CharEnumField(FunctionalLevel, max_length=20, null=True)

    class Meta:
        table = "position"
        unique_together = (("tenant", "name"),)


class Employee(TenantModel):
    """An ASN (PNS or PPPK) identified by an 18-digit NIP."""

    nip = fields.CharField(max_length=18)
    name = fields.CharField(max_length=200)
    employment_type = fields.CharEnumField(EmploymentType, max_length=10)
    org_unit: fields.ForeignKeyRelation[OrgUnit] = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID
    position: fields.ForeignKeyNullableRelation[Position] = fields.ForeignKeyField(
        "kinerja.Position", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    position_id: uuid.UUID | None
    supervisor: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    supervisor_id: uuid.UUID | None
    active = fields.BooleanField(default=True)
    # PPPK: the start of the employment contract (perjanjian kerja); its yearly anniversaries bound the
    # contract years of the JP cap (PP 49/2018 art. 40).
    contract_starts_on = fields.DateField(null=True)
    # Set when the employee leaves (``active`` false): why and from which day.
    exit_reason = fields.CharEnumField(EmployeeExitReason, max_length=20, null=True)
    exit_on = fields.DateField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "employee"
        unique_together = (("tenant", "nip"),)
        indexes = (
            ("tenant_id", "name", "id"),
            ("tenant_id", "org_unit_id", "name", "id"),
            ("tenant_id", "supervisor_id"),
        )


class EmployeeAssignment(TenantModel):
    """Riwayat jabatan: where an employee worked from one day on (unit, position, supervisor), newest last."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    org_unit: fields.ForeignKeyRelation[OrgUnit] = fields.ForeignKeyField(
        "kinerja.OrgUnit", related_name=False, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID
    position: fields.ForeignKeyNullableRelation[Position] = fields.ForeignKeyField(
        "kinerja.Position", related_name=False, null=True, on_delete=fields.RESTRICT)
    position_id: uuid.UUID | None
    supervisor: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, null=True, on_delete=fields.RESTRICT)
    supervisor_id: uuid.UUID | None
    valid_from = fields.DateField(null=True)  # null: since before the history was kept
    valid_to = fields.DateField(null=True)  # the last day; null while current
    reason = fields.CharField(max_length=500, default="")

    class Meta:
        table = "employee_assignment"
        unique_together = (("tenant", "employee", "valid_from"),)
        indexes = (("tenant_id", "org_unit_id"),)


class Period(TenantModel):
    """An assessment period: monthly, quarterly or semester per the tenant scheme, or annual."""

    year = fields.SmallIntField()
    kind = fields.CharEnumField(PeriodKind, max_length=10)
    sequence = fields.SmallIntField()
    name = fields.CharField(max_length=60)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    closed = fields.BooleanField(default=False)

    class Meta:
        table = "period"
        unique_together = (("tenant", "year", "kind", "sequence"),)
