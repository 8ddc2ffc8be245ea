from __future__ import annotations

from tortoise import fields

from kinerja.citizen.rules import AgeRange, Education, Gender, Occupation, TicketKind, TicketStatus
from kinerja.core.models import TenantModel


class ServiceUnit(TenantModel):
    """Unit penyelenggara pelayanan, usually an org unit."""

    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=200)
    org_unit = fields.ForeignKeyField("kinerja.OrgUnit", related_name=False, null=True, on_delete=fields.RESTRICT)

    class Meta:
        table = "service_unit"
        unique_together = (("tenant", "code"),)


class Service(TenantModel):
    """A public service (KTP, KK, puskesmas, perizinan, ...) of a service unit."""

    service_unit = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "public_service"
        unique_together = (("tenant", "code"),)


class SurveyResponse(TenantModel):
    """One anonymous SKM response: nine scores (1-4) and the optional respondent profile."""

    service = fields.ForeignKeyField("kinerja.Service", related_name=False, on_delete=fields.RESTRICT)
    service_unit = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
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

    class Meta:
        table = "survey_response"
        indexes = (("tenant_id", "service_unit_id", "created_at"), ("tenant_id", "fingerprint"))


class FeedbackTicket(TenantModel):
    """Feedback or a complaint from a citizen, tracked by its ticket code."""

    code = fields.CharField(max_length=11)
    kind = fields.CharEnumField(TicketKind, max_length=10)
    service = fields.ForeignKeyField("kinerja.Service", related_name=False, null=True, on_delete=fields.RESTRICT)
    service_unit = fields.ForeignKeyField("kinerja.ServiceUnit", related_name=False, on_delete=fields.RESTRICT)
    message = fields.TextField()
    contact = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(TicketStatus, max_length=12, default=TicketStatus.RECEIVED)
    assigned_to = fields.ForeignKeyField("kinerja.Employee", related_name=False, null=True, on_delete=fields.SET_NULL)
    internal_note = fields.TextField(default="")
    public_answer = fields.TextField(null=True)
    answered_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField()
    fingerprint = fields.CharField(max_length=64)
    updated_at = fields.DatetimeField(auto_now=True)

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
