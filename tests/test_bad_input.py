"""Bad input over HTTP: bodies that are not one JSON object, invalid UTF-8, JSON nested too deep,
documents with several operations and no operationName, out-of-range public numbers, and error
messages that never carry the submitted values back."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
from conftest import error_codes

from kinerja.app import create_app
from kinerja.core.ids import to_global_id

MARKER = "S3cr3t-Marker"
BAD_BODIES = [
    ("a JSON string", b'"{ viewer { id } }"'),
    ("a JSON number", b"42"),
    ("JSON null", b"null"),
    ("JSON true", b"true"),
    ("an empty array", b"[]"),
    ("a batch (not enabled)", b'[{"query": "{ __typename }"}]'),
    ("invalid UTF-8 in a string", b'{"query": "{ __typename }", "variables": {"s": "\xff\xfe"}}'),
    ("invalid UTF-8 outside strings", b'{"query": "{ __typename }"\xc3}'),
    ("a lone surrogate", b'{"query": "{ __typename }", "variables": {"s": "\\ud800"}}'),
    ("arrays nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
    ("variables nested 40 deep", b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 40 + b"1" + b"}" * 41),
    ("operationName not a string", b'{"query": "{ __typename }", "operationName": 5}'),
    ("query not a string", b'{"query": ["{ __typename }"]}'),
    ("variables not an object", b'{"query": "{ __typename }", "variables": "x"}'),
    ("truncated JSON", b'{"query": "{ __typename }"'),
]


@pytest.mark.parametrize("body", [b for _, b in BAD_BODIES], ids=[w for w, _ in BAD_BODIES])
async def test_a_body_that_is_not_one_json_object_is_400_with_a_graphql_error(client, body):
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    answer = response.json()
    assert list(answer) == ["errors"] and error_codes(answer) == ["BAD_USER_INPUT"], answer
    assert "\ufffd" not in response.text and "ud800" not in response.text


async def test_json_nested_within_the_limit_is_accepted(client):
    nested = {"a": 1}
    for _ in range(20):
        nested = {"a": nested}
    response = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"v": nested}})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


TWO_OPERATIONS = ('query Look { roles { name } } '
                  'mutation Make { createRole(input: {name: "two-ops", permissions: []}) { userErrors { code } } }')


async def test_several_operations_without_operation_name_run_nothing(api):
    token = await api.token("bungo", "admin")
    for document in (TWO_OPERATIONS, "mutation Make { createRole(input: {name: \"two-ops\", permissions: []}) "
                                     "{ userErrors { code } } } query Look { roles { name } }"):
        body = await api.post(document, token=token)
        assert body["data"] is None and error_codes(body) == ["BAD_USER_INPUT"], body
        assert "operationName" in body["errors"][0]["message"]
    names = {r["name"] for r in (await api.ok("{ roles { name } }", token=token))["roles"]}
    assert "two-ops" not in names
    # Named, only that operation runs.
    response = await api.client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Look"},
                                     headers={"authorization": f"Bearer {token}"})
    assert "roles" in response.json()["data"] and "createRole" not in response.json()["data"]
    assert "two-ops" not in {r["name"] for r in (await api.ok("{ roles { name } }", token=token))["roles"]}
    response = await api.client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Nope"},
                                     headers={"authorization": f"Bearer {token}"})
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("year", [-1, 0, 1, 1999, 2101, 9999, 10000, 99999, 2147483647, -2147483648])
async def test_out_of_range_report_years_are_bad_input(api, year):
    body = await api.post("query($y: Int!) { publicReport(tenant: \"bungo\", year: $y) { year } }", {"y": year})
    assert body["data"] is None and error_codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"].get("field") == "year"


@pytest.mark.parametrize("year", ["-1", "0", "0000", "1999", "2101", "9999", "10000", "99999999999999999999999",
                                  "２０２６", "2026.0", "1e3", "%00"])
async def test_out_of_range_report_csv_years_are_not_found(client, year):
    response = await client.get(f"/public/bungo/report/{year}.csv")
    assert response.status_code == 404, response.text[:200]


async def test_a_report_csv_of_a_real_year_is_served(client):
    response = await client.get("/public/bungo/report/2026.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


@pytest.fixture
async def production(database):
    app = create_app(dataclasses.replace(database, mode="production", introspection=False, graphiql=False,
                                         cors_origins=()), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }"
RECORD_TRAINING = "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { userErrors { code message } } }"
CREATE_ROLE = "mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { field code message } } }"
ECHOES = [
    ("a password beside a missing field", LOGIN, {"i": {"tenant": "bungo", "password": MARKER}}),
    ("a password of the wrong type", LOGIN, {"i": {"tenant": "bungo", "username": "x", "password": [MARKER]}}),
    ("an unknown enum value", RECORD_TRAINING, {"i": {"title": "x", "kind": MARKER, "startsOn": "2026-01-01",
                                                      "endsOn": "2026-01-02", "jp": 2}}),
    ("a date", RECORD_TRAINING, {"i": {"title": "x", "kind": "WORKSHOP", "startsOn": MARKER,
                                       "endsOn": "2026-01-02", "jp": 2}}),
    ("an Int", RECORD_TRAINING, {"i": {"title": "x", "kind": "WORKSHOP", "startsOn": "2026-01-01",
                                       "endsOn": "2026-01-02", "jp": MARKER}}),
    ("an ID object", "query($id: ID!) { node(id: $id) { id } }", {"id": {"k": MARKER}}),
    ("a global id", "query($id: ID!) { node(id: $id) { id } }", {"id": MARKER}),
    ("a global id of a type", "query($id: ID!) { performancePlan(id: $id) { id } }",
     {"id": to_global_id("Employee", "00000000-0000-0000-0000-000000000000")[:-2] + MARKER}),
    ("an unknown input field", CREATE_ROLE, {"i": {"name": "x", "permissions": [], MARKER: 1}}),
    ("an unknown permission", CREATE_ROLE, {"i": {"name": "x", "permissions": [MARKER]}}),
    ("a literal in the document", f"{{ employees(first: \"{MARKER}\") {{ totalCount }} }}", {}),
    ("an enum literal in the document", f"{{ trainingRecords(filter: {{status: {MARKER.replace('-', '_')}}}) {{ totalCount }} }}", {}),
]


@pytest.mark.parametrize(("what", "query", "variables"), ECHOES, ids=[e[0] for e in ECHOES])
async def test_production_messages_never_carry_submitted_values(api, production, what, query, variables):
    token = await api.token("bungo", "admin")
    response = await production.post("/graphql", json={"query": query, "variables": variables},
                                      headers={"authorization": f"Bearer {token}"})
    assert response.status_code in (200, 400), response.text[:300]
    marker = MARKER.replace("-", "_") if "enum literal" in what else MARKER
    assert marker not in response.text, response.text[:500]
    body = json.loads(response.text)
    assert body.get("errors") or any(v.get("userErrors") for v in (body.get("data") or {}).values()), body


async def test_duplicate_names_are_not_echoed(api):
    token = await api.token("bungo", "admin")
    name = "echo-check"
    first = await api.ok(CREATE_ROLE, {"i": {"name": name, "permissions": []}}, token)
    assert first["createRole"]["userErrors"] == []
    again = (await api.ok(CREATE_ROLE, {"i": {"name": name, "permissions": []}}, token))["createRole"]
    assert again["userErrors"][0]["code"] == "CONFLICT" and name not in again["userErrors"][0]["message"]
