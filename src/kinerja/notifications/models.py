from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel

if TYPE_CHECKING:
    from kinerja.auth.models import User


class Notification(TenantModel):
    """One message in a user inbox: its kind and parameters (rendered in the reader language), the object it is about, when it was read and mailed."""

    recipient: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.CASCADE)
    recipient_id: uuid.UUID
    kind = fields.CharField(max_length=40)
    subject_type = fields.CharField(max_length=40)
    subject_id = fields.UUIDField()
    params: dict = fields.JSONField(default=dict)
    # Reminders are sent once per (kind, person, deadline): their key is unique in the tenant.
    once_key = fields.CharField(max_length=200, null=True)
    read_at = fields.DatetimeField(null=True)
    emailed_at = fields.DatetimeField(null=True)
    digested_at = fields.DatetimeField(null=True)  # listed in a daily digest mail

    class Meta:
        table = "notification"
        unique_together = (("tenant", "once_key"),)
        indexes = (("tenant_id", "recipient_id", "created_at"),)


class NotificationPreference(TenantModel):
    """How one user wants one kind of notification: in the inbox, by mail, in the daily digest."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.CASCADE)
    user_id: uuid.UUID
    kind = fields.CharField(max_length=40)
    in_app = fields.BooleanField(default=True)
    email = fields.BooleanField(default=False)
    digest = fields.BooleanField(default=False)

    class Meta:
        table = "notification_preference"
        unique_together = (("tenant", "user", "kind"),)
