"""Where the project's declarative files live (policies/, tenants/, schema/)."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    configured = os.environ.get("KINERJA_HOME")
    if configured:
        return Path(configured)
    source_checkout = Path(__file__).resolve().parents[3]
    if (source_checkout / "policies" / "model.conf").exists():
        return source_checkout
    return Path.cwd()


def policies_dir() -> Path:
    return project_root() / "policies"


def tenants_dir() -> Path:
    return project_root() / "tenants"


def schema_file() -> Path:
    return project_root() / "schema" / "schema.graphql"


def operations_dir() -> Path:
    """Trusted documents: the operations frontend teams registered (see api/trusted.py)."""
    return project_root() / "schema" / "operations"
