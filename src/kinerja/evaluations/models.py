from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.evaluations.rules import ActingKind, EvaluationStatus, ObjectionStatus, Predicate, Rating, UnitRating
from kinerja.org.rules import FunctionalLevel

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
    credit_coefficients: dict = fields.JSONField(default=dict)  # jenjang -> yearly coefficient

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
    acknowledged_at = fields.DatetimeField(null=True)  # the evaluatee's read receipt
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


class ActingAssessor(TenantModel):
    """A Plt/Plh assigned by HR: from ``starts_on`` to ``ends_on`` the acting employee assesses the
    direct subordinates of the official in his or her place."""

    official: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    official_id: uuid.UUID
    acting: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    acting_id: uuid.UUID
    kind = fields.CharEnumField(ActingKind, max_length=3)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    assigned_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    assigned_by_id: uuid.UUID

    class Meta:
        table = "acting_assessor"
        unique_together = (("tenant", "official", "acting", "starts_on"),)
        indexes = (("tenant_id", "acting_id", "ends_on"),)


class PlanWaiver(TenantModel):
    """The override by HR of the approved-SKP precondition for one employee and year, with its reason."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    year = fields.SmallIntField()
    reason = fields.TextField()
    granted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    granted_by_id: uuid.UUID

    class Meta:
        table = "plan_waiver"
        unique_together = (("tenant", "employee", "year"),)


class EvaluationObjection(TenantModel):
    """Keberatan (PP 30/2019 art. 59): an objection of the employee to a final evaluation, decided by the
    superior of the assessor. An accepted one leads to a corrected version."""

    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField("kinerja.Evaluation", related_name=False, on_delete=fields.RESTRICT)
    evaluation_id: uuid.UUID
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    reviewer: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    reviewer_id: uuid.UUID
    reason = fields.TextField()
    status = fields.CharEnumField(ObjectionStatus, max_length=10, default=ObjectionStatus.FILED)
    decision_reason = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)
    correction: fields.ForeignKeyNullableRelation[Evaluation] = fields.ForeignKeyField(
        "kinerja.Evaluation", related_name=False, null=True, on_delete=fields.RESTRICT)
    correction_id: uuid.UUID | None

    class Meta:
        table = "evaluation_objection"
        unique_together = (("tenant", "evaluation"),)
        indexes = (("tenant_id", "reviewer_id", "status"), ("tenant_id", "employee_id"))


class CreditEntry(TenantModel):
    """One booking of the angka kredit ledger of an employee: the points of a final annual evaluation of
    a functional position, or their reversal when that evaluation is corrected."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    evaluation: fields.ForeignKeyRelation[Evaluation] = fields.ForeignKeyField("kinerja.Evaluation", related_name=False, on_delete=fields.RESTRICT)
    evaluation_id: uuid.UUID
    year = fields.SmallIntField()
    level = fields.CharEnumField(FunctionalLevel, max_length=20)
    coefficient = fields.DecimalField(max_digits=8, decimal_places=3)
    points = fields.DecimalField(max_digits=10, decimal_places=3)  # negative for a reversal
    reversal = fields.BooleanField(default=False)

    class Meta:
        table = "credit_entry"
        unique_together = (("tenant", "evaluation", "reversal"),)
        indexes = (("tenant_id", "employee_id", "created_at"),)


class CreditAssessment(TenantModel):
    """Penetapan Angka Kredit (PAK) of an employee for a year: the points of the year and the
    accumulated total, from the ledger (Peraturan BKN 3/2023)."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    year = fields.SmallIntField()
    level = fields.CharEnumField(FunctionalLevel, max_length=20, null=True)
    points = fields.DecimalField(max_digits=10, decimal_places=3)
    total = fields.DecimalField(max_digits=12, decimal_places=3)
    issued_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.RESTRICT)
    issued_by_id: uuid.UUID

    class Meta:
        table = "credit_assessment"
        unique_together = (("tenant", "employee", "year"),)
