"""Notifications through the API: the inbox filled by state changes in their own transaction, read
and marked, preferences, the live subscription, mail through a real SMTP server, and reminders sent
exactly once by concurrent workers; another user or tenant reaches nothing."""

from __future__ import annotations

import pytest
from conftest import error_codes, rows

from kinerja.auth.models import User
from kinerja.notifications.models import Notification
from kinerja.tenancy.models import Tenant

pytestmark = pytest.mark.asyncio

YEAR = 2062  # years 2062-2074 are planned in by no other test file (test_concurrency counts up from 2040)
CREATE = ("mutation($i: CreatePerformancePlanInput!) { createPerformancePlan(input: $i) { plan { id } "
          "userErrors { field code message } } }")
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
              "userErrors { field code message } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id } "
                 "userErrors { field code message } } }")
SUBMIT = "mutation($id: ID!) { submitPerformancePlan(input: {id: $id}) { plan { status } userErrors { code } } }"
RETURN = ("mutation($id: ID!) { returnPerformancePlan(input: {id: $id, reason: \"Lengkapi\"}) { plan { status } "
          "userErrors { code } } }")
INBOX = ("query($unread: Boolean) { notifications(first: 50, unreadOnly: $unread) { totalCount nodes { id kind title "
         "body subjectType subjectId readAt } } unreadNotificationCount }")
MARK = ("mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { count "
        "userErrors { field code message } } }")
PREFER = ("mutation($i: SetNotificationPreferenceInput!) { setNotificationPreference(input: $i) { preference { kind "
          "inApp email digest } userErrors { field code message } } }")


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def _submitted_plan(api, pegawai, year=YEAR, submit=True):
    created = (await api.ok(CREATE, {"i": {"year": year, "approach": "KUANTITATIF", "behaviourExpectations": [
        {"value": "AKUNTABEL", "expectation": "Melaporkan kemajuan setiap bulan"}]}}, pegawai))["createPerformancePlan"]
    assert created["userErrors"] == [], created
    plan_id = created["plan"]["id"]
    result = (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA",
                                              "description": "Tersusunnya laporan"}}, pegawai))["addResultTarget"]
    indicator = (await api.ok(ADD_INDICATOR, {"i": {
        "resultId": result["resultTarget"]["id"], "aspect": "KUANTITAS", "description": "Jumlah laporan",
        "targetValue": "12", "targetUnit": "dokumen"}}, pegawai))["addIndicator"]
    assert indicator["userErrors"] == [], indicator
    if not submit:
        return plan_id
    submitted = (await api.ok(SUBMIT, {"id": plan_id}, pegawai))["submitPerformancePlan"]
    assert submitted["plan"]["status"] == "SUBMITTED", submitted
    return plan_id


async def _inbox(api, token, unread=None, language=None):
    return (await api.ok(INBOX, {"unread": unread}, token))


async def test_a_submitted_plan_reaches_the_supervisors_inbox_and_is_marked_read(api):
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    before = (await _inbox(api, atasan))["notifications"]["totalCount"]
    plan_id = await _submitted_plan(api, pegawai)
    inbox = await _inbox(api, atasan)
    assert inbox["notifications"]["totalCount"] == before + 1
    newest = inbox["notifications"]["nodes"][0]
    assert newest["kind"] == "PLAN_SUBMITTED" and newest["subjectId"] == plan_id and newest["readAt"] is None
    assert newest["subjectType"] == "PerformancePlan" and str(YEAR) in newest["body"]
    assert newest["title"] == "Plan submitted"
    unread = inbox["unreadNotificationCount"]
    assert unread >= 1
    # Rendered in the reader's language.
    response = await api.client.post("/graphql", json={"query": INBOX, "variables": {}}, headers={
        "authorization": f"Bearer {atasan}", "accept-language": "id"})
    assert response.json()["data"]["notifications"]["nodes"][0]["title"] == "SKP diajukan"
    # The submitter is not told of his own action.
    assert all(n["subjectId"] != plan_id for n in (await _inbox(api, pegawai))["notifications"]["nodes"])

    marked = (await api.ok(MARK, {"i": {"ids": [newest["id"]]}}, atasan))["markNotificationsRead"]
    assert marked == {"count": 1, "userErrors": []}
    again = (await api.ok(MARK, {"i": {"ids": [newest["id"]]}}, atasan))["markNotificationsRead"]
    assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]
    unread_only = (await _inbox(api, atasan, unread=True))["notifications"]["nodes"]
    assert all(n["id"] != newest["id"] for n in unread_only) and all(n["readAt"] is None for n in unread_only)
    assert (await _inbox(api, atasan))["unreadNotificationCount"] == unread - 1

    # Returned: the owner hears of it.
    assert (await api.ok(RETURN, {"id": plan_id}, atasan))["returnPerformancePlan"]["plan"]["status"] == "RETURNED"
    owner = (await _inbox(api, pegawai, unread=True))["notifications"]["nodes"][0]
    assert owner["kind"] == "PLAN_RETURNED" and owner["subjectId"] == plan_id
    everything = (await api.ok(MARK, {"i": {"all": True}}, pegawai))["markNotificationsRead"]
    assert everything["count"] >= 1 and (await _inbox(api, pegawai))["unreadNotificationCount"] == 0


