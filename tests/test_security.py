"""Attacks through the HTTP endpoint: forged tokens, a tenant named anywhere but in the verified
token, concurrent tenants over a tiny pool, caches and loaders keyed by tenant, and bad input of
every kind, which must answer BAD_USER_INPUT or NOT_FOUND, never a server error.

Covered elsewhere: alg none, wrong key, expiry, audience, a missing tenant claim and a tampered
signature (test_auth.test_forged_tokens_are_rejected); a revoked role stops access on the next
request in every worker process (test_policy_workers.test_revoke_reaches_every_worker_within_a_second,
and test_roles for one process).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import httpx
import jwt
import pytest
from conftest import DEMO_PASSWORD, error_codes, rows, running_server

from kinerja.auth.tokens import AUDIENCE, ISSUER
from kinerja.core.ids import to_global_id
from kinerja.org.models import Employee, OrgUnit
from kinerja.tenancy.models import Tenant

VIEWER = "{ viewer { username tenant { slug } } }"
SAFE_CODES = {"BAD_USER_INPUT", "NOT_FOUND"}


async def _tenant(slug: str) -> Tenant:
    return (await rows(Tenant, None, slug=slug))[0]


def _claims(user_id, tenant_id, **changes) -> dict:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return {"sub": str(user_id), "tid": str(tenant_id), "aud": AUDIENCE, "iss": ISSUER, "iat": now,
            "exp": now + 600, **changes}


def _server_errors(body: dict) -> list[dict]:
    return [e for e in body.get("errors") or [] if e.get("extensions", {}).get("code") in (None, "INTERNAL_SERVER_ERROR")]


# --- tokens ---------------------------------------------------------------------------------------

async def test_tokens_with_another_issuer_algorithm_or_bad_claims_are_rejected(api, database):
    real = jwt.decode(await api.token("bungo", "admin"), options={"verify_signature": False})
    key = database.secret_key
    forgeries = {
        "other issuer": jwt.encode({**real, "iss": "someone-else"}, key, algorithm="HS256"),
        "no issuer": jwt.encode({k: v for k, v in real.items() if k != "iss"}, key, algorithm="HS256"),
        "HS512 with the real key": jwt.encode(real, key, algorithm="HS512"),
        "alg none, upper case": _unsigned(real, "NONE"),
        "alg none, no signature": _unsigned(real, "none"),
        "not yet valid": jwt.encode({**real, "iat": real["iat"], "nbf": real["exp"] + 3600}, key, algorithm="HS256"),
        "subject not a uuid": jwt.encode({**real, "sub": "admin"}, key, algorithm="HS256"),
        "tenant not a uuid": jwt.encode({**real, "tid": "samarinda"}, key, algorithm="HS256"),
        "tenant as a list": jwt.encode({**real, "tid": [real["tid"]]}, key, algorithm="HS256"),
    }
    for what, token in forgeries.items():
        body = await api.post(VIEWER, token=token)
        assert error_codes(body) == ["UNAUTHENTICATED"], what


def _unsigned(claims: dict, alg: str) -> str:
    import base64
    import json

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}."


async def test_a_validly_signed_token_pairing_a_user_with_another_tenant_gets_nothing(api, database):
    """Defence in depth: even a token signed with the real key cannot borrow a user into another
    tenant; the user is looked up inside the token's tenant only (no such account there)."""
    real = jwt.decode(await api.token("bungo", "admin"), options={"verify_signature": False})
    victim = await _tenant("samarinda")
    token = jwt.encode(_claims(real["sub"], victim.id), database.secret_key, algorithm="HS256")
    assert error_codes(await api.post(VIEWER, token=token)) == ["UNAUTHENTICATED"]
    body = await api.post("{ employees(first: 5) { totalCount nodes { id } } }", token=token)
    assert body["data"] is None and error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("header", ["x-tenant", "x-tenant-id", "tenant", "x-forwarded-host", "x-original-tenant"])
async def test_tenant_headers_change_nothing(api, header):
    token = await api.token("bungo", "bkpsdm")
    victim = await _tenant("samarinda")
    foreign = (await rows(Employee, victim.id))[0]
    spoof = {"authorization": f"Bearer {token}", header: "samarinda"}
    if header == "x-tenant-id":
        spoof[header] = str(victim.id)
    viewer = (await api.client.post("/graphql", json={"query": VIEWER}, headers=spoof)).json()
    assert viewer["data"]["viewer"]["tenant"]["slug"] == "bungo"
    node = (await api.client.post("/graphql", json={"query": "query($id: ID!) { node(id: $id) { id } }",
                                                    "variables": {"id": to_global_id("Employee", foreign.id)}},
                                  headers=spoof)).json()
    assert error_codes(node) == ["NOT_FOUND"]
    search = (await api.client.post("/graphql", json={
        "query": "query($s: String) { employees(first: 5, filter: {search: $s}) { totalCount } }",
        "variables": {"s": foreign.nip}}, headers=spoof)).json()
    assert search["data"]["employees"]["totalCount"] == 0


