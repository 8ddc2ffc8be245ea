"""Declarative tenant files: idempotent apply, precise errors that change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import rows

from kinerja.core.paths import tenants_dir
from kinerja.org.models import OrgUnit, Period, Position
from kinerja.provisioning.apply import apply_spec
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.spec import SpecError, load_tenant_file

GOOD = """slug = "{slug}"
name = "Kabupaten Uji"
kind = "KABUPATEN"
period_years = [2026]

[settings]
period_scheme = "SEMESTER"

[[org_units]]
code = "DINKES"
name = "Dinas Kesehatan"
kind = "DINAS"

[[org_units]]
code = "DINKES-P2P"
name = "Bidang P2P"
kind = "BIDANG"
parent = "DINKES"

[[positions]]
name = "Kepala Dinas"
kind = "JPT"
"""


def _write(tmp_path: Path, slug: str, text: str) -> Path:
    path = tmp_path / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_apply_twice_is_idempotent(tmp_path):
    path = _write(tmp_path, "kabupaten-uji", GOOD.format(slug="kabupaten-uji"))
    first = await apply_spec(load_tenant_file(path))
    assert first.created and first.org_units_created == 2 and first.periods_created == 3
    second = await apply_spec(load_tenant_file(path))
    assert not second.created
    assert (second.org_units_created, second.org_units_updated, second.positions_created,
            second.periods_created) == (0, 0, 0, 0)
    tenant = (await rows(Tenant, None, slug="kabupaten-uji"))[0]
    units = await rows(OrgUnit, tenant.id)
    assert len(units) == 2
    child = next(u for u in units if u.code == "DINKES-P2P")
    assert child.parent_id == next(u.id for u in units if u.code == "DINKES")
    # A renamed unit is updated in place.
    path.write_text(GOOD.format(slug="kabupaten-uji").replace("Bidang P2P", "Bidang Pencegahan Penyakit"))
    third = await apply_spec(load_tenant_file(path))
    assert third.org_units_updated == 1
    assert len(await rows(OrgUnit, tenant.id)) == 2


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (('kind = "DINAS"', 'kind = "DINASTI"'), 12, "org_units[0].kind", "must be one of"),
        (('parent = "DINKES"', 'parent = "NOPE"'), 18, "org_units[1].parent", "no org unit with code 'NOPE'"),
        (('name = "Dinas Kesehatan"\n', ''), 9, "org_units[0].name", "is required"),
        (('period_scheme = "SEMESTER"', 'period_scheme = "YEARLY"'), 7, "settings.period_scheme", "must be one of"),
        (('period_scheme = "SEMESTER"', 'colour = "blue"'), 7, "settings.colour", "unknown setting"),
        (('period_scheme = "SEMESTER"', 'persisted_documents_only = "yes"'), 7, "settings.persisted_documents_only",
         "must be true or false"),
        (('kind = "JPT"', 'kind = 3'), 22, "positions[0].kind", "must be a non-empty string"),
        (('code = "DINKES-P2P"', 'code = "DINKES"'), 15, "org_units[1].code", "duplicate org unit code"),
        (('slug = "kabupaten-salah"', 'slug = "Kabupaten Salah"'), 1, "slug", "lowercase"),
        (('name = "Kabupaten Uji"', 'name = "Kabupaten Uji'), 2, "(syntax)", ""),
        # Peraturan BKN 3/2023: the coefficient follows from the jenjang, rule data per year
        (('kind = "JPT"', 'kind = "FUNGSIONAL"\ncredit_coefficient = 12.5'), 23, "positions[0].credit_coefficient",
         "replaced by level"),
        (('kind = "JPT"', 'kind = "JPT"\nlevel = "AHLI_MUDA"'), 23, "positions[0].level", "only functional"),
        (('kind = "JPT"', 'kind = "FUNGSIONAL"\nlevel = "AHLI_SEPUH"'), 23, "positions[0].level", "must be one of"),
        (('period_scheme = "SEMESTER"', 'objection_days = 0'), 7, "settings.objection_days", "whole number"),
    ],
)
async def test_malformed_file_names_file_line_and_field_and_changes_nothing(tmp_path, change, line, field, message):
    text = GOOD.format(slug="kabupaten-salah").replace(*change)
    path = _write(tmp_path, "kabupaten-salah", text)
    with pytest.raises(SpecError) as caught:
        load_tenant_file(path)
    error = caught.value
    assert (error.path, error.line, error.field_path) == (str(path), line, field)
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: {field}: ")
    assert await rows(Tenant, None, slug="kabupaten-salah") == []


def test_cli_reports_the_error_and_exits_nonzero(tmp_path):
    path = _write(tmp_path, "kabupaten-cli", GOOD.format(slug="kabupaten-cli").replace('kind = "JPT"', 'kind = "RAJA"'))
    result = subprocess.run([sys.executable, "-m", "kinerja", "tenants", "apply", str(path)],
                            capture_output=True, text=True, env={**os.environ, "DATABASE_URL": ""})
    assert result.returncode != 0
    assert f"{path}:22: positions[0].kind: must be one of" in result.stderr


def test_shipped_tenant_files_are_valid():
    specs = [load_tenant_file(p) for p in sorted(tenants_dir().glob("*.toml"))]
    assert {s.slug for s in specs} == {"tebingtinggi", "bungo", "samarinda", "tangerang-selatan", "nanggalo"}


async def test_periods_follow_the_tenant_scheme(tmp_path):
    tenant = (await rows(Tenant, None, slug="bungo"))[0]  # SEMESTER scheme
    periods = await rows(Period, tenant.id, year=2026)
    assert sorted((p.kind.value, p.sequence) for p in periods) == [("ANNUAL", 1), ("SEMESTER", 1), ("SEMESTER", 2)]
    assert await rows(Position, tenant.id, name="Kepala Dinas")
