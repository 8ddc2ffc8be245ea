from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields

from kinerja.core.models import TenantModel

if TYPE_CHECKING:
    from kinerja.org.models import Employee


class User(TenantModel):
    """A login of one tenant (platform operators are users of the platform tenant)."""

    username = fields.CharField(max_length=64)
    password_hash = fields.CharField(max_length=200)
    audit_redact = frozenset({"password_hash"})
    employee: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "kinerja.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    employee_id: uuid.UUID | None
    active = fields.BooleanField(default=True)
    email = fields.CharField(max_length=254, null=True)  # where notification mail goes (set by the user)

    class Meta:
        table = "app_user"
        unique_together = (("tenant", "username"),)


class RefreshToken(TenantModel):
    """One link of a rotating refresh-token chain, keeping only the SHA-256 of the secret."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.CASCADE)
    user_id: uuid.UUID
    secret_hash = fields.CharField(max_length=64)
    audit_redact = frozenset({"secret_hash"})
    family = fields.UUIDField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    # The token its rotation issued (a composite foreign key guards it); null until rotated.
    replaced_by_id = fields.UUIDField(null=True)
    # Where the session's token was issued: shown to the user in `mySessions` (never used to decide).
    user_agent = fields.CharField(max_length=300, default="")
    ip = fields.CharField(max_length=64, default="")

    class Meta:
        table = "refresh_token"
        indexes = (("tenant_id", "family"),)


class PasswordResetCode(TenantModel):
    """A one-time code an admin issued so a user can set a new password. Only its argon2 hash is kept.
    It ends when used, when its attempts are spent, when a newer code is issued, or at ``expires_at``."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("kinerja.User", related_name=False, on_delete=fields.CASCADE)
    user_id: uuid.UUID
    code_hash = fields.CharField(max_length=200)
    audit_redact = frozenset({"code_hash"})
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    ended_at = fields.DatetimeField(null=True)
    # The admin who issued it (a plain column, like the audit trail's actor).
    issued_by = fields.UUIDField(null=True)

    class Meta:
        table = "password_reset_code"
        indexes = (("tenant_id", "user_id"),)


class LoginFailure(TenantModel):
    """A failed login, kept to throttle password guessing per username."""

    username = fields.CharField(max_length=64)
    ip = fields.CharField(max_length=64)

    class Meta:
        table = "login_failure"
        indexes = (("tenant_id", "username", "created_at"),)


class Role(TenantModel):
    """A named set of permissions inside one tenant (its grants are policy rules)."""

    name = fields.CharField(max_length=64)
    description = fields.CharField(max_length=300, default="")
    built_in = fields.BooleanField(default=False)

    class Meta:
        table = "role"
        unique_together = (("tenant", "name"),)


class PolicyRule(TenantModel):
    """A Casbin rule. The domain (v1 for p, v2 for g) is always the tenant id of the row."""

    ptype = fields.CharField(max_length=8)
    v0 = fields.CharField(max_length=100)
    v1 = fields.CharField(max_length=100)
    v2 = fields.CharField(max_length=100, default="")
    v3 = fields.CharField(max_length=100, default="")

    class Meta:
        table = "policy_rule"
        unique_together = (("tenant", "ptype", "v0", "v1", "v2", "v3"),)
