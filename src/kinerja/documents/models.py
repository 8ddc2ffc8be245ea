from __future__ import annotations

import uuid

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.documents.rules import DocumentKind


class IssuedDocument(TenantModel):
    """A document the server issued and signed: its canonical content, hash and Ed25519 signature,
    found by its verification code. The same content of the same subject is issued once."""

    code = fields.CharField(max_length=80)
    kind = fields.CharEnumField(DocumentKind, max_length=20)
    # The ids the document is about, e.g. "<evaluation id>" or "<org unit id>/<period id>".
    subject_key = fields.CharField(max_length=200)
    subject_id = fields.UUIDField()
    # The user whose request issued it (for the audit trail; not shown publicly).
    issued_by: fields.ForeignKeyNullableRelation[TenantModel] = fields.ForeignKeyField(
        "kinerja.User", related_name=False, null=True, on_delete=fields.SET_NULL)
    issued_by_id: uuid.UUID | None
    issued_at = fields.DatetimeField()
    content_hash = fields.CharField(max_length=64)
    content: dict = fields.JSONField()
    signature = fields.CharField(max_length=120)
    key_id = fields.CharField(max_length=64)

    class Meta:
        table = "issued_document"
        unique_together = (("tenant", "code"), ("tenant", "kind", "subject_key", "content_hash"))