async def test_a_rolled_back_change_leaves_no_notification(api):
    pegawai = await api.token("bungo", "pegawai")
    tenant = await _tenant("bungo")
    plan_id = await _submitted_plan(api, pegawai, YEAR + 3, submit=False)
    count = len(await rows(Notification, tenant.id))
    # The second mutation fails, so the operation (with the submission before it) rolls back.
    body = await api.post("mutation($id: ID!) { s: submitPerformancePlan(input: {id: $id}) { plan { status } } "
                          "m: markNotificationsRead(input: {ids: []}) { count userErrors { code } } }",
                          {"id": plan_id}, pegawai)
    assert body["data"]["m"]["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert len(await rows(Notification, tenant.id)) == count


async def test_preference_off_creates_nothing(api):
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    off = (await api.ok(PREFER, {"i": {"kind": "PLAN_SUBMITTED", "inApp": False}}, atasan))["setNotificationPreference"]
    assert off == {"preference": {"kind": "PLAN_SUBMITTED", "inApp": False, "email": False, "digest": False},
                   "userErrors": []}
    same = (await api.ok(PREFER, {"i": {"kind": "PLAN_SUBMITTED", "inApp": False}}, atasan))["setNotificationPreference"]
    assert [e["code"] for e in same["userErrors"]] == ["CONFLICT"]
    try:
        before = (await _inbox(api, atasan))["notifications"]["totalCount"]
        await _submitted_plan(api, pegawai, YEAR + 1)
        assert (await _inbox(api, atasan))["notifications"]["totalCount"] == before
        listed = await api.ok("{ notificationPreferences { kind inApp } }", None, atasan)
        assert {"kind": "PLAN_SUBMITTED", "inApp": False} in listed["notificationPreferences"]
    finally:
        await api.ok(PREFER, {"i": {"kind": "PLAN_SUBMITTED", "inApp": True}}, atasan)


async def test_another_user_or_tenant_cannot_read_or_mark_your_notifications(api):
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    await _submitted_plan(api, pegawai, YEAR + 2)
    mine = (await _inbox(api, atasan, unread=True))["notifications"]["nodes"][0]
    tenant = await _tenant("bungo")
    for token in (pegawai, await api.token("samarinda", "kepala"), await api.token("samarinda", "admin")):
        marked = (await api.ok(MARK, {"i": {"ids": [mine["id"]]}}, token))["markNotificationsRead"]
        assert [e["code"] for e in marked["userErrors"]] == ["NOT_FOUND"], marked
        assert all(n["id"] != mine["id"] for n in (await _inbox(api, token))["notifications"]["nodes"])
        node = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": mine["id"]}, token)
        assert "NOT_FOUND" in error_codes(node) or node["data"]["node"] is None
    [row] = [n for n in await rows(Notification, tenant.id) if n.kind == "PLAN_SUBMITTED"
             and str(n.id) in _raw(mine["id"])]
    assert row.read_at is None


def _raw(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()


async def test_training_decisions_feedback_and_assigned_tickets_notify_their_people(api):
    import datetime as dt
    import uuid

    from kinerja.citizen.models import FeedbackTicket, Service, ServiceUnit
    from kinerja.citizen.rules import TicketKind, TicketStatus, new_ticket_code
    from kinerja.core import clock
    from kinerja.core.db import tenant_transaction
    from kinerja.core.ids import to_global_id
    from kinerja.org.models import OrgUnit

    pegawai, hr = await api.token("tebingtinggi", "pegawai"), await api.token("tebingtinggi", "bkpsdm")
    record = ("mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id } "
              "userErrors { code } } }")
    ids = []
    for title in ("Pelatihan notifikasi A", "Pelatihan notifikasi B"):
        answer = (await api.ok(record, {"i": {"title": title, "kind": "WORKSHOP", "organiser": "BKPSDM",
                                              "startsOn": "2026-03-01", "endsOn": "2026-03-02", "jp": 4,
                                              "completed": True}}, pegawai))["recordTraining"]
        assert answer["userErrors"] == []
        ids.append(answer["record"]["id"])
    await api.ok("mutation($id: ID!) { verifyTraining(input: {id: $id}) { userErrors { code } } }", {"id": ids[0]}, hr)
    await api.ok("mutation($id: ID!) { rejectTraining(input: {id: $id, reason: \"Sertifikat tidak sah\"}) "
                 "{ userErrors { code } } }", {"id": ids[1]}, hr)
    nodes = (await _inbox(api, pegawai))["notifications"]["nodes"]
    kinds = {n["subjectId"]: n["kind"] for n in nodes}
    assert kinds.get(ids[0]) == "TRAINING_VERIFIED" and kinds.get(ids[1]) == "TRAINING_REJECTED"

    # Feedback from the supervisor on the employee's plan reaches the employee.
    bungo_pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    plan_id = await _submitted_plan(api, bungo_pegawai, YEAR + 10)
    given = await api.ok("mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } "
                         "userErrors { code } } }", {"i": {"planId": plan_id, "body": "Indikatornya sudah baik"}},
                         atasan)
    feedback_id = given["giveFeedback"]["feedback"]["id"]
    newest = (await _inbox(api, bungo_pegawai, unread=True))["notifications"]["nodes"][0]
    assert newest["kind"] == "FEEDBACK_GIVEN" and newest["subjectId"] == feedback_id

    # An assigned ticket reaches its assignee.
    tebing = await _tenant("tebingtinggi")
    admin, kepala = await api.token("tebingtinggi", "admin"), await api.token("tebingtinggi", "kepala")
    me = (await api.ok("{ viewer { employee { id } } }", None, kepala))["viewer"]["employee"]["id"]
    units = {u.id: u.code for u in await rows(OrgUnit, tebing.id)}
    service_units = {u.id: units.get(u.org_unit_id, "") for u in await rows(ServiceUnit, tebing.id)}
    service = next(s for s in await rows(Service, tebing.id) if service_units[s.service_unit_id].startswith("DINKES"))
    async with tenant_transaction(tebing.id):  # a fresh ticket: other files assign the demo's ones
        ticket = await FeedbackTicket.create(
            tenant_id=tebing.id, code=new_ticket_code(), kind=TicketKind.COMPLAINT, service_id=service.id,
            service_unit_id=service.service_unit_id, message="Antrean terlalu lama", status=TicketStatus.RECEIVED,
            due_at=clock.now() + dt.timedelta(days=5), fingerprint=uuid.uuid4().hex)
    ticket_id = to_global_id("CitizenFeedback", ticket.id)
    assigned = await api.ok("mutation($i: AssignFeedbackInput!) { assignFeedback(input: $i) { userErrors { code } } }",
                            {"i": {"id": ticket_id, "employeeId": me}}, admin)
    assert assigned["assignFeedback"]["userErrors"] == []
    newest = (await _inbox(api, kepala, unread=True))["notifications"]["nodes"][0]
    assert newest["kind"] == "TICKET_ASSIGNED" and newest["subjectId"] == ticket_id and ticket.code in newest["body"]


def _inserts(statements) -> list[str]:
    return [s for s in statements if s.startswith("INSERT INTO notification ")]


def _announced(statements) -> list[str]:
    """Events published on PostgreSQL, one item per event (a statement may publish several; in SQLite
    mode they go to the process's hub, unlogged)."""
    return [s for s in statements if "pg_notify" in s for _ in range(s.count('"kind":"NOTIFICATION_ADDED"'))]


async def test_a_change_that_notifies_several_people_inserts_their_notifications_in_one_statement(api, count_statements):
    from kinerja.core.db import is_postgres

    pegawai, atasan = await api.token("tebingtinggi", "pegawai"), await api.token("tebingtinggi", "atasan")
    hr = await api.token("tebingtinggi", "bkpsdm")
    record = "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id } userErrors { code } } }"
    ids = []
    for token in (pegawai, atasan):
        answer = (await api.ok(record, {"i": {"title": "Pelatihan notifikasi bersama", "kind": "WORKSHOP",
                                              "organiser": "BKPSDM", "startsOn": "2026-04-01", "endsOn": "2026-04-02",
                                              "jp": 4, "completed": True}}, token))["recordTraining"]
        assert answer["userErrors"] == [], answer
        ids.append(answer["record"]["id"])
    count_statements.statements.clear()
    decided = await api.ok("mutation($a: ID!, $b: ID!) { a: verifyTraining(input: {id: $a}) { userErrors { code } } "
                           "b: rejectTraining(input: {id: $b, reason: \"Sertifikat tidak sah\"}) { userErrors { code } } }",
                           {"a": ids[0], "b": ids[1]}, hr)
    assert decided["a"]["userErrors"] == [] and decided["b"]["userErrors"] == [], decided
    statements = list(count_statements.statements)
    assert len(_inserts(statements)) == 1, _inserts(statements)
    if is_postgres():
        assert len(_announced(statements)) == 2  # one event per notification, as before
    for token, record_id, kind in ((pegawai, ids[0], "TRAINING_VERIFIED"), (atasan, ids[1], "TRAINING_REJECTED")):
        nodes = (await _inbox(api, token))["notifications"]["nodes"]
        assert [n["kind"] for n in nodes if n["subjectId"] == record_id] == [kind]


async def test_which_audited_changes_notify():
    from kinerja.notifications.rules import kind_of, render

    def change(before, after):
        return {"before": before, "after": after}

    assert kind_of("Evaluation", {"status": change("DRAFT", "FINAL")}) == "EVALUATION_FINALISED"
    assert kind_of("Evaluation", {"status": change(None, "FINAL")}) == "EVALUATION_FINALISED"  # a corrected version
    assert kind_of("Evaluation", {"status": change("FINAL", "CORRECTED")}) is None
    assert kind_of("EvaluationObjection", {"status": change(None, "FILED")}) == "OBJECTION_FILED"
    assert kind_of("EvaluationObjection", {"status": change("FILED", "REJECTED")}) == "OBJECTION_DECIDED"
    assert kind_of("PerformancePlan", {"status": change(None, "DRAFT")}) is None
    assert kind_of("PerformancePlan", {"title": change("a", "b")}) is None
    assert kind_of("FeedbackTicket", {"assigned_to_id": change("x", None)}) is None
    assert kind_of("FeedbackTicket", {"assigned_to_id": change("x", "y")}) == "TICKET_ASSIGNED"
    assert kind_of("Feedback", {"body": change("old", "new")}) is None
    assert render("OBJECTION_DECIDED", {"status": "ACCEPTED"}, "id") == (
        "Keberatan diputuskan", "Keberatan Anda telah diputuskan: ACCEPTED.")
    assert render("PLAN_SUBMITTED", {}, "en")[1] == "- submitted the - performance plan for your approval."


# --- live: notificationAdded over graphql-transport-ws, from a real server ----------------------

ADDED = "subscription { notificationAdded { notificationId kind title body subjectId } }"


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    from conftest import BACKEND, running_server

    async with running_server(database, 2 if BACKEND == "postgres" else 1,
                              tmp_path_factory.mktemp("notify") / "server.log") as base:
        yield base


@pytest.fixture
async def http(server):
    from parallel import Client

    client = Client(server)
    yield client
    await client.close()


class _Ok:
    """``ok`` over a running server, the shape of conftest's Api."""

    def __init__(self, client):
        self.client = client

    async def ok(self, query, variables=None, token=None):
        body = await self.client.post(query, variables, token)
        assert "errors" not in body, body
        return body["data"]


async def test_the_subscription_delivers_the_recipients_notifications_only(server, http):
    import asyncio
    import json

    import websockets

    pegawai, atasan = await http.token("bungo", "pegawai"), await http.token("bungo", "atasan")
    other = await http.token("samarinda", "kepala")
    url = server.replace("http://", "ws://") + "/graphql"
    sockets = []
    for token in (atasan, pegawai, other):
        ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ADDED}}))
        sockets.append(ws)
    await asyncio.sleep(0.5)
    try:
        plan_id = await _submitted_plan(_Ok(http), pegawai, YEAR + 4)
        message = json.loads(await asyncio.wait_for(sockets[0].recv(), 10))
        assert message["type"] == "next" and message["payload"].get("data"), message
        event = message["payload"]["data"]["notificationAdded"]
        assert event["kind"] == "PLAN_SUBMITTED" and event["subjectId"] == plan_id
        assert event["title"] == "Plan submitted"
        for ws in sockets[1:]:  # the submitter and another tenant hear nothing
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 1.5)
    finally:
        for ws in sockets:
            await ws.close()


