"""Scale-out across hosts (tests/scaleout.py): two app hosts in their own network namespaces, PgBouncer in
transaction pooling mode in front of a PostgreSQL primary and its streaming read replica, uploads in an
S3-compatible bucket. Against it: the isolation and concurrency suites pass through PgBouncer, compiled
reads go to the replica except for a user who just wrote (read-your-writes, on every host), events
published through one host reach subscribers of the other, a rate limit holds across hosts, a file
stored through one host is served by the other, and identical writes sent to both hosts at once make
one change. PostgreSQL only: the embedded SQLite mode is one process on one machine."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import samples
import scaleout
from conftest import BACKEND
from parallel import Client, Socket, outcome, together

pytestmark = [
    pytest.mark.skipif(BACKEND != "postgres", reason="scale-out runs on PostgreSQL (SQLite is one process on "
                                                     "one machine)"),
    pytest.mark.skipif(BACKEND == "postgres" and scaleout.missing() is not None,
                       reason=f"scale-out topology: {scaleout.missing()}"),
]

TENANT = scaleout.TENANT_FILE.removesuffix(".toml")
USER_LIMIT = 60  # above what the other tests of the module send per user in a minute
PLAN_FEEDBACK = "query($id: ID!) { node(id: $id) { ... on PerformancePlan { feedback { id body } } } }"
GIVE_FEEDBACK = ("mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } "
                 "userErrors { field code message } } }")
CREATE_PLAN = ("mutation($i: CreatePerformancePlanInput!) { createPerformancePlan(input: $i) { plan { id } "
               "userErrors { code message } } }")
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
              "userErrors { code message } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id } "
                 "userErrors { code message } } }")
SUBMIT = "mutation($id: ID!) { submitPerformancePlan(input: {id: $id}) { userErrors { code message } } }"
APPROVE = "mutation($id: ID!) { approvePerformancePlan(input: {id: $id}) { userErrors { code message } } }"
PLAN_EVENTS = "subscription($p: ID!) { planEvents(planId: $p) { kind planId subjectId } }"


@pytest.fixture(scope="module")
def topology():
    # Not under pytest's temporary directory: PostgreSQL and PgBouncer run as user postgres, who cannot
    # enter root's private directories.
    topology = scaleout.Topology(scaleout.workdir(), sticky_seconds=2.0,
                                 host_env={"KINERJA_RATE_USER_PER_MINUTE": str(USER_LIMIT)})
    topology.start()
    print(f"\nscale-out: hosts on {topology.isolation}: {[h.base for h in topology.servers]}")
    yield topology
    topology.stop()
    shutil.rmtree(topology.workdir, ignore_errors=True)


@pytest.fixture
async def hosts(topology):
    clients = [Client(host.base) for host in topology.servers]
    for client in clients[1:]:
        client.tokens = clients[0].tokens  # one session works on every host (shared secret and database)
    yield clients
    for client in clients:
        await client.close()


async def _approved_plan(client: Client, token: str) -> str:
    data = await client.ok("{ performancePlans(filter: {status: APPROVED}) { nodes { id } } }", token=token)
    return data["performancePlans"]["nodes"][0]["id"]


async def _feedback(client: Client, token: str, plan_id: str, body: str) -> str:
    answer = (await client.ok(GIVE_FEEDBACK, {"i": {"planId": plan_id, "body": body}}, token))["giveFeedback"]
    assert answer["userErrors"] == [], answer
    return answer["feedback"]["id"]


async def _feedback_bodies(client: Client, token: str, plan_id: str) -> list[str]:
    return [f["body"] for f in (await client.ok(PLAN_FEEDBACK, {"id": plan_id}, token))["node"]["feedback"]]


def test_the_isolation_and_concurrency_suites_pass_through_pgbouncer(topology):
    """The two suites, in a pytest of their own whose app connections go through PgBouncer (transaction
    pooling, no named prepared statements) and whose LISTEN connections go to PostgreSQL directly."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "KINERJA_TEST_BACKEND": "postgres", "TEST_DATABASE_URL": topology.primary.url,
           "KINERJA_TEST_POOLER": f"127.0.0.1:{topology.pgbouncer_port}"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                           "tests/test_isolation.py", "tests/test_concurrency.py"],
                          cwd=root, env=env, capture_output=True, text=True)
    print(done.stdout[-600:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    # Its app connections logged in to PgBouncer (its database has no entry of its own: the wildcard's).
    log = (topology.workdir / "pgbouncer" / "pgbouncer.log").read_text()
    assert re.search(r"login attempt: db=kinerja_test_\d+ user=kinerja_app", log), log[-2000:]


async def test_what_pgbouncer_refuses_is_what_the_app_leaves_out_behind_it(topology):
    """Why KINERJA_DB_POOLER=transaction changes the connection: through PgBouncer 1.18 in transaction
    mode, a startup setting it does not track closes the connection, and a statement prepared by name
    on one server connection is unknown on the next transaction's (another client held the first)."""
    import asyncpg

    url = topology.url(topology.pgbouncer_port, "kinerja").replace("postgres://", "postgresql://", 1)
    with pytest.raises(asyncpg.PostgresError, match="unsupported startup parameter"):
        await asyncpg.connect(url, server_settings={"statement_timeout": "15000"})
    cached, other = await asyncpg.connect(url), await asyncpg.connect(url)  # asyncpg's default cache
    try:
        assert await cached.fetchval("SELECT 1 + $1::int", 1) == 2  # prepared by name, server connection X
        async with other.transaction():
            await other.fetchval("SELECT 1")  # X is now held by the other client
            with pytest.raises(asyncpg.InvalidSQLStatementNameError):
                await cached.fetchval("SELECT 1 + $1::int", 1)  # the cached statement, on a fresh connection
    finally:
        await cached.close()
        await other.close()
    # The app's settings: unnamed statements, every one inside a transaction, work on any server connection.
    app = await asyncpg.connect(url, statement_cache_size=0)
    try:
        async with app.transaction():
            assert await app.fetchval("SELECT current_setting('statement_timeout')") == "15s"  # from the role
    finally:
        await app.close()


async def test_reads_go_to_the_replica_and_a_writer_reads_its_writes_on_every_host(topology, hosts):
    """With the replica's replay paused, a user who just wrote (through host 0) reads the write through
    host 1 (the primary answers him or her); another user, through the same host, reads the replica
    and does not see it yet; once the writer's window has passed he or she reads the replica too;
    when the replica resumes, everyone sees the write."""
    first, second = hosts
    pegawai, atasan = await first.token(TENANT, "pegawai"), await first.token(TENANT, "atasan")
    plan_id = await _approved_plan(first, pegawai)
    topology.wait_for_replica()
    topology.pause_replay()
    try:
        body = f"Tindak lanjut {uuid.uuid4().hex[:8]}"
        await _feedback(first, atasan, plan_id, body)
        assert body in await _feedback_bodies(second, atasan, plan_id)  # the writer: from the primary
        assert body not in await _feedback_bodies(second, pegawai, plan_id)  # anyone else: the paused replica
        await asyncio.sleep(topology.sticky_seconds + 0.5)
        assert body not in await _feedback_bodies(first, atasan, plan_id)  # the window passed: the replica
    finally:
        topology.resume_replay()
    topology.wait_for_replica()
    for client in hosts:
        assert body in await _feedback_bodies(client, pegawai, plan_id)


async def test_after_a_lost_listener_everyone_reads_from_the_primary_for_a_while(topology, hosts):
    """A host whose LISTEN connection was cut may have missed announcements of writes: until the window
    passed, every user's reads go to the primary there, and then to the replica again."""
    first, second = hosts
    pegawai, atasan = await first.token(TENANT, "pegawai"), await first.token(TENANT, "atasan")
    plan_id = await _approved_plan(first, pegawai)
    topology.wait_for_replica()
    topology.pause_replay()
    try:
        body = f"Setelah putus {uuid.uuid4().hex[:8]}"
        await _feedback(first, atasan, plan_id, body)
        assert body not in await _feedback_bodies(second, pegawai, plan_id)  # the replica
        before = _listeners(topology)
        topology.psql(topology.primary.port, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                             "WHERE application_name = 'kinerja-listener'")
        for _ in range(100):  # every host listens again, on a new connection
            now = _listeners(topology)
            if len(now) == len(before) and not now & before:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"listeners did not reconnect: {before} -> {now}")
        assert body in await _feedback_bodies(second, pegawai, plan_id)  # the primary, for everyone
        await asyncio.sleep(topology.sticky_seconds + 0.5)
        assert body not in await _feedback_bodies(second, pegawai, plan_id)  # the replica again
    finally:
        topology.resume_replay()
    topology.wait_for_replica()


def _listeners(topology) -> set[str]:
    return set(topology.psql(topology.primary.port, "SELECT pid FROM pg_stat_activity "
                                                    "WHERE application_name = 'kinerja-listener'").split())


async def test_events_published_through_one_host_reach_subscribers_of_the_other(hosts):
    first, second = hosts
    pegawai, atasan = await first.token(TENANT, "pegawai"), await first.token(TENANT, "atasan")
    plan_id = await _approved_plan(first, pegawai)
    for writer, reader in ((first, second), (second, first)):
        async with Socket(reader.base, pegawai) as socket:
            await socket.subscribe(PLAN_EVENTS, {"p": plan_id})
            await asyncio.sleep(0.5)  # registered before anything is published
            feedback_id = await _feedback(writer, atasan, plan_id, "Mohon lengkapi bukti dukung")
            message = await socket.receive(timeout=10)
            assert message["type"] == "next", message
            event = message["payload"]["data"]["planEvents"]
            assert (event["kind"], event["subjectId"]) == ("FEEDBACK_GIVEN", feedback_id)


async def test_a_user_limit_holds_across_hosts(hosts):
    """Requests of one user alternating between the hosts: together they admit about the limit (plus at
    most one sync interval's requests), not the limit once per host."""
    first, second = hosts
    token = (await first.login(TENANT, "kepala"))["accessToken"]
    await _fresh_minute()
    statuses = []
    for index in range(USER_LIMIT + 30):
        response = await hosts[index % 2].http.post("/graphql", json={"query": "{ viewer { id } }"},
                                                     headers={"authorization": f"Bearer {token}"})
        statuses.append((index % 2, response.status_code))
        await asyncio.sleep(0.05)
    admitted = sum(1 for _, status in statuses if status == 200)
    print(f"\ntwo hosts, user limit {USER_LIMIT}/min: {admitted} of {len(statuses)} alternating requests admitted")
    assert {status for _, status in statuses} == {200, 429}
    assert {host for host, status in statuses if status == 429} == {0, 1}  # both hosts refuse
    assert USER_LIMIT <= admitted <= USER_LIMIT + 8, statuses


async def _fresh_minute() -> None:
    """Start well inside a fixed minute window, so the whole burst counts in one."""
    import time

    into = time.time() % 60
    if into > 30:
        await asyncio.sleep(60 - into + 0.5)


async def test_a_file_stored_through_one_host_is_served_by_the_other(topology, hosts):
    first, second = hosts
    pegawai = await first.token(TENANT, "pegawai")
    certificate = samples.pdf(f"Sertifikat {uuid.uuid4().hex}")
    recorded = (await first.ok(
        "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id certificateSha256 } "
        "userErrors { field code message } } }",
        {"i": {"title": "Pelatihan lintas host", "kind": "WORKSHOP", "organiser": "BKPSDM", "startsOn": "2026-03-02",
               "endsOn": "2026-03-03", "jp": 4, "completed": True,
               "certificate": {"fileName": "sertifikat.pdf", "contentType": "application/pdf",
                               "contentBase64": base64.b64encode(certificate).decode()}}}, pegawai))["recordTraining"]
    assert recorded["userErrors"] == [], recorded
    download = await second.http.get(f"/certificates/{recorded['record']['id']}",
                                     headers={"authorization": f"Bearer {pegawai}"})
    assert download.status_code == 200 and download.content == certificate
    import boto3

    bucket = boto3.client("s3", endpoint_url=topology.s3_endpoint, region_name="us-east-1",
                          aws_access_key_id=scaleout.AWS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=scaleout.AWS["AWS_SECRET_ACCESS_KEY"])
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=scaleout.BUCKET).get("Contents", [])]
    assert any(key.endswith(recorded["record"]["certificateSha256"]) for key in keys), keys


