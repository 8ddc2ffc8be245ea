"""The `kinerja` command as an operator runs it: help, version, and the user and tenant commands
against the test database."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from importlib.metadata import version

import pytest

from kinerja.cli import build_parser

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken userErrors { code } } }"
REFRESH = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken userErrors { code } } }"
AUDIT = "query($f: AuditLogFilter) { auditLog(filter: $f, first: 50) { nodes { operation objectType actor { id } } } }"


@pytest.fixture
def kinerja(database):
    """Runs `kinerja ...` in a subprocess on the session's database."""

    def run(*args: str, password: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": database.database_url, "KINERJA_SQLITE_PATH": database.sqlite_path,
               "KINERJA_LOG_LEVEL": "WARNING"}
        env.pop("KINERJA_NEW_PASSWORD", None)
        if password is not None:
            env["KINERJA_NEW_PASSWORD"] = password
        result = subprocess.run([sys.executable, "-m", "kinerja", *args], capture_output=True, text=True, env=env,
                                stdin=subprocess.DEVNULL, timeout=120)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


def _commands(parser: argparse.ArgumentParser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _commands(child, (*path, name))


def test_every_option_has_help_and_a_shown_default():
    checked = 0
    for path, parser in _commands(build_parser()):
        text = parser.format_help()
        for action in parser._actions:
            if not action.option_strings or action.default is argparse.SUPPRESS:
                continue  # positionals, -h/--help, --version
            assert action.help, f"kinerja {' '.join(path)} {action.option_strings[0]} has no help"
            option = next(line for line in text.splitlines() if line.strip().startswith(action.option_strings[0]))
            block = " ".join(text[text.index(option):].split("\n  -")[0].split())
            assert "(default: " in block or "(required)" in block, (path, action.option_strings, block)
            checked += 1
    assert checked >= 25


def test_version(kinerja):
    assert kinerja("--version").stdout.strip() == f"kinerja {version('kinerja')}"


def test_import_help_names_the_columns(kinerja):
    employees = kinerja("import-employees", "--help").stdout
    for column in ("nip_baru", "nama", "jabatan", "unor", "nip_atasan", "jenis_pegawai"):
        assert column in employees
    training = kinerja("import-training", "--help").stdout
    for column in ("nama_kursus", "jenis_kursus", "tanggal_mulai", "tanggal_selesai", "jumlah_jam", "no_sertifikat"):
        assert column in training


async def _login(api, username: str, password: str) -> dict:
    return (await api.ok(LOGIN, {"i": {"tenant": "tebingtinggi", "username": username, "password": password}}))["login"]


async def test_users_list_deactivate_and_reset_password(api, kinerja):
    username = f"cli{uuid.uuid4().hex[:8]}"
    first, second = "first-Password-1234", "second-Password-5678"
    kinerja("users", "create", "--tenant", "tebingtinggi", "--username", username, "--role", "pegawai",
            "--role", "atasan", password=first)
    listed = kinerja("users", "list", "--tenant", "tebingtinggi").stdout.splitlines()
    assert listed[0].split() == ["USERNAME", "STATUS", "ROLES", "EMPLOYEE", "NIP"]
    assert [line.split() for line in listed if line.startswith(username)] == [[username, "active", "atasan,pegawai", "-"]]
    assert any(line.split()[:2] == ["pegawai", "active"] for line in listed)  # a demo user, with an employee NIP

    session = await _login(api, username, first)
    assert session["accessToken"]
    reset = kinerja("users", "reset-password", "--tenant", "tebingtinggi", "--username", username, password=second)
    assert "1 session(s) ended" in reset.stdout
    assert (await _login(api, username, first))["userErrors"][0]["code"] == "UNAUTHENTICATED"
    refused = await api.post(REFRESH, {"t": session["refreshToken"]})
    assert refused["data"]["refreshToken"]["userErrors"] or refused.get("errors")
    session = await _login(api, username, second)
    assert session["accessToken"]

    assert "deactivated (1 session(s) ended)" in kinerja("users", "deactivate", "--tenant", "tebingtinggi",
                                                         "--username", username).stdout
    assert (await _login(api, username, second))["userErrors"][0]["code"] == "UNAUTHENTICATED"
    listed = kinerja("users", "list", "--tenant", "tebingtinggi").stdout.splitlines()
    assert [line.split()[1] for line in listed if line.startswith(username)] == ["inactive"]

    admin = await api.token("tebingtinggi", "admin")
    for operation, changed in (("cli:users reset-password", "User"), ("cli:users deactivate", "User")):
        entries = (await api.ok(AUDIT, {"f": {"operation": operation}}, admin))["auditLog"]["nodes"]
        assert {e["objectType"] for e in entries} >= {changed, "RefreshToken"}
        assert all(e["actor"] is None for e in entries)


def test_user_commands_refuse_what_does_not_exist(kinerja):
    missing = kinerja("users", "deactivate", "--tenant", "tebingtinggi", "--username", "nobody-here", check=False)
    assert missing.returncode == 1 and "no user 'nobody-here' in tebingtinggi" in missing.stderr
    missing = kinerja("users", "list", "--tenant", "atlantis", check=False)
    assert missing.returncode == 1 and "no tenant 'atlantis'" in missing.stderr
    weak = kinerja("users", "reset-password", "--tenant", "tebingtinggi", "--username", "pegawai", password="short",
                   check=False)
    assert weak.returncode == 1 and weak.stderr.startswith("error: ")


async def test_tenants_list_and_show(api, kinerja):
    lines = kinerja("tenants", "list").stdout.splitlines()
    assert lines[0].split() == ["SLUG", "KIND", "UNITS", "EMPLOYEES", "USERS", "NAME"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert {"bungo", "nanggalo", "samarinda", "tangerang-selatan", "tebingtinggi", "platform"} <= set(rows)
    assert rows["bungo"][5:] == ["Pemerintah", "Kabupaten", "Bungo"]
    assert int(rows["bungo"][2]) > 0 and int(rows["bungo"][3]) > 100 and int(rows["bungo"][4]) >= 5

    shown = kinerja("tenants", "show", "bungo").stdout
    assert "name: Pemerintah Kabupaten Bungo" in shown
    assert f"active employees: {rows['bungo'][3]}" in shown
    assert "  period_scheme: \"SEMESTER\"" in shown and "  jp_target_pns: " in shown
    missing = kinerja("tenants", "show", "atlantis", check=False)
    assert missing.returncode == 1 and "no tenant 'atlantis'" in missing.stderr
