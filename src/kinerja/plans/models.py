from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.plans.rules import Aggregation, Approach, Aspect, PlanStatus, ResultKind

if TYPE_CHECKING:
    from kinerja.auth.models import User
    from kinerja.org.models import Employee, Period


class PerformancePlan(TenantModel):
    """SKP: one employee, one year, one approver (the direct supervisor at submission)."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    year = fields.SmallIntField()
    revision = fields.SmallIntField(default=1)
    previous_revision: fields.ForeignKeyNullableRelation[PerformancePlan] = fields.ForeignKeyField("kinerja.PerformancePlan", related_name=False, null=True,
                                               on_delete=fields.RESTRICT)
    previous_revision_id: uuid.UUID | None
    approach = fields.CharEnumField(Approach, max_length=12)
    status = fields.CharEnumField(PlanStatus, max_length=12, default=PlanStatus.DRAFT)
    approver: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, null=True, on_delete=fields.RESTRICT)
    approver_id: uuid.UUID | None
    return_reason: str | None = fields.TextField(null=True)
    behaviour_expectations: dict = fields.JSONField(default=dict)
    resource_support = fields.TextField(default="")
    accountability_scheme = fields.TextField(default="")
    consequences = fields.TextField(default="")
    submitted_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "performance_plan"
        unique_together = (("tenant", "employee", "year", "revision"),)
        indexes = (("tenant_id", "year", "status"), ("tenant_id", "approver_id", "status"))


class ResultTarget(TenantModel):
    """RHK (rencana hasil kerja), main or additional, optionally under a supervisor RHK (intervensi)."""

    plan: fields.ForeignKeyRelation[PerformancePlan] = fields.ForeignKeyField("kinerja.PerformancePlan", related_name=False, on_delete=fields.CASCADE)
    plan_id: uuid.UUID
    kind = fields.CharEnumField(ResultKind, max_length=10)
    description = fields.TextField()
    parent: fields.ForeignKeyNullableRelation[ResultTarget] = fields.ForeignKeyField("kinerja.ResultTarget", related_name=False, null=True, on_delete=fields.RESTRICT)
    parent_id: uuid.UUID | None
    position = fields.SmallIntField(default=0)
    # The IKU (of goals/, an area above) a head's RHK intervenes. A plain column guarded by a composite
    # foreign key (migration 0043), as org_unit.head_id is: this area names no model above it.
    unit_indicator_id = fields.UUIDField(null=True)
    # Or the sasaran (a strategic goal of goals/) it intervenes directly; the same kind of column.
    goal_id = fields.UUIDField(null=True)

    class Meta:
        table = "result_target"
        indexes = (("tenant_id", "plan_id", "position"), ("tenant_id", "parent_id"))


class Indicator(TenantModel):
    """Indikator kinerja individu with its aspect and target."""

    result: fields.ForeignKeyRelation[ResultTarget] = fields.ForeignKeyField("kinerja.ResultTarget", related_name=False, on_delete=fields.CASCADE)
    result_id: uuid.UUID
    aspect = fields.CharEnumField(Aspect, max_length=10)
    description = fields.TextField()
    target_value = fields.DecimalField(max_digits=18, decimal_places=4, null=True)
    target_unit = fields.CharField(max_length=40, null=True)
    target_text = fields.CharField(max_length=500, null=True)
    position = fields.SmallIntField(default=0)
    aggregation = fields.CharEnumField(Aggregation, max_length=10, null=True)  # null: the default of its aspect

    class Meta:
        table = "indicator"
        indexes = (("tenant_id", "result_id", "position"),)


class Realisation(TenantModel):
    """Realisasi of one indicator in one period, with evidence (bukti dukung)."""

    indicator: fields.ForeignKeyRelation[Indicator] = fields.ForeignKeyField("kinerja.Indicator", related_name=False, on_delete=fields.CASCADE)
    indicator_id: uuid.UUID
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField("kinerja.Period", related_name=False, on_delete=fields.RESTRICT)
    period_id: uuid.UUID
    value = fields.DecimalField(max_digits=18, decimal_places=4, null=True)
    narrative = fields.TextField(default="")
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    recorded_by_id: uuid.UUID
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "realisation"
        unique_together = (("tenant", "indicator", "period"),)
        indexes = (("tenant_id", "period_id"),)


class Evidence(TenantModel):
    """A link or a stored file (content-addressed by SHA-256) supporting a realisation."""

    realisation: fields.ForeignKeyRelation[Realisation] = fields.ForeignKeyField("kinerja.Realisation", related_name=False, on_delete=fields.CASCADE)
    realisation_id: uuid.UUID
    url = fields.CharField(max_length=2000, null=True)
    file_name = fields.CharField(max_length=255, null=True)
    content_type = fields.CharField(max_length=100, null=True)
    size = fields.IntField(null=True)
    sha256 = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "evidence"
        indexes = (("tenant_id", "realisation_id"),)


class Feedback(TenantModel):
    """Umpan balik: a comment on a plan or on one realisation, with replies forming an ordered thread."""

    plan: fields.ForeignKeyRelation[PerformancePlan] = fields.ForeignKeyField("kinerja.PerformancePlan", related_name=False, on_delete=fields.CASCADE)
    plan_id: uuid.UUID
    realisation: fields.ForeignKeyNullableRelation[Realisation] = fields.ForeignKeyField("kinerja.Realisation", related_name=False, null=True,
                                         on_delete=fields.CASCADE)
    realisation_id: uuid.UUID | None
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    author_id: uuid.UUID
    author_employee: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, null=True,
                                             on_delete=fields.RESTRICT)
    author_employee_id: uuid.UUID | None
    reply_to: fields.ForeignKeyNullableRelation[Feedback] = fields.ForeignKeyField("kinerja.Feedback", related_name=False, null=True, on_delete=fields.CASCADE)
    reply_to_id: uuid.UUID | None
    body = fields.TextField()

    class Meta:
        table = "feedback"
        indexes = (("tenant_id", "plan_id", "created_at"),)
