"""Schemathesis fuzzes every query and mutation of schema/schema.graphql (the file: production
servers answer no introspection) against a running server, as the administrator of a demo tenant
seeded for this test alone (its mutations change nobody else's data): no answer may be a server
error (HTTP 5xx, a non-JSON body or an INTERNAL_SERVER_ERROR code).

Budget: KINERJA_FUZZ_EXAMPLES examples per operation (default 6, under a minute per backend in
CI); raise it for a longer run by hand, e.g.
`KINERJA_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest -q -s tests/test_fuzz.py` (-s prints the
figures). KINERJA_FUZZ_LOG=<file> writes the failures and the server log there.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import requests
import schemathesis
from conftest import DEMO_PASSWORD, running_server
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from kinerja.core.paths import schema_file, tenants_dir

EXAMPLES = int(os.environ.get("KINERJA_FUZZ_EXAMPLES", "6"))
FUZZ_TENANT = "fuzz-nanggalo"
# Operations not fuzzed, with the reason.
SKIPPED = {
    "login": "each example hashes a password (argon2, slow) and counts as a failure of a demo user; "
             "bad logins are covered in test_auth and test_rate_limits",
}

DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["NaN", "-Infinity", "Infinity", "1e999", "-0", "", "1,5", "0x10", "9" * 400]),
    st.text(max_size=20),
).map(nodes.String)
DATES = st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", ""]),
                  st.text(max_size=12)).map(nodes.String)


async def _seed_fuzz_tenant(tmp_path) -> None:
    from kinerja.demo.seed import seed_demo

    spec = (tenants_dir() / "nanggalo.toml").read_text().replace('slug = "nanggalo"', f'slug = "{FUZZ_TENANT}"', 1)
    path = tmp_path / f"{FUZZ_TENANT}.toml"
    path.write_text(spec)
    await seed_demo([path], log=lambda _msg: None)


def _server_errors(response: requests.Response) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return [*problems, f"not JSON: {response.text[:200]}"]
    for error in (body.get("errors") or []) if isinstance(body, dict) else []:
        if (error.get("extensions") or {}).get("code") in (None, "INTERNAL_SERVER_ERROR"):
            problems.append(f"{error.get('message')} {error.get('extensions')}")
    return problems


def _fuzz(base: str, token: str) -> tuple[int, int, list[str]]:
    schemathesis.graphql.scalar("Decimal", DECIMALS)
    schemathesis.graphql.scalar("Date", DATES)
    schema = schemathesis.graphql.from_path(schema_file())
    session = requests.Session()
    session.headers["authorization"] = f"Bearer {token}"
    operations = examples = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        name = operation.definition.field_name
        if name in SKIPPED:
            continue
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal examples
            examples += 1
            response = case.call(base_url=f"{base}/graphql", session=session, timeout=30)
            for problem in _server_errors(response):
                failures.append(f"{name}: {problem}\n  {' '.join(str(case.body).split())}")  # noqa: B023 - run() below, in this iteration

        run()
    return operations, examples, failures


async def test_fuzz_the_schema_finds_no_server_error(database, tmp_path):
    await _seed_fuzz_tenant(tmp_path)
    async with running_server(database, 1, tmp_path / "server.log") as base:
        login = requests.post(f"{base}/graphql", json={"query": (
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }"), "variables": {
            "i": {"tenant": FUZZ_TENANT, "username": "admin", "password": DEMO_PASSWORD}}}, timeout=30)
        token = login.json()["data"]["login"]["accessToken"]
        started = time.monotonic()
        operations, examples, failures = await asyncio.to_thread(_fuzz, base, token)
        elapsed = time.monotonic() - started
    print(f"\nfuzz: {operations} operations, {examples} examples in {elapsed:.1f} s "
          f"({EXAMPLES} per operation; skipped: {', '.join(SKIPPED)})")
    if failures and os.environ.get("KINERJA_FUZZ_LOG"):
        Path(os.environ["KINERJA_FUZZ_LOG"]).write_text("\n".join(failures) + "\n\n" + (tmp_path / "server.log").read_text())
    assert not failures, "\n".join(failures[:20])
