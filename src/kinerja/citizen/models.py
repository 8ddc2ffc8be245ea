from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.citizen.rules import (
    ActionStatus,
    AgeRange,
    Education,
    Gender,
    Occupation,
    SubmissionChannel,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from kinerja.core.models import TenantModel

if TYPE_CHECKING:
    from kinerja.org.models import Employee, OrgUnit, Position


class ServiceUnit(TenantModel):
    """Unit penyelenggara pelayanan, usually an org unit."""

    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=200)
    org_unit: fields.ForeignKeyNullableRelation[OrgUnit] = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, null=True, on_delete=fields.RESTRICT)
    org_unit_id: uuid.UUID | None
    population = fields.IntField(null=True)  # service users per period: the minimum sample follows from it

    class Meta:
        table = "service_unit"
        unique_together = (("tenant", "code"),)


class Service(TenantModel):
    """A public service (KTP, KK, puskesmas, perizinan, ...) of a service unit."""

    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "public_service"
        unique_together = (("tenant", "code"),)


class SurveyResponse(TenantModel):
    """One anonymous SKM response: nine scores (1-4) and the optional respondent profile."""

    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField("kinerja.Service", related_name=False, on_delete=fields.RESTRICT)
    service_id: uuid.UUID
    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    u1 = fields.SmallIntField()
    u2 = fields.SmallIntField()
    u3 = fields.SmallIntField()
    u4 = fields.SmallIntField()
    u5 = fields.SmallIntField()
    u6 = fields.SmallIntField()
    u7 = fields.SmallIntField()
    u8 = fields.SmallIntField()
    u9 = fields.SmallIntField()
    gender = fields.CharEnumField(Gender, max_length=10, null=True)
    age_range = fields.CharEnumField(AgeRange, max_length=15, null=True)
    education = fields.CharEnumField(Education, max_length=10, null=True)
    occupation = fields.CharEnumField(Occupation, max_length=20, null=True)
    fingerprint = fields.CharField(max_length=64)
    channel = fields.CharEnumField(SubmissionChannel, max_length=5, default=SubmissionChannel.WEB)
    kiosk: fields.ForeignKeyNullableRelation[SurveyKiosk] = fields.ForeignKeyField("kinerja.SurveyKiosk", related_name=False, null=True, on_delete=fields.RESTRICT)
    kiosk_id: uuid.UUID | None
    suggestion = fields.TextField(null=True)  # saran: private, for staff only
    flagged = fields.BooleanField(default=False)  # part of a burst of identical answers from one kiosk

    class Meta:
        table = "survey_response"
        indexes = (("tenant_id", "service_unit_id", "created_at"), ("tenant_id", "fingerprint"))


class FeedbackTicket(TenantModel):
    """Feedback or a complaint from a citizen, tracked by its ticket code."""

    code = fields.CharField(max_length=11)
    kind = fields.CharEnumField(TicketKind, max_length=10)
    service: fields.ForeignKeyNullableRelation[Service] = fields.ForeignKeyField("kinerja.Service", related_name=False, null=True, on_delete=fields.RESTRICT)
    service_id: uuid.UUID | None
    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    message = fields.TextField()
    contact = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(TicketStatus, max_length=12, default=TicketStatus.RECEIVED)
    assigned_to: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, null=True, on_delete=fields.SET_NULL)
    assigned_to_id: uuid.UUID | None
    internal_note = fields.TextField(default="")
    public_answer = fields.TextField(null=True)
    answered_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField()
    fingerprint = fields.CharField(max_length=64)
    updated_at = fields.DatetimeField(auto_now=True)
    answer_rating = fields.SmallIntField(null=True)  # the citizen's rating (1-5) of the current answer

    class Meta:
        table = "feedback_ticket"
        unique_together = (("tenant", "code"),)
        indexes = (("tenant_id", "service_unit_id", "status", "created_at"), ("tenant_id", "fingerprint"))


class RateCounter(TenantModel):
    """A fixed-window request counter, in the database so limits hold across worker processes."""

    bucket = fields.CharField(max_length=120)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_counter"
        unique_together = (("tenant", "bucket", "window_start"),)


class SurveyKiosk(TenantModel):
    """A survey device at a service unit counter, known by a token shown once and stored hashed."""

    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    name = fields.CharField(max_length=200)
    token_hash = fields.CharField(max_length=64)
    revoked_at = fields.DatetimeField(null=True)
    audit_redact = frozenset({"token_hash"})

    class Meta:
        table = "survey_kiosk"
        unique_together = (("tenant", "token_hash"),)


class SurveyCodeBatch(TenantModel):
    """A batch of one-time survey codes of one service, printed as QR codes on receipts."""

    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField("kinerja.Service", related_name=False, on_delete=fields.RESTRICT)
    service_id: uuid.UUID
    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    count = fields.IntField()

    class Meta:
        table = "survey_code_batch"


class SurveyCode(TenantModel):
    """One code of a batch: it names its service and is accepted once."""

    batch: fields.ForeignKeyRelation[SurveyCodeBatch] = fields.ForeignKeyField("kinerja.SurveyCodeBatch", related_name=False, on_delete=fields.RESTRICT)
    batch_id: uuid.UUID
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField("kinerja.Service", related_name=False, on_delete=fields.RESTRICT)
    service_id: uuid.UUID
    code = fields.CharField(max_length=11)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "survey_code"
        unique_together = (("tenant", "code"),)
        indexes = (("tenant_id", "batch_id", "code"),)


class TicketEvent(TenantModel):
    """One step of a ticket, for its public timeline: received, moved on, answered, replied, rated."""

    ticket: fields.ForeignKeyRelation[FeedbackTicket] = fields.ForeignKeyField("kinerja.FeedbackTicket", related_name=False, on_delete=fields.RESTRICT)
    ticket_id: uuid.UUID
    kind = fields.CharEnumField(TicketEventKind, max_length=10)
    status = fields.CharEnumField(TicketStatus, max_length=12)
    public_text = fields.TextField(null=True)  # the public answer given at this step
    reply = fields.TextField(null=True)  # the citizen's reply (never public)
    rating = fields.SmallIntField(null=True)
    staff: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField("kinerja.Employee", related_name=False, null=True, on_delete=fields.SET_NULL)
    staff_id: uuid.UUID | None

    class Meta:
        table = "ticket_event"
        indexes = (("tenant_id", "ticket_id", "created_at"),)


class FollowUpPlan(TenantModel):
    """Rencana tindak lanjut of a service unit for a year, published beside its IKM."""

    service_unit: fields.ForeignKeyRelation[ServiceUnit] = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    service_unit_id: uuid.UUID
    year = fields.SmallIntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "follow_up_plan"
        unique_together = (("tenant", "service_unit", "year"),)


class FollowUpAction(TenantModel):
    """One action of a follow-up plan: the element it improves, its owner (a position), due date, status."""

    plan: fields.ForeignKeyRelation[FollowUpPlan] = fields.ForeignKeyField("kinerja.FollowUpPlan", related_name=False, on_delete=fields.CASCADE)
    plan_id: uuid.UUID
    position = fields.SmallIntField()
    element = fields.SmallIntField()
    action = fields.TextField()
    owner: fields.ForeignKeyNullableRelation[Position] = fields.ForeignKeyField("kinerja.Position", related_name=False, null=True, on_delete=fields.RESTRICT)
    owner_id: uuid.UUID | None
    due_on = fields.DateField()
    status = fields.CharEnumField(ActionStatus, max_length=12, default=ActionStatus.PLANNED)

    class Meta:
        table = "follow_up_action"
        unique_together = (("tenant", "plan", "position"),)