async def test_marking_at_once_marks_once_and_setting_a_preference_at_once_sets_it_once(http):
    from parallel import outcome, together

    from kinerja.core.audit_models import AuditLog

    pegawai, atasan = await http.token("bungo", "pegawai"), await http.token("bungo", "atasan")
    await _submitted_plan(_Ok(http), pegawai, YEAR + 8)
    [newest] = (await http.post(INBOX.replace("first: 50", "first: 1"), {"unread": True}, atasan))[
        "data"]["notifications"]["nodes"]
    answers = await together(10, lambda _i: http.post(MARK, {"i": {"ids": [newest["id"]]}}, atasan))
    successes, codes = outcome(answers, "markNotificationsRead")
    assert successes == 1 and codes == ["CONFLICT"] * 9
    tenant = await _tenant("bungo")
    entries = [e for e in await rows(AuditLog, tenant.id, operation="markNotificationsRead")
               if str(e.object_id) == _raw(newest["id"]).split(":")[1]]
    assert len(entries) == 1

    answers = await together(10, lambda _i: http.post(PREFER, {"i": {"kind": "TICKET_ASSIGNED", "email": True}},
                                                       atasan))
    successes, codes = outcome(answers, "setNotificationPreference")
    assert successes == 1 and codes == ["CONFLICT"] * 9
    await http.post(PREFER, {"i": {"kind": "TICKET_ASSIGNED", "email": False}}, atasan)


