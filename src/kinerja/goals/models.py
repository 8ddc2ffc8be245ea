from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.goals.rules import Aggregation, AgreementStatus, Direction, GoalLevel, IndicatorKind

if TYPE_CHECKING:
    from kinerja.auth.models import User
    from kinerja.org.models import Employee, OrgUnit, Period


class StrategicGoal(TenantModel):
    """A tujuan or sasaran of the regional plan (RPJMD) for a multi-year span (a sasaran serves a tujuan)."""

    level = fields.CharEnumField(GoalLevel, max_length=10)
    parent: fields.ForeignKeyNullableRelation[StrategicGoal] = fields.ForeignKeyField(
        "kinerja.StrategicGoal", related_name=False, null=True, on_delete=fields.RESTRICT)
    parent_id: uuid.UUID | None
    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=500)
    start_year = fields.SmallIntField()
    end_year = fields.SmallIntField()
    # [{"name", "unit", "baseline", "target"}]: the goal's indicators, kept with it and replaced with it.
    indicators: list[dict[str, Any]] = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "strategic_goal"
        unique_together = (("tenant", "code", "start_year"),)
        indexes = (("tenant_id", "start_year", "end_year"),)


class UnitIndicator(TenantModel):
    """An IKU (indikator kinerja utama) of an org unit for one year, serving a sasaran."""

    org_unit: fields.ForeignKeyRelation[OrgUnit] = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID
    year = fields.SmallIntField()
    goal: fields.ForeignKeyRelation[StrategicGoal] = fields.ForeignKeyField("kinerja.StrategicGoal", related_name=False, on_delete=fields.RESTRICT)
    goal_id: uuid.UUID
    name = fields.CharField(max_length=300)
    definition = fields.TextField(default="")
    formula = fields.TextField(default="")
    kind = fields.CharEnumField(IndicatorKind, max_length=20)
    direction = fields.CharEnumField(Direction, max_length=20, default=Direction.HIGHER_IS_BETTER)
    unit_of_measure = fields.CharField(max_length=200, default="")
    data_source = fields.CharField(max_length=200, default="")
    responsible_position = fields.CharField(max_length=200, default="")
    baseline = fields.DecimalField(max_digits=18, decimal_places=4, null=True)
    target = fields.DecimalField(max_digits=18, decimal_places=4, null=True)  # the year's target
    # null: the tenant's default. tortoise types CharEnumField without its nullable form.
    aggregation: Aggregation | None = fields.CharEnumField(  # type: ignore[assignment]  # the column is null=True
        Aggregation, max_length=10, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit_indicator"
        unique_together = (("tenant", "org_unit", "year", "name"),)
        indexes = (("tenant_id", "year", "org_unit_id"),)


class UnitIndicatorTarget(TenantModel):
    """An IKU target for one period of its year."""

    indicator: fields.ForeignKeyRelation[UnitIndicator] = fields.ForeignKeyField(
        "kinerja.UnitIndicator", related_name=False, on_delete=fields.CASCADE)
    indicator_id: uuid.UUID
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField("kinerja.Period", related_name=False, on_delete=fields.RESTRICT)
    period_id: uuid.UUID
    value = fields.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        table = "unit_indicator_target"
        unique_together = (("tenant", "indicator", "period"),)


class UnitIndicatorRealisation(TenantModel):
    """An IKU realisation in one period, with its evidence (a link or a stored file)."""

    indicator: fields.ForeignKeyRelation[UnitIndicator] = fields.ForeignKeyField(
        "kinerja.UnitIndicator", related_name=False, on_delete=fields.RESTRICT)
    indicator_id: uuid.UUID
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField("kinerja.Period", related_name=False, on_delete=fields.RESTRICT)
    period_id: uuid.UUID
    value = fields.DecimalField(max_digits=18, decimal_places=4)
    narrative = fields.TextField(default="")
    evidence_url = fields.CharField(max_length=2000, null=True)
    evidence_file_name = fields.CharField(max_length=255, null=True)
    evidence_content_type = fields.CharField(max_length=100, null=True)
    evidence_sha256 = fields.CharField(max_length=64, null=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "kinerja.User", related_name=False, null=True, on_delete=fields.RESTRICT)
    recorded_by_id: uuid.UUID | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit_indicator_realisation"
        unique_together = (("tenant", "indicator", "period"),)


class PerformanceAgreement(TenantModel):
    """A Perjanjian Kinerja of a unit head for a year (one version, a revision keeps the previous one)."""

    org_unit: fields.ForeignKeyRelation[OrgUnit] = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID
    year = fields.SmallIntField()
    version = fields.SmallIntField()
    status = fields.CharEnumField(AgreementStatus, max_length=10, default=AgreementStatus.DRAFT)
    # [{"indicator_id", "name", "unit_of_measure", "target"}]: the IKU targets committed, as signed.
    commitments: list[dict[str, Any]] = fields.JSONField(default=list)
    revision_reason = fields.TextField(null=True)
    head: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, null=True, on_delete=fields.RESTRICT)
    head_id: uuid.UUID | None
    head_signed_at = fields.DatetimeField(null=True)
    superior: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, null=True, on_delete=fields.RESTRICT)
    superior_id: uuid.UUID | None
    superior_signed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "performance_agreement"
        unique_together = (("tenant", "org_unit", "year", "version"),)


class GoalRule(TenantModel):
    """The rules of organisation performance of a tenant for a year, from its tenant file, with their source."""

    year = fields.SmallIntField()
    rules: dict[str, Any] = fields.JSONField(default=dict)  # cap_percent, aggregation, thresholds
    source = fields.CharField(max_length=300)

    class Meta:
        table = "goal_rule"
        unique_together = (("tenant", "year"),)
