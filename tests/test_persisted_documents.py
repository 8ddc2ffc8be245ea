"""Persisted documents as graphql-codegen's client preset writes them: the manifest
(``{sha256 hex: document}``) of schema/operations/ ships as schema/persisted-documents.json, more
manifests come from KINERJA_PERSISTED_DOCUMENTS; ``documentId`` (hex or ``sha256:hex``) or Apollo's
``extensions.persistedQuery`` answers on both backends and both execution paths; an unknown id is
PERSISTED_QUERY_NOT_FOUND; a tenant may accept persisted documents only."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import httpx
import pytest
import websockets
from conftest import error_codes, rows

from kinerja.api.trusted import TrustedDocuments, canonical
from kinerja.app import create_app
from kinerja.core.paths import operations_dir, persisted_manifest

MANIFEST = json.loads(persisted_manifest().read_text())
GRAPHQL_RESPONSE = "application/graphql-response+json"


async def _post(client, body, token=None, accept=None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if accept:
        headers["accept"] = accept
    return await client.post("/graphql", json=body, headers=headers)


def _variables(document: str, employees_first=3) -> dict:
    return {"first": employees_first} if "EmployeeList" in document else None


def test_the_bundled_manifest_covers_schema_operations_with_codegens_hashes():
    """Every file of schema/operations/ is in the manifest, and every id is the SHA-256 of its
    document (tests/test_clients.py regenerates the manifest with codegen and compares)."""
    names = {path.stem for path in operations_dir().glob("*.graphql")}
    assert {document.split("(")[0].split()[1] for document in MANIFEST.values()} == names
    for document_id, document in MANIFEST.items():
        assert hashlib.sha256(document.encode()).hexdigest() == document_id


@pytest.mark.parametrize("path", ["compiled", "resolvers"])
async def test_every_codegen_id_answers_like_its_text(api, client, resolvers, path):
    token = await api.token("bungo", "bkpsdm")
    target = client if path == "compiled" else resolvers.client
    employee_list = next(i for i, d in MANIFEST.items() if d.startswith("query EmployeeList"))
    document = MANIFEST[employee_list]
    by_text = (await _post(target, {"query": document, "variables": {"first": 3}}, token)).json()
    assert "errors" not in by_text and by_text["data"]["employees"]["edges"]
    legacy_id = "sha256:" + hashlib.sha256(canonical((operations_dir() / "EmployeeList.graphql").read_text())
                                           .encode()).hexdigest()
    for body in ({"documentId": employee_list}, {"documentId": f"sha256:{employee_list}"},
                 {"documentId": legacy_id, "operationName": "EmployeeList"},
                 {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": employee_list}}}):
        response = await _post(target, {**body, "variables": {"first": 3}}, token)
        assert response.status_code == 200 and response.json() == by_text, body
    # Every manifest entry runs (no unknown id, no 400) whatever the document needs.
    for document_id in MANIFEST:
        response = await _post(target, {"documentId": document_id, "variables": {"first": 2, "id": "x",
                                                                               "periodId": "x"}}, token)
        assert response.status_code == 200, response.text
        assert "PERSISTED_QUERY_NOT_FOUND" not in error_codes(response.json())


async def test_an_unknown_id_is_persisted_query_not_found(api, client):
    token = await api.token("bungo", "bkpsdm")
    unknown = hashlib.sha256(b"query Unknown { viewer { id } }").hexdigest()
    for body in ({"documentId": unknown}, {"documentId": f"sha256:{unknown}"},
                 {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": unknown}}}):
        legacy = await _post(client, body, token)
        assert legacy.status_code == 200 and legacy.json()["data"] is None
        assert error_codes(legacy.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        strict = await _post(client, body, token, accept=GRAPHQL_RESPONSE)
        assert strict.status_code == 404 and "data" not in strict.json()
        assert error_codes(strict.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert unknown not in strict.text  # the submitted value is not echoed


def _manifest(tmp_path, documents: list[str], name="persisted-documents.json"):
    path = tmp_path / name
    path.write_text(json.dumps({hashlib.sha256(d.encode()).hexdigest(): d for d in documents}))
    return path


async def test_a_deployments_manifest_is_accepted_and_checked(api, database, tmp_path):
    document = "query MyPlans { performancePlans(first: 5) { nodes { year status } } }"
    path = _manifest(tmp_path, [document])
    app = create_app(dataclasses.replace(database, persisted_documents=(str(path),)), manage_db=False)
    token = await api.token("bungo", "pegawai")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await _post(client, {"documentId": hashlib.sha256(document.encode()).hexdigest()}, token)
        by_text = await _post(client, {"query": document}, token)
    assert response.status_code == 200 and response.json() == by_text.json()
    assert response.json()["data"]["performancePlans"]["nodes"]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"0" * 64: document}))
    with pytest.raises(ValueError, match="forged.json.*not the SHA-256"):
        TrustedDocuments(manifests=[forged])
    broken = _manifest(tmp_path, ["query {"], "broken.json")
    with pytest.raises(ValueError, match="broken.json.*not a GraphQL document"):
        TrustedDocuments(manifests=[broken])


@pytest.fixture
async def persisted_only_tenant(api):
    """nanggalo restricted to persisted documents (as `persisted_documents_only = true` in its tenant
    file sets it), with tokens taken before; restored afterwards."""
    from kinerja.core.db import tenant_transaction
    from kinerja.tenancy.models import Tenant
    from kinerja.tenancy.origins import origin_index

    tokens = {user: await api.token("nanggalo", user) for user in ("pegawai", "admin")}
    [tenant] = await rows(Tenant, None, slug="nanggalo")
    before = dict(tenant.settings or {})
    async with tenant_transaction(None):
        await Tenant.filter(id=tenant.id).update(settings={**before, "persisted_documents_only": True})
    origin_index.invalidate()
    yield tokens
    async with tenant_transaction(None):
        await Tenant.filter(id=tenant.id).update(settings=before)
    origin_index.invalidate()


async def test_a_tenant_restricted_to_persisted_documents_runs_only_those(api, client, persisted_only_tenant):
    admin = persisted_only_tenant["admin"]
    employee_list = next(i for i, d in MANIFEST.items() if d.startswith("query EmployeeList"))
    text = (operations_dir() / "EmployeeList.graphql").read_text()
    by_id = await _post(client, {"documentId": employee_list, "variables": {"first": 2}}, admin)
    assert by_id.status_code == 200 and by_id.json()["data"]["employees"]["edges"]
    by_text = await _post(client, {"query": text, "variables": {"first": 2}}, admin)  # a registered text
    assert by_text.json() == by_id.json()
    for document in ("{ viewer { username } }", "query($n: Int) { employees(first: $n) { nodes { name } } }"):
        for _ in range(2):  # the second time the compiled read is known: still refused
            refused = await _post(client, {"query": document, "variables": {"n": 2}}, admin)
            assert refused.json()["data"] is None and error_codes(refused.json()) == ["FORBIDDEN"]
            assert "persisted documents only" in refused.json()["errors"][0]["message"]
    # Operations naming the tenant are held to it too; other tenants are not.
    login = ('mutation { login(input: {tenant: "nanggalo", username: "pegawai", password: "x"}) '
             '{ accessToken } }')
    assert error_codes((await _post(client, {"query": login})).json()) == ["FORBIDDEN"]
    other = await api.token("bungo", "pegawai")
    assert (await _post(client, {"query": "{ viewer { username } }"}, other)).json()["data"]["viewer"]


async def test_the_restriction_holds_on_websockets(api, persisted_only_tenant, database, tmp_path):
    from conftest import running_server

    pegawai = persisted_only_tenant["pegawai"]
    async with running_server(database, 1, tmp_path / "server.log") as base:
        async with websockets.connect(base.replace("http", "ws") + "/graphql",
                                      subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {pegawai}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { username } }"}}))
            message = json.loads(await ws.recv())
    assert message["type"] == "next" and message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["FORBIDDEN"]