async def test_identical_writes_sent_to_both_hosts_at_once_make_one_change(hosts):
    """Ten requests to approve the same submitted plan, five through each host, all through PgBouncer: one
    approves, the others answer CONFLICT."""
    first, second = hosts
    pegawai, atasan = await first.token(TENANT, "pegawai"), await first.token(TENANT, "atasan")
    plan = (await first.ok(CREATE_PLAN, {"i": {"year": 2031}}, pegawai))["createPerformancePlan"]
    assert plan["userErrors"] == [], plan
    plan_id = plan["plan"]["id"]
    result = (await second.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA", "description": "Laporan"}},
                              pegawai))["addResultTarget"]
    indicator = (await first.ok(ADD_INDICATOR, {"i": {"resultId": result["resultTarget"]["id"], "aspect": "KUANTITAS",
                                                      "description": "Laporan tersusun", "targetValue": "12",
                                                      "targetUnit": "dokumen"}}, pegawai))["addIndicator"]
    assert indicator["userErrors"] == [], indicator
    submitted = (await second.ok(SUBMIT, {"id": plan_id}, pegawai))["submitPerformancePlan"]
    assert submitted["userErrors"] == [], submitted
    answers = await together(10, lambda i: hosts[i % 2].post(APPROVE, {"id": plan_id}, atasan))
    successes, codes = outcome(answers, "approvePerformancePlan")
    assert successes == 1 and codes == ["CONFLICT"] * 9, answers
    status = await second.ok("query($id: ID!) { node(id: $id) { ... on PerformancePlan { status } } }",
                             {"id": plan_id}, atasan)
    assert status["node"]["status"] == "APPROVED"


