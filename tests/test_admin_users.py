"""Users through the API: deactivating and reactivating, own sessions (list, revoke), changing one's
password, and admin-initiated password resets with a one-time code. Sessions end at once: the next
HTTP request with a token of an ended session is UNAUTHENTICATED, and an open websocket is closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from conftest import BACKEND, Api, rows, running_server
from parallel import Client, Socket, outcome, together

from kinerja.auth import account
from kinerja.auth.models import PasswordResetCode, User
from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import from_global_id
from kinerja.tenancy.models import Tenant

WORKERS = 2 if BACKEND == "postgres" else 1
PASSWORD = "kata-sandi-admin-123"
AUDIT = "{ auditLog(first: 1) { totalCount } }"
VIEWER = "{ viewer { username } }"
SESSIONS = "{ mySessions { id createdAt lastUsedAt userAgent ip current } }"
REVOKE = "mutation($i: RevokeSessionInput!) { revokeSession(input: $i) { revokedId userErrors { field code } } }"
DEACTIVATE = "mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { user { active } userErrors { code } } }"
REACTIVATE = "mutation($i: ReactivateUserInput!) { reactivateUser(input: $i) { user { active } userErrors { code } } }"
CHANGE = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok userErrors { field code message } } }"
RESET = ("mutation($i: ResetUserPasswordInput!) { resetUserPassword(input: $i) { code delivery user { id } "
         "userErrors { field code } } }")
COMPLETE = ("mutation($i: CompletePasswordResetInput!) { completePasswordReset(input: $i) { ok "
            "userErrors { field code message } } }")
PLAN_EVENTS = "subscription($p: ID!) { planEvents(planId: $p) { kind planId } }"
FEEDBACK = "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { userErrors { code } } }"


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("admin-users") / "server.log") as base:
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


async def _user(api: Client, slug: str, permissions: list[str]) -> tuple[str, str]:
    """A new user holding a new role with ``permissions``: (user global id, username)."""
    admin = await api.token(slug, "admin")
    role = f"uji_{uuid.uuid4().hex[:8]}"
    created = (await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code } } }",
                            {"i": {"name": role, "permissions": permissions}}, admin))["createRole"]
    assert created["userErrors"] == []
    username = f"adm.{uuid.uuid4().hex[:8]}"
    user = (await api.ok("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code } } }",
                         {"i": {"username": username, "password": PASSWORD, "roles": [role]}}, admin))["createUser"]
    assert user["userErrors"] == [], user
    return user["user"]["id"], username


async def _plan_of(api: Client, slug: str) -> str:
    pegawai = await api.token(slug, "pegawai")
    body = await api.ok("{ performancePlans(filter: {status: APPROVED}) { nodes { id } } }", token=pegawai)
    return body["performancePlans"]["nodes"][0]["id"]


async def test_deactivating_ends_the_users_sessions_at_once_and_reactivating_lets_it_sign_in(api, server):
    admin = await api.token("samarinda", "admin")
    user_id, username = await _user(api, "samarinda", ["audit:read:tenant", "plan:read:tenant"])
    token = (await api.login("samarinda", username, PASSWORD))["accessToken"]
    plan_id = await _plan_of(api, "samarinda")
    atasan = await api.token("samarinda", "atasan")
    async with Socket(server, token) as socket:
        await socket.subscribe(PLAN_EVENTS, {"p": plan_id})
        await asyncio.sleep(0.5)
        assert (await api.ok(FEEDBACK, {"i": {"planId": plan_id, "body": "Sebelum"}}, atasan))["giveFeedback"] \
            == {"userErrors": []}
        event = await socket.receive()
        assert event["payload"]["data"]["planEvents"]["kind"] == "FEEDBACK_GIVEN"
        off = (await api.ok(DEACTIVATE, {"i": {"id": user_id}}, admin))["deactivateUser"]
        assert off == {"user": {"active": False}, "userErrors": []}
        # The idle subscription's socket closes at once, before any further event.
        assert await socket.closed_with() == 4401
        assert codes(await api.post(AUDIT, token=token)) == ["UNAUTHENTICATED"]
    refused = await api.login("samarinda", username, PASSWORD)
    assert refused["accessToken"] is None
    on = (await api.ok(REACTIVATE, {"i": {"id": user_id}}, admin))["reactivateUser"]
    assert on == {"user": {"active": True}, "userErrors": []}
    again = (await api.ok(REACTIVATE, {"i": {"id": user_id}}, admin))["reactivateUser"]
    assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]
    assert codes(await api.post(AUDIT, token=token)) == ["UNAUTHENTICATED"]  # the old session stays ended
    fresh = (await api.login("samarinda", username, PASSWORD))["accessToken"]
    assert codes(await api.post(AUDIT, token=fresh)) == []


async def test_revoking_a_session_ends_its_tokens_on_http_and_on_an_open_socket(api, server):
    _user_id, username = await _user(api, "samarinda", ["audit:read:tenant"])
    first = await api.login("samarinda", username, PASSWORD)
    second = await api.login("samarinda", username, PASSWORD)
    sessions = (await api.ok(SESSIONS, token=second["accessToken"]))["mySessions"]
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    [other] = [s for s in sessions if not s["current"]]
    async with Socket(server, first["accessToken"]) as socket, Socket(server, first["accessToken"]) as idle, \
            Socket(server, second["accessToken"]) as kept:
        assert codes(await socket.execute(AUDIT)) == []
        await idle.subscribe("subscription { myEvents { kind } }")
        revoked = (await api.ok(REVOKE, {"i": {"sessionId": other["id"]}}, second["accessToken"]))["revokeSession"]
        assert revoked == {"revokedId": other["id"], "userErrors": []}
        # Both sockets of the revoked session close at once, with nothing sent on them.
        assert (await idle.closed_with(), await socket.closed_with()) == (4401, 4401)
        assert codes(await api.post(AUDIT, token=first["accessToken"])) == ["UNAUTHENTICATED"]
        assert codes(await kept.execute(AUDIT)) == []  # the user's other session keeps its socket
    refreshed = (await api.ok("mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken "
                              "userErrors { code } } }", {"t": first["refreshToken"]}))["refreshToken"]
    assert refreshed["accessToken"] is None
    assert codes(await api.post(AUDIT, token=second["accessToken"])) == []  # the other session lives on
    twice = (await api.ok(REVOKE, {"i": {"sessionId": other["id"]}}, second["accessToken"]))["revokeSession"]
    assert [e["code"] for e in twice["userErrors"]] == ["CONFLICT"]
    # Someone else's session is NOT_FOUND, like one that never existed.
    stranger = await api.token("samarinda", "pegawai")
    foreign = (await api.ok(REVOKE, {"i": {"sessionId": sessions[0]["id"]}}, stranger))["revokeSession"]
    assert [(e["field"], e["code"]) for e in foreign["userErrors"]] == [("sessionId", "NOT_FOUND")]
    assert codes(await api.post(AUDIT, token=second["accessToken"])) == []


async def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(api):
    _user_id, username = await _user(api, "samarinda", ["audit:read:tenant"])
    other = await api.login("samarinda", username, PASSWORD)
    mine = await api.login("samarinda", username, PASSWORD)
    wrong = (await api.ok(CHANGE, {"i": {"currentPassword": "not-the-password", "newPassword": "sandi-baru-12345"}},
                          mine["accessToken"]))["changePassword"]
    assert [(e["field"], e["code"]) for e in wrong["userErrors"]] == [("currentPassword", "BAD_USER_INPUT")]
    assert "not-the-password" not in wrong["userErrors"][0]["message"]
    short = (await api.ok(CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": "short"}},
                          mine["accessToken"]))["changePassword"]
    assert [(e["field"], e["code"]) for e in short["userErrors"]] == [("newPassword", "BAD_USER_INPUT")]
    assert codes(await api.post(AUDIT, token=other["accessToken"])) == []  # nothing changed yet
    done = (await api.ok(CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": "sandi-baru-12345"}},
                         mine["accessToken"]))["changePassword"]
    assert done == {"ok": True, "userErrors": []}
    assert codes(await api.post(AUDIT, token=other["accessToken"])) == ["UNAUTHENTICATED"]
    assert codes(await api.post(AUDIT, token=mine["accessToken"])) == []
    assert (await api.login("samarinda", username, PASSWORD))["accessToken"] is None
    assert (await api.login("samarinda", username, "sandi-baru-12345"))["accessToken"]


async def test_a_reset_code_is_shown_once_works_once_and_ends_every_session(api):
    tenant = await _tenant("samarinda")
    admin = await api.token("samarinda", "admin")
    user_id, username = await _user(api, "samarinda", ["audit:read:tenant"])
    session = await api.login("samarinda", username, PASSWORD)
    issued = (await api.ok(RESET, {"i": {"userId": user_id}}, admin))["resetUserPassword"]
    assert issued["userErrors"] == [] and issued["delivery"] == "SHOWN" and len(issued["code"]) == 14
    code = issued["code"]
    [stored] = await rows(PasswordResetCode, tenant.id, user_id=from_global_id(user_id)[1])
    assert code not in stored.code_hash and stored.code_hash.startswith("$argon2id$")
    entries = await rows(AuditLog, tenant.id, operation="resetUserPassword")
    assert entries and all(code not in str(e.changes) for e in entries)
    ask = {"tenant": "samarinda", "username": username, "code": code, "newPassword": "sandi-reset-12345"}
    wrong = (await api.ok(COMPLETE, {"i": {**ask, "code": "AAAA-BBBB-CCCC"}}))["completePasswordReset"]
    assert [(e["field"], e["code"]) for e in wrong["userErrors"]] == [("code", "BAD_USER_INPUT")]
    done = (await api.ok(COMPLETE, {"i": ask}))["completePasswordReset"]
    assert done == {"ok": True, "userErrors": []}
    assert codes(await api.post(AUDIT, token=session["accessToken"])) == ["UNAUTHENTICATED"]
    assert (await api.login("samarinda", username, "sandi-reset-12345"))["accessToken"]
    used = (await api.ok(COMPLETE, {"i": {**ask, "newPassword": "sandi-lain-12345"}}))["completePasswordReset"]
    assert [e["code"] for e in used["userErrors"]] == ["BAD_USER_INPUT"]  # single use
    assert (await api.login("samarinda", username, "sandi-reset-12345"))["accessToken"]


async def test_a_reset_code_expires_and_is_spent_by_wrong_attempts(api):
    tenant = await _tenant("samarinda")
    admin = await api.token("samarinda", "admin")
    user_id, username = await _user(api, "samarinda", ["audit:read:tenant"])
    code = (await api.ok(RESET, {"i": {"userId": user_id}}, admin))["resetUserPassword"]["code"]
    ask = {"tenant": "samarinda", "username": username, "code": code, "newPassword": "sandi-reset-12345"}
    # Expired: the code no longer works.
    async with tenant_transaction(tenant.id):
        await PasswordResetCode.filter(tenant_id=tenant.id, user_id=from_global_id(user_id)[1]).update(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    expired = (await api.ok(COMPLETE, {"i": ask}))["completePasswordReset"]
    assert [e["code"] for e in expired["userErrors"]] == ["BAD_USER_INPUT"]
    # A new code ends older ones; four wrong tries leave it usable, the fifth spends it.
    code = (await api.ok(RESET, {"i": {"userId": user_id}}, admin))["resetUserPassword"]["code"]
    for _ in range(4):
        wrong = (await api.ok(COMPLETE, {"i": {**ask, "code": "AAAA-BBBB-CCCC"}}))["completePasswordReset"]
        assert [e["code"] for e in wrong["userErrors"]] == ["BAD_USER_INPUT"]
    limited = await api.post(COMPLETE, {"i": {**ask, "code": code}})
    assert codes(limited) == ["RATE_LIMITED"]  # five failures of this username: locked like logins
    [live] = [c for c in await rows(PasswordResetCode, tenant.id, user_id=from_global_id(user_id)[1])
              if c.ended_at is None]
    assert live.attempts == 4


async def test_resetting_needs_the_user_manage_permission_and_a_user_of_the_tenant(api):
    pegawai = await api.token("samarinda", "pegawai")
    user_id, _username = await _user(api, "samarinda", ["audit:read:tenant"])
    refused = (await api.ok(RESET, {"i": {"userId": user_id}}, pegawai))["resetUserPassword"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"] and refused["code"] is None
    intruder = await api.token("bungo", "admin")
    foreign = (await api.ok(RESET, {"i": {"userId": user_id}}, intruder))["resetUserPassword"]
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"] and foreign["code"] is None
    other = (await api.ok(REACTIVATE, {"i": {"id": user_id}}, intruder))["reactivateUser"]
    assert [e["code"] for e in other["userErrors"]] == ["NOT_FOUND"]
    tenant = await _tenant("samarinda")
    assert await rows(PasswordResetCode, tenant.id, user_id=from_global_id(user_id)[1]) == []
    [user] = await rows(User, tenant.id, id=from_global_id(user_id)[1])
    assert user.active


async def test_with_a_sender_registered_the_code_is_mailed_and_not_shown(client, monkeypatch):
    """An application in this process (where a sender can be registered): the code goes to the
    sender once the operation committed, and the payload does not show it."""
    api = Api(client, record=False)
    sent: list[account.ResetCodeMessage] = []
    async def sender(message: account.ResetCodeMessage):
        async def deliver():
            sent.append(message)
        return deliver

    monkeypatch.setattr(account, "RESET_CODE_SENDERS", [sender])
    admin = (await api.login("tangerang-selatan", "admin"))["accessToken"]
    role = f"uji_{uuid.uuid4().hex[:8]}"
    await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code } } }",
                 {"i": {"name": role, "permissions": ["audit:read:tenant"]}}, admin)
    username = f"adm.{uuid.uuid4().hex[:8]}"
    user_id = (await api.ok("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
                            {"i": {"username": username, "password": PASSWORD, "roles": [role]}},
                            admin))["createUser"]["user"]["id"]
    issued = (await api.ok(RESET, {"i": {"userId": user_id}}, admin))["resetUserPassword"]
    assert issued["userErrors"] == [] and (issued["delivery"], issued["code"]) == ("MAILED", None)
    [message] = sent
    assert message.username == username and len(message.code) == 14
    ask = {"tenant": "tangerang-selatan", "username": username, "code": message.code,
           "newPassword": "sandi-surat-12345"}
    assert (await api.ok(COMPLETE, {"i": ask}))["completePasswordReset"] == {"ok": True, "userErrors": []}


async def test_parallel_revocations_and_reactivations_change_once(api):
    tenant = await _tenant("samarinda")
    admin = await api.token("samarinda", "admin")
    user_id, username = await _user(api, "samarinda", ["audit:read:tenant"])
    first = await api.login("samarinda", username, PASSWORD)
    second = await api.login("samarinda", username, PASSWORD)
    [other] = [s for s in (await api.ok(SESSIONS, token=second["accessToken"]))["mySessions"] if not s["current"]]
    answers = await together(8, lambda _i: api.post(REVOKE, {"i": {"sessionId": other["id"]}}, second["accessToken"]))
    successes, refused = outcome(answers, "revokeSession")
    assert successes == 1 and refused == ["CONFLICT"] * 7, refused
    assert codes(await api.post(AUDIT, token=first["accessToken"])) == ["UNAUTHENTICATED"]
    assert (await api.ok(DEACTIVATE, {"i": {"id": user_id}}, admin))["deactivateUser"]["userErrors"] == []
    answers = await together(8, lambda _i: api.post(REACTIVATE, {"i": {"id": user_id}}, admin))
    successes, refused = outcome(answers, "reactivateUser")
    assert successes == 1 and refused == ["CONFLICT"] * 7, refused
    entries = await rows(AuditLog, tenant.id, operation="reactivateUser", object_id=from_global_id(user_id)[1])
    assert len(entries) == 1
