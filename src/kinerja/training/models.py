from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.training.rules import TrainingKind, TrainingStatus

if TYPE_CHECKING:
    from kinerja.auth.models import User
    from kinerja.org.models import Employee


class TrainingEvent(TenantModel):
    """An event of the tenant training catalogue, with a capacity."""

    title = fields.CharField(max_length=300)
    topic = fields.CharField(max_length=100)
    kind = fields.CharEnumField(TrainingKind, max_length=30)
    organiser = fields.CharField(max_length=300, default="")
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    jp = fields.SmallIntField()
    capacity = fields.SmallIntField()

    class Meta:
        table = "training_event"
        indexes = (("tenant_id", "starts_on"), ("tenant_id", "topic"))


class TrainingRecord(TenantModel):
    """A competency development record (riwayat kursus/diklat), counted only when VERIFIED."""

    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    event: fields.ForeignKeyNullableRelation[TrainingEvent] = fields.ForeignKeyField("kinerja.TrainingEvent", related_name=False, null=True, on_delete=fields.RESTRICT)
    event_id: uuid.UUID | None
    title = fields.CharField(max_length=300)
    kind = fields.CharEnumField(TrainingKind, max_length=30)
    organiser = fields.CharField(max_length=300, default="")
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    year = fields.SmallIntField()
    jp = fields.SmallIntField()
    certificate_number = fields.CharField(max_length=100, null=True)
    certificate_file_name = fields.CharField(max_length=255, null=True)
    certificate_content_type = fields.CharField(max_length=100, null=True)
    certificate_sha256 = fields.CharField(max_length=64, null=True)
    status = fields.CharEnumField(TrainingStatus, max_length=10, default=TrainingStatus.PLANNED)
    rejection_reason: str | None = fields.TextField(null=True)
    # null for records imported from SIASN by an operator
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, null=True, on_delete=fields.RESTRICT)
    recorded_by_id: uuid.UUID | None
    verified_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, null=True, on_delete=fields.RESTRICT)
    verified_by_id: uuid.UUID | None
    verified_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "training_record"
        indexes = (("tenant_id", "employee_id", "year"), ("tenant_id", "year", "status"))


class TrainingRegistration(TenantModel):
    """An employee registered for a catalogue event, whose attendance HR confirms to create the record."""

    event: fields.ForeignKeyRelation[TrainingEvent] = fields.ForeignKeyField("kinerja.TrainingEvent", related_name=False, on_delete=fields.CASCADE)
    event_id: uuid.UUID
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, on_delete=fields.RESTRICT)
    employee_id: uuid.UUID
    attended = fields.BooleanField(default=False)
    record: fields.ForeignKeyNullableRelation[TrainingRecord] = fields.ForeignKeyField("kinerja.TrainingRecord", related_name=False, null=True, on_delete=fields.SET_NULL)
    record_id: uuid.UUID | None

    class Meta:
        table = "training_registration"
        unique_together = (("tenant", "event", "employee"),)


class RecommendationRule(TenantModel):
    """Tenant-editable mapping from a development need (trigger) to a catalogue topic."""

    trigger = fields.CharField(max_length=60)
    topic = fields.CharField(max_length=100)

    class Meta:
        table = "training_recommendation_rule"
        unique_together = (("tenant", "trigger", "topic"),)