# --- mail through a real SMTP server, the digest, reminders by concurrent workers ----------------

class _Inbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler protocol
        import email

        self.mails.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
async def smtp_tenant(database):
    """bungo mails through an aiosmtpd server on a free port; restored afterwards."""
    import socket

    from aiosmtpd.controller import Controller

    from kinerja.core.db import tenant_transaction

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    tenant = await _tenant("bungo")
    original = dict(tenant.settings)
    async with tenant_transaction(None):
        await Tenant.filter(id=tenant.id).update(settings={
            **original, "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "kinerja@bungo.go.id",
            "smtp_starttls": False})
    try:
        yield (await _tenant("bungo")), inbox
    finally:
        controller.stop()
        async with tenant_transaction(None):
            await Tenant.filter(id=tenant.id).update(settings=original)


async def _set_email(tenant_id, username, address):
    from kinerja.auth.models import User
    from kinerja.core.db import tenant_transaction

    async with tenant_transaction(tenant_id):
        await User.filter(tenant_id=tenant_id, username=username).update(email=address)


async def test_mail_goes_out_once_through_the_smtp_server(api, smtp_tenant):
    from kinerja.core import clock
    from kinerja.notifications import worker

    tenant, inbox = smtp_tenant
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    set_email = ("mutation($e: String) { setNotificationEmail(input: {email: $e}) { ok "
                 "userErrors { field code message } } }")
    bad = (await api.ok(set_email, {"e": "bukan alamat@"}, atasan))["setNotificationEmail"]
    assert bad["ok"] is False and [(e["field"], e["code"]) for e in bad["userErrors"]] == [("email", "BAD_USER_INPUT")]
    assert "bukan" not in bad["userErrors"][0]["message"]
    assert (await api.ok(set_email, {"e": "atasan@bungo.go.id"}, atasan))["setNotificationEmail"]["ok"] is True
    again = (await api.ok(set_email, {"e": "atasan@bungo.go.id"}, atasan))["setNotificationEmail"]
    assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]
    await api.ok(PREFER, {"i": {"kind": "PLAN_SUBMITTED", "email": True}}, atasan)
    try:
        await worker.send_mail(tenant, clock.now())  # anything older goes first
        inbox.mails.clear()
        await _submitted_plan(api, pegawai, YEAR + 5)
        assert await worker.send_mail(tenant, clock.now()) == 1
        [(to, message)] = inbox.mails
        assert to == ["atasan@bungo.go.id"] and message["Subject"] == "SKP diajukan"
        assert message["From"] == "kinerja@bungo.go.id" and str(YEAR + 5) in message.get_payload()
        assert await worker.send_mail(tenant, clock.now()) == 0 and len(inbox.mails) == 1
        [row] = [n for n in await rows(Notification, tenant.id, kind="PLAN_SUBMITTED") if n.emailed_at is not None
                 and n.params.get("year") == YEAR + 5]
        assert row.emailed_at is not None
    finally:
        await api.ok(PREFER, {"i": {"kind": "PLAN_SUBMITTED", "email": False}}, atasan)