def test_the_hosts_run_in_their_own_network_namespaces(topology):
    """Not a fallback: each host is a server process in its own namespace, reached through the bridge."""
    if topology.network is None:
        pytest.skip(f"hosts on {topology.isolation}")
    for host, namespace in zip(topology.servers, topology.network.namespaces, strict=False):
        inside = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
        assert str(host.process.pid) in inside
        assert httpx.get(f"{host.base}/healthz", timeout=5).status_code == 200


async def test_reads_fall_back_to_the_primary_while_the_replica_is_down(topology, hosts):
    """Last of the module (PgBouncer waits before it reconnects to a server it lost): with the replica
    stopped, reads are answered by the primary on every host, without an error."""
    first, second = hosts
    pegawai = await first.token(TENANT, "pegawai")
    plan_id = await _approved_plan(first, pegawai)
    # Past the writers' read-your-writes window: these reads are the replica's, so its absence shows.
    await asyncio.sleep(topology.sticky_seconds + 0.5)
    topology.replica.stop()
    try:
        for client in hosts:
            for _ in range(3):
                assert isinstance(await _feedback_bodies(client, pegawai, plan_id), list)
    finally:
        topology.replica.start()
    logs = "".join(host.log.read_text() for host in topology.servers)
    assert "replica unavailable" in logs and "reading from the primary" in logs
