"""The schema as a client's tools read it (introspection over HTTP): custom scalars name their
specification, and every type, field, argument and enum value says what it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.asyncio

SCHEMA = """{ __schema { types {
  name kind description specifiedByURL
  fields(includeDeprecated: true) { name description args { name description } }
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