async def test_the_daily_digest_lists_the_days_unread_notifications_in_one_mail(api, smtp_tenant):
    import datetime as dt

    from kinerja.core import clock
    from kinerja.notifications import worker

    tenant, inbox = smtp_tenant
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    await _set_email(tenant.id, "pegawai", "pegawai@bungo.go.id")
    await api.ok(PREFER, {"i": {"kind": "PLAN_RETURNED", "digest": True}}, pegawai)
    try:
        tomorrow = clock.now() + dt.timedelta(days=1)
        await worker.send_digests(tenant, tomorrow)
        inbox.mails.clear()
        for year in (YEAR + 6, YEAR + 7):
            plan_id = await _submitted_plan(api, pegawai, year)
            assert (await api.ok(RETURN, {"id": plan_id}, atasan))["returnPerformancePlan"]["plan"]["status"] == "RETURNED"
        assert await worker.send_digests(tenant, clock.now() - dt.timedelta(days=1)) == 0  # not yet due
        assert await worker.send_digests(tenant, tomorrow) == 1
        [(to, message)] = inbox.mails
        assert to == ["pegawai@bungo.go.id"] and message["Subject"] == "Ringkasan notifikasi harian"
        body = message.get_payload()
        assert str(YEAR + 6) in body and str(YEAR + 7) in body and body.count("SKP dikembalikan") == 2
        assert await worker.send_digests(tenant, tomorrow) == 0
    finally:
        await api.ok(PREFER, {"i": {"kind": "PLAN_RETURNED", "digest": False}}, pegawai)


