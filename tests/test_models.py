"""Model docstrings become table comments, and the SQLite migration runner splits statements on
';' (and chokes on quotes): keep them out, or the embedded mode cannot migrate."""

from __future__ import annotations

from tortoise import Tortoise


def test_table_comments_are_safe_for_the_sqlite_migration_runner():
    models = [m for app in Tortoise.apps.values() for m in app.values()]
    assert len(models) > 15
    for model in models:
        doc = model.__doc__ or ""
        assert ";" not in doc and "'" not in doc, model.__name__


def test_every_tenant_model_has_a_tenant_column():
    from kinerja.core.models import TenantModel

    tenant_models = [m for app in Tortoise.apps.values() for m in app.values() if issubclass(m, TenantModel)]
    assert all("tenant_id" in m._meta.db_fields for m in tenant_models)


def test_every_area_is_packaged():
    """An area missing from pyproject's package list works in a checkout but not in the image."""
    import tomllib

    from kinerja.core.paths import project_root

    root = project_root()
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    areas = {f"kinerja.{p.parent.name}" for p in (root / "src" / "kinerja").glob("*/__init__.py")}
    assert areas | {"kinerja", "kinerja.migrations"} <= listed