async def test_public_tenant_argument_does_not_widen_a_staff_token(api):
    """Public operations name a tenant by slug; with a staff token of another tenant they still show
    only public data, and tickets are tracked only inside the tenant that received them."""
    bungo = await api.token("bungo", "admin")
    samarinda = await api.token("samarinda", "admin")
    inbox = await api.ok("{ citizenFeedback(first: 1) { nodes { code } } }", token=samarinda)
    code = inbox["citizenFeedback"]["nodes"][0]["code"]
    tracked = await api.post("query($c: String!) { feedbackTicket(tenant: \"bungo\", code: $c) { status } }",
                             {"c": code}, bungo)
    assert error_codes(tracked) == ["NOT_FOUND"]
    # A public operation naming another tenant cannot run alongside the staff inbox: refused whole.
    both = await api.post("{ publicServices(tenant: \"samarinda\") { id } citizenFeedback(first: 100) "
                          "{ nodes { code } } }", token=bungo)
    assert both["data"] is None and error_codes(both) == ["BAD_USER_INPUT"]
    inbox = await api.ok("{ citizenFeedback(first: 100) { nodes { code } } }", token=bungo)
    assert code not in {n["code"] for n in inbox["citizenFeedback"]["nodes"]}


# --- concurrency and caches -----------------------------------------------------------------------

TENANT_VIEW = ("{ viewer { username tenant { slug } permissions } "
               "employees(first: 30) { totalCount nodes { id nip orgUnit { code name } } } }")


async def test_two_tenants_interleaved_over_a_pool_of_two_never_mix(database, tmp_path):
    async with running_server(database, 1, tmp_path / "server.log", env={"KINERJA_DB_POOL_SIZE": "2"}) as base, \
            httpx.AsyncClient(base_url=base, timeout=60) as http:
        tokens = {}
        for slug in ("tebingtinggi", "tangerang-selatan"):
            login = await http.post("/graphql", json={
                "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": {"i": {"tenant": slug, "username": "bkpsdm", "password": DEMO_PASSWORD}}})
            tokens[slug] = login.json()["data"]["login"]["accessToken"]

        async def view(slug):
            response = await http.post("/graphql", json={"query": TENANT_VIEW},
                                       headers={"authorization": f"Bearer {tokens[slug]}"})
            return slug, response.json()

        expected = {slug: (await view(slug))[1] for slug in tokens}
        assert "errors" not in expected["tebingtinggi"] and "errors" not in expected["tangerang-selatan"]
        assert expected["tebingtinggi"]["data"] != expected["tangerang-selatan"]["data"]
        for _round in range(4):
            answers = await asyncio.gather(*[view(slug) for _ in range(15) for slug in tokens])
            for slug, body in answers:
                assert body == expected[slug]


async def test_permission_cache_keeps_same_named_roles_of_two_tenants_apart(api):
    """The enforcer registry caches per tenant: one role name with different permissions in two
    tenants, held by users of both, resolves to each tenant's own grants."""
    grants = {"bungo": ["training:verify:tenant"], "nanggalo": ["ikm:read:tenant"]}
    holders = {"bungo": "kepala", "nanggalo": "kepala"}
    for slug, permissions in grants.items():
        admin = await api.token(slug, "admin")
        created = await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code message } } }",
                               {"i": {"name": "peninjau-silang", "permissions": permissions}}, admin)
        assert created["createRole"]["userErrors"] == []
        users = await api.ok("query($s: String) { users(filter: {search: $s}) { nodes { id username } } }",
                             {"s": holders[slug]}, admin)
        user_id = next(u["id"] for u in users["users"]["nodes"] if u["username"] == holders[slug])
        assigned = await api.ok("mutation($i: RoleAssignmentInput!) { assignRole(input: $i) { userErrors { code } } }",
                                {"i": {"userId": user_id, "role": "peninjau-silang"}}, admin)
        assert assigned["assignRole"]["userErrors"] == []
    views = await asyncio.gather(*[api.ok("{ viewer { permissions } }", token=await api.token(slug, holders[slug]))
                                   for slug in grants])
    permissions = {slug: set(v["viewer"]["permissions"]) for slug, v in zip(grants, views, strict=True)}
    assert "training:verify:tenant" in permissions["bungo"] and "ikm:read:tenant" not in permissions["bungo"]
    assert "ikm:read:tenant" in permissions["nanggalo"] and "training:verify:tenant" not in permissions["nanggalo"]


