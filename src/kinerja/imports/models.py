"""Bulk import batches: an uploaded file and its dry-run report."""

from __future__ import annotations

from tortoise import fields

from kinerja.core.models import TenantModel
from kinerja.imports.rules import ImportKind, ImportStatus


class ImportBatch(TenantModel):
    """A CSV uploaded through the API: its dry-run report, kept until it is committed (all rows in one
    transaction) or left. A batch with problems is FAILED and never commits."""

    kind = fields.CharEnumField(ImportKind, max_length=10)
    status = fields.CharEnumField(ImportStatus, max_length=10, default=ImportStatus.DRY_RUN)
    filename = fields.CharField(max_length=200, default="")
    row_count = fields.IntField(default=0)
    valid_count = fields.IntField(default=0)
    created_count = fields.IntField(default=0)
    updated_count = fields.IntField(default=0)
    problems: list = fields.JSONField(default=list)
    content = fields.TextField()
    audit_redact = frozenset({"content"})
    # The user who uploaded it: a plain column, like the audit trail's actor (the batch outlives the user).
    created_by = fields.UUIDField(null=True)
    committed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_batch"
        indexes = (("tenant_id", "created_at"),)

