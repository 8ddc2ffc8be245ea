"""The schema as a client's tools read it (introspection over HTTP): custom scalars name their
specification, and every type, field, argument and enum value says what it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.asyncio

SCHEMA = """{ __schema { types {
  name kind description specifiedByURL
  fields(includeDeprecated: true) { name description args { name description }
    type { kind name ofType { kind name ofType { kind name } } } }
  inputFields { name description type { kind name ofType { kind name } } }
  enumValues(includeDeprecated: true) { name description }
} } }"""


async def _types(client) -> dict[str, dict]:
    response = await client.post("/graphql", json={"query": SCHEMA})
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()["data"]["__schema"]["types"]}


async def test_custom_scalars_name_their_specification(client):
    types = await _types(client)
    custom = {name: t for name, t in types.items() if t["kind"] == "SCALAR"
              and name not in {"String", "Int", "Float", "Boolean", "ID"}}
    assert set(custom) == {"Date", "DateTime", "Decimal", "JSON"}
    for name, scalar in custom.items():
        assert scalar["specifiedByURL"].startswith("https://"), name
        assert scalar["description"], name
    assert "rfc3339" in custom["Date"]["specifiedByURL"] and "rfc3339" in custom["DateTime"]["specifiedByURL"]


async def test_every_type_field_argument_and_enum_value_is_described(client):
    types = await _types(client)
    undocumented = []
    for name, t in types.items():
        if name.startswith("__") or t["kind"] == "SCALAR" and name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not t["description"]:
            undocumented.append(name)
        for field in (t["fields"] or []) + (t["inputFields"] or []):
            if not field["description"]:
                undocumented.append(f"{name}.{field['name']}")
            undocumented += [f"{name}.{field['name']}({a['name']})" for a in field.get("args") or []
                             if not a["description"]]
        undocumented += [f"{name}.{v['name']}" for v in t["enumValues"] or [] if not v["description"]]
    assert undocumented == [], f"{len(undocumented)} undocumented: {undocumented}"


async def test_enum_values_of_the_fixed_value_fields(api):
    """Fixed-value fields are enums (codegen types them), read the same compiled and field by field."""
    types = await _types(api.client)
    fields = {t["name"]: {f["name"]: f for f in t["fields"] or []} for t in types.values()}
    assert {v["name"] for v in types["PlanEventKind"]["enumValues"]} >= {"PLAN_SUBMITTED", "FEEDBACK_GIVEN"}
    fields["SetRecommendationRuleInput"] = {f["name"]: f for f in types["SetRecommendationRuleInput"]["inputFields"]}
    for type_name, field_name in (("PlanEvent", "kind"), ("PlanEvent", "status"), ("StatusCount", "status"),
                                  ("PermissionInfo", "scope"), ("PermissionInfo", "object"),
                                  ("PermissionInfo", "action"), ("GuideBreach", "kind"),
                                  ("TrainingRecommendation", "reason"), ("RecommendationRule", "trigger"),
                                  ("SetRecommendationRuleInput", "trigger"), ("PredicateCell", "predicate"),
                                  ("IkmReport", "weighting"), ("PublicFollowUpAction", "status")):
        field_type = fields[type_name][field_name]["type"]
        while field_type["kind"] == "NON_NULL":
            field_type = field_type["ofType"]
        assert field_type["kind"] == "ENUM", (type_name, field_name, field_type)
    token = await api.token("bungo", "admin")
    data = await api.ok("{ permissionCatalogue { key object action scope } }", token=token)
    entry = next(p for p in data["permissionCatalogue"] if p["key"] == "unit_performance:write:unit")
    assert (entry["object"], entry["action"], entry["scope"]) == ("UNIT_PERFORMANCE", "WRITE", "UNIT")