async def test_loaders_of_concurrent_requests_answer_each_tenant_its_own_rows(api):
    """Loaders live per request; the same unit codes exist in both tenants (DINKES, ...), and each
    answer names only its own tenant's units and employees."""
    slugs = ("bungo", "samarinda")
    query = "{ employees(first: 40) { nodes { id orgUnit { id code } } } orgUnits { id code } }"
    tokens = {slug: await api.token(slug, "bkpsdm") for slug in slugs}
    own_units = {}
    for slug in slugs:
        tenant = await _tenant(slug)
        own_units[slug] = {to_global_id("OrgUnit", u.id) for u in await rows(OrgUnit, tenant.id)}
    assert len({u.split(":")[0] for u in own_units["bungo"]}) > 0
    answers = await asyncio.gather(*[api.ok(query, token=tokens[slug]) for _ in range(6) for slug in slugs])
    for index, data in enumerate(answers):
        slug = slugs[index % 2]
        seen = {e["orgUnit"]["id"] for e in data["employees"]["nodes"]} | {u["id"] for u in data["orgUnits"]}
        assert seen <= own_units[slug]


# --- bad input --------------------------------------------------------------------------------------

MEGABYTE = "x" * (1024 * 1024)
BAD_INPUTS = [
    # strings
    ("huge search", "query($s: String) { employees(first: 5, filter: {search: $s}) { totalCount } }", {"s": MEGABYTE}),
    ("huge role name", "mutation($n: String!) { createRole(input: {name: $n}) { userErrors { code } } }",
     {"n": MEGABYTE}),
    ("huge ticket code", "query($c: String!) { feedbackTicket(tenant: \"bungo\", code: $c) { status } }",
     {"c": MEGABYTE}),
    ("huge tenant slug", "query($t: String!) { publicServices(tenant: $t) { id } }", {"t": MEGABYTE}),
    ("NUL in a string", "query($s: String) { employees(first: 5, filter: {search: $s}) { totalCount } }",
     {"s": "abc\x00def"}),
    ("huge cursor", "query($a: String) { employees(first: 5, after: $a) { totalCount } }", {"a": MEGABYTE}),
    ("garbage cursor", "query($a: String) { employees(first: 5, after: $a) { totalCount } }", {"a": "!!:::"}),
    # ids
    ("invalid global id", "query($id: ID!) { performancePlan(id: $id) { id } }", {"id": "not-an-id"}),
    ("huge global id", "query($id: ID!) { performancePlan(id: $id) { id } }", {"id": MEGABYTE}),
    ("global id of another type", "query($id: ID!) { performancePlan(id: $id) { id } }",
     {"id": to_global_id("Employee", uuid.uuid4())}),
    ("global id not a uuid", "query($id: ID!) { node(id: $id) { id } }", {"id": "RW1wbG95ZWU6MTIz"}),
    ("id filter of another type", "query($id: ID) { employees(first: 5, filter: {orgUnitId: $id}) { totalCount } }",
     {"id": to_global_id("PerformancePlan", uuid.uuid4())}),
    # numbers
    ("negative first", "{ employees(first: -1) { totalCount } }", {}),
    ("huge first", "{ employees(first: 2147483647) { totalCount } }", {}),
    ("first beyond Int", "{ employees(first: 2147483648) { totalCount } }", {}),
    ("year beyond the column", "{ periods(year: 2147483647) { id } }", {}),
    ("negative year", "{ periods(year: -40000) { id } }", {}),
    ("year in a mutation", "mutation { closePerformancePlans(input: {year: 99999}) { closed } }", {}),
    ("year in a filter", "{ trainingRecords(first: 5, filter: {year: -2147483648}) { totalCount } }", {}),
    ("float for Int", "{ employees(first: 1.5) { totalCount } }", {}),
    ("NaN for Int", "query($n: Int) { employees(first: $n) { totalCount } }", {"n": "NaN"}),
    ("huge survey scores", "mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) "
     "{ userErrors { code } } }", {"i": {"tenant": "bungo", "serviceId": to_global_id("Service", uuid.uuid4()),
                                         "scores": [2147483647] * 9}}),
    # dates
    ("invalid date", "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { userErrors { code } } }",
     {"i": {"title": "x", "kind": "DIKLAT", "startsOn": "2026-02-30", "endsOn": "2026-03-01", "jp": 2}}),
    ("date out of range", "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { userErrors { code } } }",
     {"i": {"title": "x", "kind": "DIKLAT", "startsOn": "99999-01-01", "endsOn": "0000-01-01", "jp": 2}}),
    ("date of another shape", "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { userErrors { code } } }",
     {"i": {"title": "x", "kind": "DIKLAT", "startsOn": 20260101, "endsOn": "yesterday", "jp": 2}}),
    ("far dates", "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { userErrors { code } } }",
     {"i": {"title": "x", "kind": "DIKLAT", "startsOn": "0001-01-01", "endsOn": "9999-12-31", "jp": 2147483647}}),
    # structure
    ("deep nesting", "{ orgUnits " + "{ children " * 40 + "{ id }" + " }" * 40 + " }", {}),
    ("deep nesting through fragments", "{ orgUnits { ...A } } fragment A on OrgUnit { children { ...B } } "
     "fragment B on OrgUnit { children { ...A } }", {}),
    ("deeply nested list for a string", "query($s: String) { employees(filter: {search: $s}) { totalCount } }",
     {"s": [[[[[[["x"]]]]]]]}),
    ("unknown enum", "{ trainingRecords(filter: {status: HACKED}) { totalCount } }", {}),
    ("variables not an object", "query($s: String) { employees(filter: {search: $s}) { totalCount } }", ["x"]),
]


