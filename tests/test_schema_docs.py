"""The schema as a client's tools read it (introspection over HTTP): custom scalars name their
specification, and every type, field, argument and enum value says what it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.asyncio

SCHEMA = """{ __schema { types {
  name kind description specifiedByURL
  fields(includeDeprecated: true) { name description args { name description }
    type { kind name ofType { kind name ofType { kind name } } } }
  inputFields { name description }
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


# Areas whose GraphQL types are being rewritten on other branches (reads described for the compiler):
# their types, fields and enum values are skipped here until those branches are merged, then this
# list is removed and the test covers the whole schema.
PENDING_AREAS = ("kinerja.evaluations", "kinerja.training", "kinerja.citizen")


def _owner(schema, type_name: str, field_name: str | None = None) -> str:
    """The module that declares a type (or one of its fields: root types merge several areas')."""
    definition = schema.get_type_by_name(type_name)
    definition = getattr(definition, "__strawberry_definition__", definition)
    if field_name is not None:
        for field in getattr(definition, "fields", ()):
            if schema.config.name_converter.get_graphql_name(field) == field_name:
                return getattr(field.origin, "__module__", "")
    origin = getattr(definition, "origin", None) or getattr(definition, "wrapped_cls", None)
    return getattr(origin, "__module__", "")


def _pending(schema, type_name: str, field_name: str | None = None) -> bool:
    return _owner(schema, type_name, field_name).startswith(PENDING_AREAS)


async def test_every_type_field_argument_and_enum_value_is_described(client):
    from kinerja.api.schema import schema

    types = await _types(client)
    undocumented = []
    for name, t in types.items():
        if name.startswith("__") or t["kind"] == "SCALAR" and name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not t["description"] and not _pending(schema, name):
            undocumented.append(name)
        for field in (t["fields"] or []) + (t["inputFields"] or []):
            if _pending(schema, name, field["name"]):
                continue
            if not field["description"]:
                undocumented.append(f"{name}.{field['name']}")
            undocumented += [f"{name}.{field['name']}({a['name']})" for a in field.get("args") or []
                             if not a["description"]]
        if not _pending(schema, name):
            undocumented += [f"{name}.{v['name']}" for v in t["enumValues"] or [] if not v["description"]]
    assert undocumented == [], f"{len(undocumented)} undocumented: {undocumented}"


async def test_the_skipped_areas_are_only_the_pending_ones(client):
    """The skip list names areas, never a type of another area: every skipped type is declared there."""
    from kinerja.api.schema import schema

    types = await _types(client)
    skipped = {name for name in types if not name.startswith("__") and _pending(schema, name)}
    assert skipped, "nothing pending any more: remove PENDING_AREAS"
    assert all(_owner(schema, name).split(".")[1] in {"evaluations", "training", "citizen"} for name in skipped)


async def test_enum_values_of_the_fixed_value_fields(api):
    """Fixed-value fields are enums (codegen types them), read the same compiled and field by field."""
    types = await _types(api.client)
    fields = {t["name"]: {f["name"]: f for f in t["fields"] or []} for t in types.values()}
    assert {v["name"] for v in types["PlanEventKind"]["enumValues"]} >= {"PLAN_SUBMITTED", "FEEDBACK_GIVEN"}
    for type_name, field_name in (("PlanEvent", "kind"), ("PlanEvent", "status"), ("StatusCount", "status"),
                                  ("PermissionInfo", "scope"), ("PermissionInfo", "object"),
                                  ("PermissionInfo", "action")):
        field_type = fields[type_name][field_name]["type"]
        while field_type["kind"] == "NON_NULL":
            field_type = field_type["ofType"]
        assert field_type["kind"] == "ENUM", (type_name, field_name, field_type)
    token = await api.token("bungo", "admin")
    data = await api.ok("{ permissionCatalogue { key object action scope } }", token=token)
    entry = next(p for p in data["permissionCatalogue"] if p["key"] == "unit_performance:write:unit")
    assert (entry["object"], entry["action"], entry["scope"]) == ("UNIT_PERFORMANCE", "WRITE", "UNIT")
