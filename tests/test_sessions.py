"""Sessions end with their rights, on every transport: revocations over HTTP and websockets, disabled
and deleted accounts, access tokens expiring on an open socket and re-authentication on it, limits
over sockets, refresh-token races, and one tenant per operation.

A running server (two worker processes on PostgreSQL, so a revocation made on one reaches sockets on
the other) serves most of these; an application in this process, with settings of its own (a token
lifetime of seconds, a low rate limit, a short time limit), serves the rest."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import BACKEND, Api, rows, running_server
from parallel import AsgiSocket, Client, Socket, together

from kinerja.auth.models import PolicyRule, RefreshToken, User
from kinerja.auth.tokens import issue_access_token
from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import from_global_id, to_global_id
from kinerja.org.models import Period
from kinerja.org.service import ensure_periods
from kinerja.tenancy.models import Tenant

WORKERS = 2 if BACKEND == "postgres" else 1
PASSWORD = "kata-sandi-sesi-123"
AUDIT = "{ auditLog(first: 1) { totalCount } }"
CLOSE = ("mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) { period { closed } "
         "userErrors { code message } } }")
REFRESH = ("mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken "
           "userErrors { code message } } }")
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok userErrors { code message } } }"


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    # Periods the tests close and reopen exist before the server starts: in the SQLite mode the server
    # is another process on the same file.
    for slug, year in (("bungo", 2060), ("samarinda", 2061)):
        tenant = await _tenant(slug)
        async with tenant_transaction(tenant.id):
            await ensure_periods(tenant, year)
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("sessions") / "server.log") as base:
        yield base


@pytest.fixture
async def api(server):
    client = Client(server)
    yield client
    await client.close()


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _tenant(slug: str) -> Tenant:
    return (await rows(Tenant, None, slug=slug))[0]


async def _period(tenant: Tenant, year: int) -> str:
    return to_global_id("Period", (await rows(Period, tenant.id, year=year))[0].id)


async def _user(api: Client, slug: str, permissions: list[str]) -> tuple[str, str, str]:
    """A new user holding a new role with ``permissions``: (user id, role name, username)."""
    admin = await api.token(slug, "admin")
    role = f"uji_{uuid.uuid4().hex[:8]}"
    created = (await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code } } }",
                            {"i": {"name": role, "permissions": permissions}}, admin))["createRole"]
    assert created["userErrors"] == []
    username = f"sesi.{uuid.uuid4().hex[:8]}"
    user = (await api.ok("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code } } }",
                         {"i": {"username": username, "password": PASSWORD, "roles": [role]}}, admin))["createUser"]
    assert user["userErrors"] == [], user
    return user["user"]["id"], role, username


async def _set_active(slug: str, user_id: str, active: bool) -> None:
    tenant = await _tenant(slug)
    async with tenant_transaction(tenant.id):
        await User.filter(id=from_global_id(user_id)[1], tenant_id=tenant.id).update(active=active)


# --- revocation ----------------------------------------------------------------------------------

async def test_a_revoked_role_stops_working_over_http_and_open_sockets(api, server):
    tenant = await _tenant("bungo")
    period = await _period(tenant, 2060)
    user_id, role, username = await _user(api, "bungo", ["audit:read:tenant", "org:read:tenant", "org:manage:tenant"])
    token = (await api.login("bungo", username, PASSWORD))["accessToken"]
    async with Socket(server, token) as socket:
        assert codes(await socket.execute(AUDIT)) == []
        closed = await socket.execute(CLOSE, {"id": period, "c": True})
        assert closed["data"]["setPeriodClosed"]["userErrors"] == []
        revoke = ("mutation($i: RoleAssignmentInput!) { revokeRole(input: $i) { userErrors { code } } }")
        assert (await api.ok(revoke, {"i": {"userId": user_id, "role": role}},
                             await api.token("bungo", "admin")))["revokeRole"]["userErrors"] == []
        await asyncio.sleep(1.0)  # a revocation applies within a second, on every worker
        assert codes(await socket.execute(AUDIT)) == ["FORBIDDEN"]
        reopen = await socket.execute(CLOSE, {"id": period, "c": False})
        assert [e["code"] for e in reopen["data"]["setPeriodClosed"]["userErrors"]] == ["FORBIDDEN"]
        assert codes(await api.post(AUDIT, token=token)) == ["FORBIDDEN"]
        # The socket itself stays usable for what the user may still do.
        assert codes(await socket.execute("{ viewer { username } }")) == []


async def test_a_mutation_answering_user_errors_does_not_poison_the_socket(api, server):
    tenant = await _tenant("samarinda")
    period = await _period(tenant, 2061)
    admin = await api.token("samarinda", "admin")
    async with Socket(server, admin) as socket:
        refused = await socket.execute(CLOSE, {"id": period, "c": False})  # it is open already
        assert [e["code"] for e in refused["data"]["setPeriodClosed"]["userErrors"]] == ["CONFLICT"]
        kept = await socket.execute(CLOSE, {"id": period, "c": True})
        assert kept["data"]["setPeriodClosed"] == {"period": {"closed": True}, "userErrors": []}
    [stored] = await rows(Period, tenant.id, id=from_global_id(period)[1])
    assert stored.closed
    assert len(await rows(AuditLog, tenant.id, operation="setPeriodClosed", object_id=stored.id)) == 1


# --- disabled and deleted accounts ---------------------------------------------------------------

async def test_a_disabled_account_ends_every_session(api, server):
    user_id, _role, username = await _user(api, "tebingtinggi", ["audit:read:tenant", "employee:read:tenant"])
    session = await api.login("tebingtinggi", username, PASSWORD)
    token = session["accessToken"]
    async with Socket(server, token) as socket:
        assert codes(await socket.execute(AUDIT)) == []
        await _set_active("tebingtinggi", user_id, False)
        try:
            # Every request checks the account: queries, mutations, the viewer, trusted documents.
            assert codes(await api.post(AUDIT, token=token)) == ["UNAUTHENTICATED"]
            assert codes(await api.post("{ viewer { id } }", token=token)) == ["UNAUTHENTICATED"]
            assert codes(await api.post(CLOSE, {"id": "x", "c": True}, token)) == ["UNAUTHENTICATED"]
            trusted = (Path(__file__).parent.parent / "schema" / "operations" / "EmployeeList.graphql").read_text()
            assert codes(await api.post(trusted, {"first": 5}, token)) == ["UNAUTHENTICATED"]
            # An open socket answers UNAUTHENTICATED once, then closes; a new one is refused.
            assert codes(await socket.execute(AUDIT)) == ["UNAUTHENTICATED"]
            assert await socket.closed_with() == 4401
            refused = Socket(server, token)
            await refused.open()
            await refused.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            assert await refused.closed_with() == 4403
            refreshed = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
            assert [e["code"] for e in refreshed["userErrors"]] == ["UNAUTHENTICATED"]
        finally:
            await _set_active("tebingtinggi", user_id, True)
    assert codes(await api.post(AUDIT, token=token)) == []  # enabled again, the same token works


async def test_a_deleted_user_loses_its_sessions_and_its_role_assignments(api, server):
    user_id, _role, username = await _user(api, "nanggalo", ["audit:read:tenant"])
    token = (await api.login("nanggalo", username, PASSWORD))["accessToken"]
    tenant = await _tenant("nanggalo")
    subject = f"user:{from_global_id(user_id)[1]}"
    assert len(await rows(PolicyRule, tenant.id, ptype="g", v0=subject)) == 1
    async with Socket(server, token) as socket:
        async with tenant_transaction(tenant.id):
            await User.filter(id=from_global_id(user_id)[1], tenant_id=tenant.id).delete()
        assert await rows(PolicyRule, tenant.id, ptype="g", v0=subject) == []  # assignments went with it
        assert codes(await api.post(AUDIT, token=token)) == ["UNAUTHENTICATED"]
        assert codes(await socket.execute(AUDIT)) == ["UNAUTHENTICATED"]
        assert await socket.closed_with() == 4401
    download = await api.http.get(f"/evidence/{uuid.uuid4()}", headers={"authorization": f"Bearer {token}"})
    assert download.status_code == 401


# --- refresh tokens ------------------------------------------------------------------------------

async def _family(tenant: Tenant, raw: str) -> list[RefreshToken]:
    token_id = uuid.UUID(hex=raw.split(".")[1])
    [token] = await rows(RefreshToken, tenant.id, id=token_id)
    return await rows(RefreshToken, tenant.id, family=token.family)


async def test_sixteen_exchanges_of_one_refresh_token_make_one_session(api):
    session = await api.login("tangerang-selatan", "pegawai")
    answers = await together(16, lambda _i: api.post(REFRESH, {"t": session["refreshToken"]}))
    results = [a["data"]["refreshToken"] for a in answers]
    issued = {r["refreshToken"] for r in results if not r["userErrors"]}
    family = await _family(await _tenant("tangerang-selatan"), session["refreshToken"])
    live = [t for t in family if t.revoked_at is None]
    print(f"\n[{BACKEND}] 16 parallel refreshToken of one token: {sum(not r['userErrors'] for r in results)} answered, "
          f"{len(family) - 1} new session, {len(live)} live token")
    # Two tabs refreshing together both stay signed in, with the same successor.
    assert all(r["userErrors"] == [] for r in results) and len(issued) == 1
    assert len(family) == 2 and len(live) == 1


async def test_reuse_after_the_grace_window_revokes_successors_issued_concurrently(database):
    """Presenting a spent token after the grace window revokes the family, including a successor
    that an exchange running at the same moment issued."""
    app = _app(database, refresh_grace_seconds=0)
    async with _client(app) as api:
        session = await api.login("bungo", "kepala")
        first = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
        assert first["userErrors"] == []
        answers = await together(10, lambda i: api.post(REFRESH, {"t": first["refreshToken"] if i % 2
                                                                  else session["refreshToken"]}))
        later = [a["data"]["refreshToken"] for a in answers]
        family = await _family(await _tenant("bungo"), session["refreshToken"])
        assert all(t.revoked_at is not None for t in family)
        for issued in {r["refreshToken"] for r in later if not r["userErrors"]}:
            again = (await api.ok(REFRESH, {"t": issued}))["refreshToken"]
            assert [e["code"] for e in again["userErrors"]] == ["UNAUTHENTICATED"]


async def test_a_logout_racing_refreshes_leaves_no_live_token(api):
    session = await api.login("samarinda", "pegawai")
    answers = await together(8, lambda i: api.post(LOGOUT if i == 0 else REFRESH, {"t": session["refreshToken"]}))
    logout = answers[0]["data"]["logout"]
    assert logout["ok"] is True or [e["code"] for e in logout["userErrors"]] == ["CONFLICT"]
    family = await _family(await _tenant("samarinda"), session["refreshToken"])
    assert all(t.revoked_at is not None for t in family)
    for answer in answers[1:]:
        issued = answer["data"]["refreshToken"]["refreshToken"]
        if issued:
            again = (await api.ok(REFRESH, {"t": issued}))["refreshToken"]
            assert [e["code"] for e in again["userErrors"]] == ["UNAUTHENTICATED"]


# --- one operation, one tenant -------------------------------------------------------------------

async def test_an_operation_naming_two_tenants_or_mixing_a_named_tenant_with_the_user_is_refused(api):
    bungo = await api.token("bungo", "admin")
    tenant = await _tenant("bungo")
    before = len(await rows(AuditLog, tenant.id, operation="login"))
    mixed = ('mutation { login(input: {tenant: "samarinda", username: "pegawai", password: "kinerja-demo"}) '
             '{ accessToken } setPeriodClosed(input: {id: "x", closed: true}) { userErrors { code } } }')
    body = await api.post(mixed, token=bungo)
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"] is None
    two = ('query { a: publicServices(tenant: "bungo") { id } b: publicServices(tenant: "samarinda") { id } }')
    assert codes(await api.post(two)) == ["BAD_USER_INPUT"]
    by_variables = ("query($a: String!, $b: String!) { ...F b: publicReport(tenant: $b, year: 2025) { year } } "
                    "fragment F on Query { publicServices(tenant: $a) { id } }")
    assert codes(await api.post(by_variables, {"a": "bungo", "b": "nanggalo"})) == ["BAD_USER_INPUT"]
    assert codes(await api.post("{ publicServices(tenant: \"bungo\") { id } viewer { id } }", token=bungo)) == \
        ["BAD_USER_INPUT"]
    # Nothing ran: no login was recorded anywhere.
    assert len(await rows(AuditLog, tenant.id, operation="login")) == before
    same = ('query { a: publicServices(tenant: "bungo") { id } b: publicServices(tenant: " Bungo") { id } }')
    assert codes(await api.post(same)) == []


async def test_a_login_sent_with_a_token_is_recorded_in_its_own_tenant_for_the_user_who_signed_in(api):
    foreign = await api.token("bungo", "admin")
    body = await api.post('mutation { login(input: {tenant: "nanggalo", username: "atasan", '
                          'password: "kinerja-demo"}) { accessToken } }', token=foreign)
    assert body["data"]["login"]["accessToken"]
    nanggalo = await _tenant("nanggalo")
    atasan = (await rows(User, nanggalo.id, username="atasan"))[0]
    newest = max(await rows(AuditLog, nanggalo.id, operation="login"), key=lambda e: e.occurred_at)
    assert newest.actor_user_id == atasan.id
    bungo = await _tenant("bungo")
    assert not [e for e in await rows(AuditLog, bungo.id, operation="login") if e.actor_user_id == atasan.id]


# --- an application in this process, with settings of its own ------------------------------------

def _app(database, **settings):
    from kinerja.app import create_app

    return create_app(dataclasses.replace(database, **settings), manage_db=False)


def _client(app):
    return _InProcess(app)


class _InProcess:
    def __init__(self, app):
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 1234)),
                                      base_url="http://test")

    async def __aenter__(self) -> Api:
        api = Api(self.http)
        api.post = self._post  # 429 answers are answers here
        return api

    async def _post(self, query, variables=None, token=None):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        return response.json()

    async def __aexit__(self, *exc) -> None:
        await self.http.aclose()


async def test_a_socket_closes_with_4401_when_its_token_expires(database):
    app = _app(database, access_token_seconds=2)
    async with _client(app) as api:
        token = (await api.login("bungo", "pegawai"))["accessToken"]
    socket = AsgiSocket(app, token)
    async with socket:
        assert codes(await socket.execute("{ viewer { username } }")) == []
        assert await socket.closed_with(timeout=10) == 4401


async def test_a_fresh_token_in_a_ping_keeps_the_socket_open(database):
    app = _app(database, access_token_seconds=2)
    async with _client(app) as api:
        token = (await api.login("bungo", "pegawai"))["accessToken"]
    tenant = await _tenant("bungo")
    user = (await rows(User, tenant.id, username="pegawai"))[0]
    fresh, _expires = issue_access_token(database.secret_key, user.id, tenant.id, 60)
    async with AsgiSocket(app, token) as socket:
        await socket.send({"type": "ping", "payload": {"Authorization": f"Bearer {fresh}"}})
        pong = await socket.receive()
        assert pong["type"] == "pong" and pong["payload"]["expiresAt"]
        await asyncio.sleep(3.5)  # the first token has expired
        assert codes(await socket.execute("{ viewer { username } }")) == []
    other = (await rows(User, tenant.id, username="atasan"))[0]
    someone_else, _expires = issue_access_token(database.secret_key, other.id, tenant.id, 60)
    for header, code in [(f"Bearer {someone_else}", 4403), ("Bearer not-a-token", 4401)]:
        async with AsgiSocket(app, fresh) as socket:
            await socket.send({"type": "ping", "payload": {"Authorization": header}})
            assert await socket.closed_with() == code


async def _token(database, slug: str, username: str) -> str:
    """An access token as login issues it (the apps here may be too short-lived to log in through)."""
    tenant = await _tenant(slug)
    user = (await rows(User, tenant.id, username=username))[0]
    return issue_access_token(database.secret_key, user.id, tenant.id, 600)[0]


async def test_rate_limits_and_the_time_limit_apply_over_sockets(database, monkeypatch):
    app = _app(database, rate_user_per_minute=3)
    token = await _token(database, "nanggalo", "bkpsdm")
    async with AsgiSocket(app, token) as socket:
        answers = [await socket.execute("{ viewer { username } }") for _ in range(4)]
    assert [codes(a) for a in answers] == [[], [], [], ["RATE_LIMITED"]]
    assert answers[-1]["errors"][0]["extensions"]["retryAfter"] >= 1

    from kinerja.auth import roles
    from kinerja.core.db import connection

    original = roles.create_role

    async def slow_create_role(*args, **kwargs):
        view = await original(*args, **kwargs)
        if BACKEND == "postgres":
            await connection().execute_query("SELECT pg_sleep(5)")
        else:
            await asyncio.sleep(5)
        return view

    monkeypatch.setattr(roles, "create_role", slow_create_role)
    app = _app(database, request_timeout_seconds=0.5)
    async with AsgiSocket(app, await _token(database, "nanggalo", "admin")) as socket:
        slow = await socket.execute('mutation { createRole(input: {name: "lambat_ws", permissions: []}) '
                                    '{ userErrors { code } } }')
        assert codes(slow) == ["TIMEOUT"]
        names = (await socket.execute("{ roles { name } }"))["data"]["roles"]
    assert "lambat_ws" not in {r["name"] for r in names}
