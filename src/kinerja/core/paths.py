"""Where the project's declarative files live (policies/, tenants/, schema/).

The repository keeps them as top-level folders; a built wheel carries copies inside the package
(``kinerja/bundled/``, see pyproject.toml), so an installed package needs no checkout beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """``KINERJA_HOME`` when set; else the folders bundled in an installed package; else the source
    checkout (an editable install, or running from the source tree)."""
    configured = os.environ.get("KINERJA_HOME")
    if configured:
        return Path(configured)
    bundled = _PACKAGE / "bundled"
    if (bundled / "policies" / "model.conf").exists():
        return bundled
    return _PACKAGE.parents[1]


def policies_dir() -> Path:
    return project_root() / "policies"


def tenants_dir() -> Path:
    return project_root() / "tenants"


def schema_file() -> Path:
    return project_root() / "schema" / "schema.graphql"


def operations_dir() -> Path:
    """Trusted documents: the operations frontend teams registered (see api/trusted.py)."""
    return project_root() / "schema" / "operations"


def persisted_manifest() -> Path:
    """graphql-codegen's persisted-documents manifest of ``schema/operations/`` (see api/trusted.py)."""
    return project_root() / "schema" / "persisted-documents.json"
