"""Messages in the client's language: `Accept-Language: id` gives Indonesian messages in `errors` and
`userErrors`, English stays the default; codes and fields never change. Every message the code can
raise has an Indonesian text in the catalogue (found by reading the code, not by running it)."""

from __future__ import annotations

import ast
import asyncio
import json
import pathlib
import re
import uuid

import httpx
import pytest
import websockets
from conftest import DEMO_PASSWORD, error_codes, running_server

from kinerja.core.ids import to_global_id
from kinerja.graph import messages

pytestmark = pytest.mark.asyncio

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "src" / "kinerja"
INDONESIAN = {"accept-language": "id"}


@pytest.fixture
async def http(app):
    # A client IP of its own: the failed logins below count against it, not against the other tests'.
    transport = httpx.ASGITransport(app=app, client=("10.77.0.15", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _token(http, tenant: str, username: str) -> str:
    body = (await http.post("/graphql", json={"query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                                               "variables": {"i": {"tenant": tenant, "username": username,
                                                                   "password": DEMO_PASSWORD}}})).json()
    return body["data"]["login"]["accessToken"]


async def _both(http, query: str, variables: dict | None = None, token: str | None = None,
                status: int = 200) -> tuple[dict, dict]:
    """The same request in English (no Accept-Language) and in Indonesian."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answers = []
    for extra in ({}, INDONESIAN):
        response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                                   headers={**headers, **extra})
        assert response.status_code == status, response.text
        answers.append(response.json())
    return answers[0], answers[1]


def _error(body: dict) -> dict:
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


async def test_errors_in_both_languages_keyed_by_the_same_code(http):
    pegawai = await _token(http, "bungo", "pegawai")
    cases = [
        ("{ viewer { username } }", {}, None, "UNAUTHENTICATED",
         "Authentication required: send 'Authorization: Bearer <token>'",
         "Perlu autentikasi: kirim 'Authorization: Bearer <token>'"),
        ("{ roles { name } }", {}, pegawai, "FORBIDDEN",
         "You lack the permission to read role", "Anda tidak memiliki izin untuk read role"),
        ("query($id: ID!) { performancePlan(id: $id) { id } }",
         {"id": to_global_id("PerformancePlan", uuid.uuid4())}, pegawai, "NOT_FOUND",
         "Performance plan not found", "SKP tidak ditemukan"),
        ("{ viewer { username }", {}, pegawai, "BAD_USER_INPUT",
         "Syntax Error: Expected Name, found <EOF>.", "Kesalahan sintaksis: Expected Name, found <EOF>."),
        ("{ viewer { nickname } }", {}, pegawai, "BAD_USER_INPUT",
         "Cannot query field 'nickname' on type 'Viewer'. Did you mean 'username'?",
         "Field 'nickname' tidak ada pada tipe 'Viewer'. Mungkin maksud Anda 'username'?"),
    ]
    for query, variables, token, code, english, indonesian in cases:
        en, id_ = await _both(http, query, variables, token)
        assert error_codes(en) == error_codes(id_) == [code], (query, en, id_)
        assert (_error(en)["message"], _error(id_)["message"]) == (english, indonesian)
        assert _error(en).get("path") == _error(id_).get("path")


async def test_user_errors_in_both_languages_with_their_field(http):
    pegawai = await _token(http, "bungo", "pegawai")
    create = ("mutation($i: CreatePerformancePlanInput!) { createPerformancePlan(input: $i) { plan { id } "
              "userErrors { field code message } } }")
    en, id_ = await _both(http, create, {"i": {"year": 1990}}, pegawai)
    assert en["data"]["createPerformancePlan"]["userErrors"] == [
        {"field": "year", "code": "BAD_USER_INPUT", "message": "Year must be between 2000 and 2100"}]
    assert id_["data"]["createPerformancePlan"]["userErrors"] == [
        {"field": "year", "code": "BAD_USER_INPUT", "message": "Tahun harus antara 2000 dan 2100"}]

    admin = await _token(http, "bungo", "admin")
    periods = (await http.post("/graphql", json={"query": "{ periods(year: 2026) { id name closed } }"},
                               headers={"authorization": f"Bearer {admin}"})).json()["data"]["periods"]
    period = next(p for p in periods if not p["closed"])
    reopen = ("mutation($id: ID!) { setPeriodClosed(input: {id: $id, closed: false}) { period { id } "
              "userErrors { field code message } } }")
    en, id_ = await _both(http, reopen, {"id": period["id"]}, admin)
    assert en["data"]["setPeriodClosed"]["userErrors"] == [
        {"field": "closed", "code": "CONFLICT", "message": f"Period {period['name']} is already open"}]
    assert id_["data"]["setPeriodClosed"]["userErrors"] == [
        {"field": "closed", "code": "CONFLICT", "message": f"Periode {period['name']} sudah dibuka"}]


async def test_rate_limited_in_both_languages(http):
    login = "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code message } } }"
    attempt = {"i": {"tenant": "bungo", "username": f"tamu-{uuid.uuid4().hex[:8]}", "password": "salah-sekali"}}
    for _ in range(5):
        body = (await http.post("/graphql", json={"query": login, "variables": attempt})).json()
        assert body["data"]["login"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    failed_id = (await http.post("/graphql", json={"query": login, "variables": {
        "i": {**attempt["i"], "tenant": "tidak-ada"}}}, headers=INDONESIAN)).json()
    assert failed_id["data"]["login"]["userErrors"] == [
        {"code": "UNAUTHENTICATED", "message": "Tenant, nama pengguna atau kata sandi salah"}]
    en, id_ = await _both(http, login, attempt, status=429)
    assert error_codes(en) == error_codes(id_) == ["RATE_LIMITED"]
    assert _error(en)["message"] == "Too many failed logins for this user; try again later"
    assert _error(id_)["message"] == "Terlalu banyak percobaan masuk yang gagal untuk pengguna ini; coba lagi nanti"
    assert _error(id_)["extensions"]["retryAfter"] > 0


async def test_errors_the_view_writes_itself_are_translated(http):
    for headers, message in (({}, "Content-Type must be application/json"),
                             (INDONESIAN, "Content-Type harus application/json")):
        response = await http.post("/graphql", content=b"{ viewer { username } }",
                                   headers={"content-type": "text/plain", **headers})
        assert response.status_code == 415
        assert response.json()["errors"][0]["message"] == message


async def test_the_language_is_negotiated_from_accept_language():
    assert messages.negotiate("id") == messages.negotiate("id-ID") == messages.negotiate("in") == "id"
    assert messages.negotiate("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7") == "id"
    assert messages.negotiate("en-US,en;q=0.9,id;q=0.8") == "en"
    assert messages.negotiate("fr-FR, id;q=0.5") == "id"  # the best language we have
    assert messages.negotiate("id;q=0, en") == "en"  # q=0: not acceptable
    assert messages.negotiate("") == messages.negotiate(None) == messages.negotiate("*") == "en"
    assert messages.negotiate("id;q=abc") == messages.negotiate("ä;;,,") == "en"  # malformed: the default


async def test_a_websocket_speaks_the_language_of_its_connection(database, tmp_path):
    async with running_server(database, 1, tmp_path / "server.log") as base:
        async with httpx.AsyncClient(base_url=base) as client:
            body = (await client.post("/graphql", json={
                "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": {"i": {"tenant": "bungo", "username": "pegawai", "password": DEMO_PASSWORD}}})).json()
        token = body["data"]["login"]["accessToken"]
        for payload, message in (({}, "You lack the permission to read role"),
                                 ({"Accept-Language": "id"}, "Anda tidak memiliki izin untuk read role")):
            async with websockets.connect(base.replace("http://", "ws://") + "/graphql",
                                          subprotocols=["graphql-transport-ws"]) as ws:
                await ws.send(json.dumps({"type": "connection_init",
                                          "payload": {"Authorization": f"Bearer {token}", **payload}}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ roles { name } }"}}))
                answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert answer["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
                assert answer["payload"]["errors"][0]["message"] == message


# --- the catalogue covers every message, found in the code ------------------------------------------

ERRORS = {"DomainError", "Unauthenticated", "Forbidden", "NotFound", "BadUserInput", "Conflict", "RateLimited",
          "FieldError", "ReusedRefreshToken"}


def _text(node, constants: dict[str, str]) -> str | None:
    """The message a node spells, with `{}` for its dynamic parts; None when it spells none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def raised_messages() -> dict[str, str]:
    """Every message the package raises, with where: the message of each error constructor (literals,
    f-strings, module constants; both branches of a conditional) and what the `*_problem(s)` rule
    functions return (their messages become errors where they are called)."""
    trees = {path: ast.parse(path.read_text()) for path in sorted(SOURCE.rglob("*.py"))}
    constants = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id.isupper() and (text := _text(node.value, {})) is not None:
                constants[node.targets[0].id] = text
    found: dict[str, str] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            candidates = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in ERRORS:
                    index = 2 if name == "FieldError" else 0
                    candidates += node.args[index:index + 1] + [k.value for k in node.keywords if k.arg == "message"]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and re.search(r"_problems?$", node.name):
                candidates += [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None]
            for candidate in candidates:
                for option in [candidate.body, candidate.orelse] if isinstance(candidate, ast.IfExp) else [candidate]:
                    text = _text(option, constants)
                    if text is not None:
                        found.setdefault(text, f"{path.relative_to(SOURCE)}:{option.lineno}")
    return found