async def test_two_workers_send_each_reminder_exactly_once(api):
    import asyncio
    import datetime as dt

    from kinerja.notifications import worker

    tenant = await _tenant("bungo")
    later = dt.datetime(YEAR + 9, 3, 1, 3, 0, tzinfo=dt.UTC)  # the plan deadline of that year has passed
    first, second = await asyncio.gather(worker.run_once(later), worker.run_once(later))
    reminders = [n for n in await rows(Notification, tenant.id, kind="PLAN_DUE")
                 if n.params.get("year") == YEAR + 9]
    assert reminders, "someone has no plan of that year"
    keys = [n.once_key for n in reminders]
    assert len(keys) == len(set(keys))
    people = [n.subject_id for n in reminders]
    assert len(people) == len(set(people))  # one per person and deadline
    assert first["reminders"] + second["reminders"] >= len(reminders)
    again = await worker.run_once(later)
    assert again["reminders"] == 0
    # The reminder is in the inbox of the person it reminds, in the reader's language.
    pegawai = await api.token("bungo", "pegawai")
    nodes = (await _inbox(api, pegawai))["notifications"]["nodes"]
    due = [n for n in nodes if n["kind"] == "PLAN_DUE" and str(YEAR + 9) in n["body"]]
    assert len(due) == 1 and due[0]["title"] == "Plan not submitted"