@pytest.mark.parametrize(("what", "query", "variables"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_input_is_a_client_error_never_a_server_error(api, what, query, variables):
    token = await api.token("tebingtinggi", "admin")
    response = await api.client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 400:
        return  # refused before GraphQL execution (a malformed request)
    body = response.json()
    assert not _server_errors(body), body["errors"]
    codes = set(error_codes(body))
    payload_codes = {e["code"] for v in (body.get("data") or {}).values() if isinstance(v, dict)
                     for e in v.get("userErrors") or []}
    # Either refused as bad input / unknown, or harmlessly answered (an empty search, a capped page).
    assert codes <= SAFE_CODES and payload_codes <= SAFE_CODES | {"FORBIDDEN"}, (codes, payload_codes)


DECIMAL_ABUSE = ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "-1", "abc", "", "1" * 5000]


@pytest.mark.parametrize("value", DECIMAL_ABUSE, ids=[v[:12] or "empty" for v in DECIMAL_ABUSE])
async def test_bad_decimals_are_bad_user_input(api, value):
    """Targets and realisations are Decimal: NaN, infinities, overflow and garbage are refused."""
    token = await api.token("tebingtinggi", "pegawai")
    plans = await api.ok("{ performancePlans(first: 20) { nodes { status results { id indicators { id } } } } }",
                         token=token)
    indicators = [i["id"] for p in plans["performancePlans"]["nodes"] if p["status"] in ("DRAFT", "RETURNED")
                  for r in p["results"] for i in r["indicators"]]
    assert indicators, "the demo has an editable plan with indicators"
    body = await api.post("mutation($i: UpdateIndicatorInput!) { updateIndicator(input: $i) "
                          "{ userErrors { field code } } }", {"i": {"id": indicators[0], "targetValue": value}}, token)
    assert not _server_errors(body), body
    if "errors" in body:
        assert set(error_codes(body)) <= SAFE_CODES
    else:
        assert [e["code"] for e in body["data"]["updateIndicator"]["userErrors"]] == ["BAD_USER_INPUT"], body


@pytest.mark.parametrize("query, user", [("mutation { __typename }", None), ("{ periods { id } }", "admin")])
async def test_a_database_outage_is_masked_with_a_request_id(app, api, monkeypatch, query, user):
    """When the operation's transaction (a compiled read's too) cannot even open, the driver's message
    (hosts, ports) must not reach the client: 503 SERVICE_UNAVAILABLE with the request id."""
    import contextlib

    from kinerja.api import extensions
    from kinerja.graph.compiler import runtime

    headers = {"x-request-id": "outage1"}
    if user:
        headers["authorization"] = f"Bearer {await api.token('bungo', user)}"
        await api.ok(query, token=await api.token("bungo", user))  # the tenant's policy is loaded

    @contextlib.asynccontextmanager
    async def unreachable(_tenant_id, **_account):
        raise ConnectionRefusedError("[Errno 111] Connect call failed ('10.0.0.5', 5432)")
        yield

    monkeypatch.setattr(extensions, "tenant_transaction", unreachable)
    monkeypatch.setattr(runtime, "tenant_read", unreachable)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    error = response.json()["errors"][0]
    assert response.status_code == 503
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "requestId": "outage1"}
    assert "10.0.0.5" not in response.text and "Errno" not in response.text