def test_every_message_the_code_raises_has_an_indonesian_text():
    raised = raised_messages()
    assert len(raised) > 150  # the scan finds the messages (it would pass vacuously otherwise)
    known = {messages.normalised(key) for key in messages.CATALOGUE}
    missing = {text: where for text, where in raised.items() if text not in known}
    assert missing == {}, f"{len(missing)} messages without an Indonesian text: {missing}"


def test_catalogue_entries_keep_their_placeholders():
    placeholder = re.compile(r"\{(\w+)(?::\w+)?\}")
    for english, indonesian in messages.CATALOGUE.items():
        assert indonesian and indonesian != english, english
        # the same dynamic parts (an English article, `a`/`an`, has no Indonesian counterpart)
        in_english, in_indonesian = set(placeholder.findall(english)), set(placeholder.findall(indonesian))
        assert in_indonesian <= in_english and in_english - in_indonesian <= {"article"}, english
        sample = placeholder.sub(lambda m: "X_1" if m.group(0).endswith(":code}") else "contoh", english)
        assert messages.translate(sample, "id") != sample or not placeholder.search(english), english


def test_unknown_messages_and_english_stay_as_they_are():
    assert messages.translate("Performance plan not found", "en") == "Performance plan not found"
    assert messages.translate("Something nobody wrote down", "id") == "Something nobody wrote down"
    assert messages.translate("Cannot approve a plan that is DRAFT; allowed now: submit", "id") == \
        "Tidak dapat melakukan approve pada SKP berstatus DRAFT; yang dapat dilakukan sekarang: submit"
