"""Bulk imports through the API: what a batch is and when it may commit (pure)."""

from __future__ import annotations

from enum import StrEnum

# The largest file accepted through the API (characters): about 20,000 employee rows.
MAX_CONTENT = 4_000_000
MAX_FILENAME = 200


class ImportKind(StrEnum):
    EMPLOYEES = "EMPLOYEES"
    TRAINING = "TRAINING"


class ImportStatus(StrEnum):
    DRY_RUN = "DRY_RUN"      # checked without problems: it may commit
    COMMITTED = "COMMITTED"  # every row written
    FAILED = "FAILED"        # the file has problems: it never commits


# The permission (object, action) that uploading, committing and reading a batch of a kind needs.
PERMISSION = {ImportKind.EMPLOYEES: ("employee", "manage"), ImportKind.TRAINING: ("training", "manage")}


def commit_problem(status: ImportStatus) -> str | None:
    if status is ImportStatus.COMMITTED:
        return "The import is already committed"
    if status is ImportStatus.FAILED:
        return "The import has problems: correct the file and start a new import"
    return None
