"""The embedded SQLite mode when its disk fills up: writes answer 503 SERVICE_UNAVAILABLE (never
INTERNAL), /readyz says why, and the service writes again once there is room."""

from __future__ import annotations

import dataclasses
import os
import sqlite3

import httpx
import pytest
from conftest import BACKEND, running_server
from filesystems import fill, tiny_filesystem
from test_faults import CREATE_ROLE, LOGIN, _assert_unavailable, _codes

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the embedded SQLite file on a full disk")


async def test_a_full_disk_under_the_sqlite_file_answers_503_and_readyz_says_why(database, tmp_path):
    from kinerja.core.db import connection

    await connection().execute_query("PRAGMA wal_checkpoint(TRUNCATE)")
    with tiny_filesystem(os.path.getsize(database.sqlite_path) // 1024 + 4096) as disk:
        copy = disk / "kinerja.sqlite3"
        # SQLite's own backup, not a file copy: closing a file descriptor of the live database in
        # this process would drop the locks SQLite holds on it (POSIX locks are per process).
        with sqlite3.connect(database.sqlite_path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        settings = dataclasses.replace(database, sqlite_path=str(copy), upload_dir=str(tmp_path / "uploads"))
        async with running_server(settings, 1, tmp_path / "server.log", ready_path="/healthz") as base:
            async with httpx.AsyncClient(base_url=base, timeout=20) as client:
                token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
                client.headers["authorization"] = f"Bearer {token}"
                filler = fill(disk)
                answers = []
                for number in range(400):  # until a write needs a page the disk no longer has
                    answers.append(await client.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                        "i": {"name": f"full-{number}", "permissions": []}}}))
                    if answers[-1].status_code != 200:
                        break
                ready = await client.get("/readyz")
                filler.unlink()
                after = await client.post("/graphql", json={"query": CREATE_ROLE, "variables": {
                    "i": {"name": "room-again", "permissions": []}}})
    print(f"\nfull SQLite disk: {len(answers) - 1} writes fitted, then {answers[-1].status_code} "
          f"{_codes(answers[-1])}; /readyz {ready.status_code} {ready.json()}; space freed: {after.status_code}")
    assert all(r.status_code == 200 and _codes(r) == () for r in answers[:-1])
    _assert_unavailable(answers[-1])
    assert ready.status_code == 503 and ready.json()["database"].startswith("database disk full")
    assert after.status_code == 200 and after.json()["data"]["createRole"]["userErrors"] == []