async def test_a_reminder_round_inserts_its_reminders_at_once_and_leaves_out_those_sent(api, count_statements):
    import datetime as dt

    from kinerja.core.db import is_postgres, tenant_transaction
    from kinerja.notifications import worker
    from kinerja.tenancy.rules import TenantSettings

    tenant = await _tenant("bungo")
    year = YEAR + 12
    later = dt.datetime(year, 3, 1, 3, 0, tzinfo=dt.UTC)  # the plan deadline of that year has passed
    count_statements.statements.clear()
    made = await worker.remind(tenant, later)
    statements = list(count_statements.statements)
    reminders = [n for n in await rows(Notification, tenant.id, kind="PLAN_DUE") if n.params.get("year") == year]
    assert made == len(reminders) > 1
    assert len(_inserts(statements)) == 1, _inserts(statements)
    if is_postgres():
        assert len(_announced(statements)) == made
    deadline = reminders[0].params["deadline"]  # keys are spelled as before the due query spelled them
    employees = {u.id: u.employee_id for u in await rows(User, tenant.id)}
    assert sorted(n.once_key for n in reminders) == sorted(
        f"PLAN_DUE:{employees[n.recipient_id]}:{deadline}" for n in reminders)

    count_statements.statements.clear()
    assert await worker.remind(tenant, later) == 0
    assert _inserts(count_statements.statements) == [] and _announced(count_statements.statements) == []
    async with tenant_transaction(tenant.id):
        assert await worker.plans_due(tenant.id, TenantSettings.from_dict(tenant.settings), later.date()) == []


