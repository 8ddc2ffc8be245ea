"""Login, tokens, refresh rotation, logout, viewer: through the GraphQL endpoint."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import jwt
import pytest
from conftest import error_codes

VIEWER = "{ viewer { id username tenant { id slug name } employee { id nip name } roles permissions } }"
REFRESH = ("mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken "
           "userErrors { code message } } }")
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }"
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok userErrors { code } } }"


async def test_login_then_viewer(api):
    session = await api.login("bungo", "pegawai")
    assert session["userErrors"] == []
    assert session["accessToken"] and session["refreshToken"] and session["expiresAt"]
    data = await api.ok(VIEWER, token=session["accessToken"])
    viewer = data["viewer"]
    assert viewer["username"] == "pegawai"
    assert viewer["tenant"]["slug"] == "bungo"
    assert len(viewer["employee"]["nip"]) == 18
    assert viewer["roles"] == ["pegawai"]
    assert "employee:read:own" in viewer["permissions"]


async def test_wrong_password_unknown_user_and_unknown_tenant_answer_alike(api):
    answers = [
        await api.login("bungo", "pegawai", "not-the-password"),
        await api.login("bungo", "nobody-of-that-name", "kinerja-demo"),
        await api.login("atlantis", "pegawai", "kinerja-demo"),
    ]
    for answer in answers:
        assert answer["accessToken"] is None
        assert answer["userErrors"] == answers[0]["userErrors"]
    assert answers[0]["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_repeated_failures_are_throttled(api, database):
    from kinerja.auth.admin import create_user

    await create_user("samarinda", "sasaran-uji", "the-right-password", ["pegawai"], None)
    for _ in range(5):
        answer = await api.login("samarinda", "sasaran-uji", "wrong-password")
        assert answer["userErrors"][0]["code"] == "UNAUTHENTICATED"
    blocked = await api.client.post("/graphql", json={"query": LOGIN, "variables": {
        "i": {"tenant": "samarinda", "username": "sasaran-uji", "password": "wrong-password"}}})
    assert blocked.status_code == 429
    error = blocked.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    # The wait lasts until the oldest failure leaves the 15-minute window.
    assert 880 <= error["extensions"]["retryAfter"] <= 901
    assert blocked.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    # Even the right password is refused while the window lasts; other users are not affected.
    right = await api.client.post("/graphql", json={"query": LOGIN, "variables": {
        "i": {"tenant": "samarinda", "username": "sasaran-uji", "password": "the-right-password"}}})
    assert error_codes(right.json()) == ["RATE_LIMITED"]
    assert (await api.login("samarinda", "pegawai"))["accessToken"]


async def test_refresh_rotates_and_reuse_revokes_the_family(api):
    session = await api.login("tebingtinggi", "pegawai")
    first = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
    assert first["userErrors"] == [] and first["refreshToken"] != session["refreshToken"]
    assert (await api.ok(VIEWER, token=first["accessToken"]))["viewer"]["username"] == "pegawai"
    # Within the grace window the same token answers the same successor (a second browser tab).
    again = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
    assert again["userErrors"] == [] and again["refreshToken"] == first["refreshToken"]
    second = (await api.ok(REFRESH, {"t": first["refreshToken"]}))["refreshToken"]
    assert second["userErrors"] == []
    # The first token again, its successor spent meanwhile: refused, and the newest token dies with it.
    reused = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
    assert reused["userErrors"][0]["code"] == "UNAUTHENTICATED"
    after = (await api.ok(REFRESH, {"t": second["refreshToken"]}))["refreshToken"]
    assert after["accessToken"] is None and after["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_reuse_after_the_grace_window_revokes_the_family(database):
    """Without a grace window (KINERJA_REFRESH_GRACE_SECONDS=0) a second exchange is a reuse at once."""
    import dataclasses

    import httpx
    from conftest import Api

    from kinerja.app import create_app

    app = create_app(dataclasses.replace(database, refresh_grace_seconds=0), manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        api = Api(client)
        session = await api.login("tebingtinggi", "pegawai")
        first = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
        assert first["userErrors"] == []
        reused = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
        assert reused["userErrors"][0]["code"] == "UNAUTHENTICATED"
        after = (await api.ok(REFRESH, {"t": first["refreshToken"]}))["refreshToken"]
        assert after["accessToken"] is None and after["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_refresh_token(api):
    session = await api.login("tebingtinggi", "atasan")
    assert (await api.ok(LOGOUT, {"t": session["refreshToken"]}))["logout"] == {"ok": True, "userErrors": []}
    refreshed = (await api.ok(REFRESH, {"t": session["refreshToken"]}))["refreshToken"]
    assert refreshed["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_garbage_refresh_token_is_rejected(api):
    for garbage in ["", "abc", f"{uuid.uuid4().hex}.{uuid.uuid4().hex}.secret", "x" * 5000]:
        answer = (await api.ok(REFRESH, {"t": garbage}))["refreshToken"]
        assert answer["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_no_token_is_unauthenticated(api):
    body = await api.post(VIEWER)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    body = await api.post("{ employees(first: 1) { totalCount } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]


def _forge(claims: dict, key: str = "some-other-key-that-is-long-enough-123", alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_forged_tokens_are_rejected(api, database):
    real = await api.token("bungo", "admin")
    claims = jwt.decode(real, options={"verify_signature": False})
    now = int(dt.datetime.now(dt.UTC).timestamp())
    unsigned = jwt.encode(claims, key=None, algorithm="none") if hasattr(jwt, "encode") else ""
    forgeries = [
        _forge(claims),  # wrong key
        unsigned,  # alg none
        _forge({**claims, "exp": now - 10}, database.secret_key),  # expired
        _forge({**claims, "aud": "another-api"}, database.secret_key),  # other audience
        _forge({k: v for k, v in claims.items() if k != "tid"}, database.secret_key),  # no tenant
        real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"),  # tampered signature
        "not.a.token",
    ]
    for token in forgeries:
        body = await api.post(VIEWER, token=token)
        assert error_codes(body) == ["UNAUTHENTICATED"], token


async def test_token_of_one_tenant_cannot_be_pointed_at_another(api, database):
    """The tenant comes from the signed token only; a client header changes nothing."""
    token = await api.token("bungo", "admin")
    response = await api.client.post("/graphql", json={"query": VIEWER},
                                     headers={"authorization": f"Bearer {token}", "x-tenant": "samarinda"})
    assert response.json()["data"]["viewer"]["tenant"]["slug"] == "bungo"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Token xyz"])
async def test_malformed_authorization_header(api, header):
    response = await api.client.post("/graphql", json={"query": VIEWER}, headers={"authorization": header})
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_a_token_that_worked_stops_working_when_it_expires(api, database):
    """Checked tokens are remembered for speed; expiry is still checked at every request."""
    from kinerja.auth.tokens import issue_access_token

    claims = jwt.decode(await api.token("bungo", "admin"), options={"verify_signature": False})
    short, expires = issue_access_token(database.secret_key, uuid.UUID(claims["sub"]), uuid.UUID(claims["tid"]), 2,
                                        session_id=uuid.UUID(claims["sid"]))
    body = await api.post(VIEWER, token=short)
    assert "errors" not in body and body["data"]["viewer"]
    await asyncio.sleep(max(0.0, expires.timestamp() - dt.datetime.now(dt.UTC).timestamp()) + 1.1)
    assert error_codes(await api.post(VIEWER, token=short)) == ["UNAUTHENTICATED"]
