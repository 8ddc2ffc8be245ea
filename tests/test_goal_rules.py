"""The rules of organisation performance are data of each tenant and year, with their source, from the
tenant files: applied by provisioning, checked where they are read and where they are applied."""

from __future__ import annotations

import pytest
from conftest import rows
from test_tenant_files import GOOD, _write

from kinerja.core.paths import tenants_dir
from kinerja.goals.models import GoalRule
from kinerja.goals.rules import Aggregation, IndicatorKind, UnitRatingSuggestion, rules_from
from kinerja.provisioning.apply import GoalRulesInvalid, apply_spec
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.spec import SpecError, load_tenant_file

RULES = """
[[goal_rules]]
year = 2026
source = "Peraturan Bupati Uji 1/2026 tentang pengukuran kinerja"
cap_percent = 115

[goal_rules.aggregation]
COUNT = "MAX"

[goal_rules.thresholds]
ISTIMEWA = 105
BAIK = 85
BUTUH_PERBAIKAN = 65
KURANG = 40
"""


async def test_every_demo_tenant_has_its_rules_with_their_source():
    for tenant in await rows(Tenant, None):
        if tenant.slug == "platform" or tenant.slug not in {p.stem for p in tenants_dir().glob("*.toml")}:
            continue
        stored = {r.year: r for r in await rows(GoalRule, tenant.id)}
        assert set(stored) >= {2025, 2026}, tenant.slug
        assert all(r.source for r in stored.values())
    bungo = (await rows(Tenant, None, slug="bungo"))[0]
    assert rules_from((await rows(GoalRule, bungo.id, year=2026))[0].rules).cap_percent == 110


async def test_a_tenant_file_sets_the_rules_of_a_year_and_applying_again_replaces_them(tmp_path):
    path = _write(tmp_path, "kabupaten-iku", GOOD.format(slug="kabupaten-iku") + RULES)
    await apply_spec(load_tenant_file(path))
    tenant = (await rows(Tenant, None, slug="kabupaten-iku"))[0]
    [stored] = await rows(GoalRule, tenant.id)
    rules = rules_from(stored.rules)
    assert (stored.year, stored.source) == (2026, "Peraturan Bupati Uji 1/2026 tentang pengukuran kinerja")
    assert rules.cap_percent == 115 and rules.aggregation[IndicatorKind.COUNT] is Aggregation.MAX
    assert rules.aggregation[IndicatorKind.PERCENTAGE] is Aggregation.LAST  # the default where the file is silent
    assert rules.thresholds[UnitRatingSuggestion.BAIK] == 85
    path.write_text(GOOD.format(slug="kabupaten-iku") + RULES.replace("cap_percent = 115", "cap_percent = 120"))
    await apply_spec(load_tenant_file(path))
    [stored] = await rows(GoalRule, tenant.id)
    assert rules_from(stored.rules).cap_percent == 120


@pytest.mark.parametrize(("change", "field"), [
    (("year = 2026", "year = 1900"), "goal_rules[0].year"),
    (('source = "Peraturan Bupati Uji 1/2026 tentang pengukuran kinerja"\n', ""), "goal_rules[0].source"),
    (("cap_percent = 115", "cap_percent = \"banyak\""), "goal_rules[0].cap_percent"),
    (("cap_percent = 115", "colour = 1"), "goal_rules[0].colour"),
])
def test_a_malformed_rule_names_its_field(tmp_path, change, field):
    path = _write(tmp_path, "kabupaten-rusak", GOOD.format(slug="kabupaten-rusak") + RULES.replace(*change))
    with pytest.raises(SpecError) as caught:
        load_tenant_file(path)
    assert caught.value.field_path == field


@pytest.mark.parametrize("change", [('COUNT = "MAX"', 'COUNT = "MEDIAN"'), ("BAIK = 85", "BAIK = 120"),
                                    ("cap_percent = 115", "cap_percent = 50")])
async def test_rules_that_mean_nothing_are_refused_when_applied(tmp_path, change):
    path = _write(tmp_path, "kabupaten-makna", GOOD.format(slug="kabupaten-makna") + RULES.replace(*change))
    with pytest.raises(GoalRulesInvalid):
        await apply_spec(load_tenant_file(path))
    assert await rows(Tenant, None, slug="kabupaten-makna") == []