async def test_missing_realisations_and_due_evaluations_are_reminded_once(api):
    import datetime as dt

    from kinerja.auth.models import User
    from kinerja.core.db import tenant_transaction
    from kinerja.notifications import worker
    from kinerja.org.models import Period
    from kinerja.org.service import ensure_periods

    year = YEAR + 11
    tenant = await _tenant("bungo")
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    pegawai, atasan = await api.token("bungo", "pegawai"), await api.token("bungo", "atasan")
    plan_id = await _submitted_plan(api, pegawai, year)
    approve = "mutation($id: ID!) { approvePerformancePlan(input: {id: $id}) { plan { status } } }"
    assert (await api.ok(approve, {"id": plan_id}, atasan))["approvePerformancePlan"]["plan"]["status"] == "APPROVED"
    first = min((p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL"),
                key=lambda p: p.ends_on)
    settings = tenant.settings
    realisation_day = first.ends_on + dt.timedelta(days=settings.get("realisation_due_days", 7) + 1)
    for _ in range(2):
        await worker.run_once(dt.datetime.combine(realisation_day, dt.time(3), tzinfo=dt.UTC))
    due = [n for n in await rows(Notification, tenant.id, kind="REALISATION_DUE") if n.subject_id == first.id]
    assert len(due) == 1 and due[0].params["period"] == first.name
    assert not [n for n in await rows(Notification, tenant.id, kind="EVALUATION_DUE") if str(first.id) in n.once_key]
    evaluation_day = realisation_day + dt.timedelta(days=settings.get("evaluation_due_days", 14) + 1)
    for _ in range(2):
        await worker.run_once(dt.datetime.combine(evaluation_day, dt.time(3), tzinfo=dt.UTC))
    evaluations = [n for n in await rows(Notification, tenant.id, kind="EVALUATION_DUE") if str(first.id) in n.once_key]
    [users] = [u for u in await rows(User, tenant.id, username="atasan")]
    assert evaluations and len({n.once_key for n in evaluations}) == len(evaluations)
    assert any(n.recipient_id == users.id for n in evaluations)  # the supervisor of pegawai


async def test_an_overdue_ticket_is_escalated_once_to_the_unit_head(api, count_statements):
    import asyncio
    import datetime as dt

    from kinerja.auth.models import User
    from kinerja.citizen.models import FeedbackTicket, ServiceUnit
    from kinerja.core.db import tenant_transaction
    from kinerja.notifications import worker
    from kinerja.org.models import OrgUnit

    tenant = await _tenant("bungo")
    [kepala] = await rows(User, tenant.id, username="kepala")
    ticket = min((t for t in await rows(FeedbackTicket, tenant.id) if t.status.value in ("RECEIVED", "IN_PROGRESS")),
                 key=lambda t: t.due_at)
    [service_unit] = await rows(ServiceUnit, tenant.id, id=ticket.service_unit_id)
    [unit] = await rows(OrgUnit, tenant.id, id=service_unit.org_unit_id)
    async with tenant_transaction(tenant.id):  # the ticket's unit is headed by a user who can be told
        await OrgUnit.filter(tenant_id=tenant.id, id=unit.id).update(head_id=kepala.employee_id)
    try:
        after = ticket.due_at + dt.timedelta(hours=1)
        await asyncio.gather(worker.run_once(after), worker.run_once(after))
        count_statements.statements.clear()
        assert (await worker.run_once(after))["reminders"] == 0
        assert _inserts(count_statements.statements) == []  # every tenant's due reminders were left out
        escalated = [n for n in await rows(Notification, tenant.id, kind="TICKET_OVERDUE") if n.subject_id == ticket.id]
        assert len(escalated) == 1 and escalated[0].recipient_id == kepala.id
        assert escalated[0].params["code"] == ticket.code
        assert escalated[0].once_key == f"TICKET_OVERDUE:{kepala.employee_id}:{ticket.id}:{ticket.due_at.isoformat()}"
    finally:
        async with tenant_transaction(tenant.id):
            await OrgUnit.filter(tenant_id=tenant.id, id=unit.id).update(head_id=unit.head_id)


async def test_a_password_reset_code_is_mailed_not_shown_where_the_tenant_has_mail(api, smtp_tenant):
    """resetUserPassword: with the tenant's mail server and the user's address the code goes by mail
    once the operation commits (delivery MAILED, no code in the answer); without an address it is shown."""
    import re
    import uuid

    tenant, inbox = smtp_tenant
    admin = await api.token("bungo", "admin")
    role = f"uji_{uuid.uuid4().hex[:8]}"
    await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code } } }",
                 {"i": {"name": role, "permissions": ["audit:read:tenant"]}}, admin)
    create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code } } }"
    reset = ("mutation($i: ResetUserPasswordInput!) { resetUserPassword(input: $i) { code delivery "
             "userErrors { code } } }")
    users = {}
    for name in ("surat", "tanpa"):
        username = f"{name}.{uuid.uuid4().hex[:6]}"
        created = (await api.ok(create, {"i": {"username": username, "password": "sandi-awal-12345",
                                               "roles": [role]}}, admin))["createUser"]
        users[name] = (username, created["user"]["id"])
    await _set_email(tenant.id, users["surat"][0], "surat@bungo.go.id")

    mailed = (await api.ok(reset, {"i": {"userId": users["surat"][1]}}, admin))["resetUserPassword"]
    assert mailed == {"code": None, "delivery": "MAILED", "userErrors": []}
    [(to, mail)] = inbox.mails
    assert to == ["surat@bungo.go.id"] and mail["Subject"] == "Kode atur ulang kata sandi Kinerja"
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", mail.get_payload()).group(0)
    done = await api.ok("mutation($i: CompletePasswordResetInput!) { completePasswordReset(input: $i) { ok } }",
                        {"i": {"tenant": "bungo", "username": users["surat"][0], "code": code,
                               "newPassword": "sandi-dari-surat-1"}})
    assert done["completePasswordReset"]["ok"] is True
    assert (await api.login("bungo", users["surat"][0], "sandi-dari-surat-1"))["accessToken"]

    shown = (await api.ok(reset, {"i": {"userId": users["tanpa"][1]}}, admin))["resetUserPassword"]
    assert shown["delivery"] == "SHOWN" and len(shown["code"]) == 14
    assert len(inbox.mails) == 1
