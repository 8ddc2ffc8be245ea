from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.evaluations.rules import EvaluationStatus, Predicate, Rating, UnitRating

if TYPE_CHECKING:
    from kinerja.auth.models import User
    from kinerja.org.models import Employee, OrgUnit, Period
    from kinerja.plans.models import PerformancePlan


class EvaluationRule(TenantModel):
    """The evaluation rules in force for a tenant and year: predicate matrix, distribution guide, credit shares."""

    year = fields.SmallIntField()
    matrix: dict = fields.JSONField()
    distribution_guide: dict = fields.JSONField()
    credit_shares: dict = fields.JSONField()

    class Meta:
        table = "evaluation_rule"
        unique_together = (("tenant", "year"),)


class Evaluation(TenantModel):
    """Penilaian kinerja of one employee for one period, in versions (a correction is a new version)."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField("kinerja.Period", related_name=False, on_delete=fields.RESTRICT)
    period_id: uuid.UUID
    plan: fields.ForeignKeyNullableRelation[PerformancePlan] = fields.ForeignKeyField("kinerja.PerformancePlan", related_name=False, null=True, on_delete=fields.RESTRICT)
    plan_id: uuid.UUID | None
    assessor: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    assessor_id: uuid.UUID
    version = fields.SmallIntField(default=1)
    previous_version: fields.ForeignKeyNullableRelation[Evaluation] = fields.ForeignKeyField("kinerja.Evaluation", related_name=False, null=True,
                                              on_delete=fields.RESTRICT)
    previous_version_id: uuid.UUID | None
    results_rating = fields.CharEnumField(Rating, max_length=20)
    behaviour_rating = fields.CharEnumField(Rating, max_length=20)
    results_from_unit = fields.BooleanField(default=False)
    notes: dict = fields.JSONField(default=dict)
    predicate = fields.CharEnumField(Predicate, max_length=20)
    status = fields.CharEnumField(EvaluationStatus, max_length=10, default=EvaluationStatus.DRAFT)
    correction_reason = fields.TextField(null=True)
    finalized_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "evaluation"
        unique_together = (("tenant", "employee", "period", "version"),)
        indexes = (("tenant_id", "period_id", "status"), ("tenant_id", "assessor_id"))


class UnitPerformance(TenantModel):
    """Capaian kinerja organisasi: the unit rating for a period, set by its head or HR."""

    org_unit: fields.ForeignKeyRelation[OrgUnit] = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField("kinerja.Period", related_name=False, on_delete=fields.RESTRICT)
    period_id: uuid.UUID
    rating = fields.CharEnumField(UnitRating, max_length=20)
    set_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    set_by_id: uuid.UUID
    notes = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit_performance"
        unique_together = (("tenant", "org_unit", "period"),)
