"""Reads that name their tenant by an argument (the public citizen reads, no login) and training
recommendations: compiled to one data statement on both backends, with the answers and errors the
field-by-field resolvers gave."""

from __future__ import annotations

import uuid

from conftest import BACKEND, error_codes, is_binding, is_rate_limit_write, normalised, rows

from kinerja.core.ids import to_global_id
from kinerja.training.rules import RecommendationTrigger

PUBLIC_SERVICES = "query($t: String!) { publicServices(tenant: $t) { __typename id code name description serviceUnit } }"
QUESTIONS = "query($t: String!) { surveyQuestions(tenant: $t) { __typename number element question answers } }"
BOTH = ("query($t: String!) { services: publicServices(tenant: $t) { name } "
        "questions: surveyQuestions(tenant: $t) { number } }")


def _split(statements: list[str]) -> tuple[list[str], list[str]]:
    return [s for s in statements if is_binding(s)], [s for s in statements if not is_binding(s)]


async def _measured(api, count_statements, read_paths, query: str, variables: dict, token: str | None = None):
    await api.post(query, variables, token)  # the tenants' index is loaded
    count_statements.statements.clear()
    read_paths.lines.clear()
    body = await api.post(query, variables, token)
    assert read_paths.compiled(), (query, read_paths.lines)
    return body, *_split(count_statements.statements)


async def test_public_services_are_one_statement_bound_to_the_tenant_named(api, count_statements, read_paths):
    body, binding, data = await _measured(api, count_statements, read_paths, PUBLIC_SERVICES, {"t": "bungo"})
    services = body["data"]["publicServices"]
    assert {"Perekaman dan pencetakan KTP-el", "Poli umum puskesmas"} <= {s["name"] for s in services}
    assert all(s["__typename"] == "PublicService" and s["serviceUnit"] for s in services)
    assert [s["name"] for s in services] == sorted(s["name"] for s in services)
    assert len(data) == 1 and "public_service" in data[0], data
    assert len(binding) == (1 if BACKEND == "postgres" else 0), binding


async def test_survey_questions_need_no_statement(api, count_statements, read_paths):
    body, binding, data = await _measured(api, count_statements, read_paths, QUESTIONS, {"t": "bungo"})
    questions = body["data"]["surveyQuestions"]
    assert [q["number"] for q in questions] == list(range(1, 10))
    assert all(len(q["answers"]) == 4 for q in questions)
    assert binding == [] and data == []
    body, binding, data = await _measured(api, count_statements, read_paths, BOTH, {"t": "bungo"})
    assert len(body["data"]["questions"]) == 9 and body["data"]["services"]
    assert len(data) == 1 and len(binding) == (1 if BACKEND == "postgres" else 0), (binding, data)


async def test_an_unknown_tenant_is_not_found_without_a_statement(api, count_statements, read_paths):
    for slug in ("atlantis", "platform", "PLATFORM ", ""):
        for query, field in ((PUBLIC_SERVICES, "publicServices"), (QUESTIONS, "surveyQuestions")):
            body, binding, data = await _measured(api, count_statements, read_paths, query, {"t": slug})
            assert body["data"] is None and error_codes(body) == ["NOT_FOUND"], body
            error = body["errors"][0]
            assert error["path"] == [field] and error["message"] == "Unknown tenant", error
            assert binding == [] and data == [], (binding, data)


async def test_a_public_read_acts_for_nobody_whatever_the_token(api, count_statements, read_paths):
    anonymous = await api.ok(PUBLIC_SERVICES, {"t": "bungo"})
    token = await api.token("samarinda", "admin")
    body, binding, data = await _measured(api, count_statements, read_paths, PUBLIC_SERVICES, {"t": " Bungo"}, token)
    assert body == {"data": anonymous}
    assert len(data) == 1 and len(binding) == (1 if BACKEND == "postgres" else 0), (binding, data)
    if BACKEND == "postgres":
        assert "NULL" in binding[0] and "kinerja_bind" in binding[0], binding  # bound for no user
    samarinda = await api.ok(PUBLIC_SERVICES, {"t": "samarinda"}, token)
    assert {s["id"] for s in samarinda["publicServices"]}.isdisjoint({s["id"] for s in anonymous["publicServices"]})


async def test_public_reads_answer_the_same_both_ways(api, resolvers):
    token = await api.token("bungo", "pegawai")
    for query in (PUBLIC_SERVICES, QUESTIONS, BOTH):
        for slug in ("bungo", "samarinda", " BUNGO ", "atlantis", "platform"):
            for caller in (None, token):
                whole = await api.post(query, {"t": slug}, caller)
                assert normalised(whole) == normalised(await resolvers.post(query, {"t": slug}, caller)), (query, slug)
    mixed = ('query($t: String!, $c: String!) { publicServices(tenant: $t) { name } '
             'feedbackTicket(tenant: $t, code: $c) { code } }')
    for slug in ("bungo", "atlantis"):
        whole = await api.post(mixed, {"t": slug, "c": "NOPE"})
        assert normalised(whole) == normalised(await resolvers.post(mixed, {"t": slug, "c": "NOPE"}))
        assert whole["data"] is None and set(error_codes(whole)) == {"NOT_FOUND"}, whole


REPORT = ("query($t: String!, $y: Int!) { publicReport(tenant: $t, year: $y) { tenant year csvPath "
          "serviceUnits { name respondents ikm { value category } followUp { element elementName owner dueOn status } } "
          "orgUnits { name employees plansApproved completionPercent predicates { predicate count } } } }")


async def test_the_public_report_is_one_statement(api, count_statements, read_paths):
    body, binding, data = await _measured(api, count_statements, read_paths, REPORT, {"t": "bungo", "y": 2025})
    report = body["data"]["publicReport"]
    assert report["year"] == 2025 and report["csvPath"] == "/public/bungo/report/2025.csv"
    assert report["serviceUnits"] and report["orgUnits"]
    assert all(line["respondents"] is None or line["respondents"] >= 5 for line in report["serviceUnits"])
    assert len(data) == 1 and len(binding) == (1 if BACKEND == "postgres" else 0), (binding, data)
    # A bad year is refused before the tenant is looked at; an unknown tenant reads nothing.
    for variables, code in (({"t": "atlantis", "y": 1999}, "BAD_USER_INPUT"), ({"t": "atlantis", "y": 2025}, "NOT_FOUND")):
        body, binding, data = await _measured(api, count_statements, read_paths, REPORT, variables)
        assert error_codes(body) == [code] and binding == [] and data == [], (body, binding, data)


RECOMMENDATIONS = ("query($e: ID!, $y: Int) { trainingRecommendations(employeeId: $e, year: $y) "
                   "{ reason topic events { id title topic registered } } }")


async def test_training_recommendations_are_one_statement(api, count_statements, read_paths):
    token = await api.token("bungo", "admin")
    employees = (await api.ok("{ employees(first: 5) { nodes { id } } }", token=token))["employees"]["nodes"]
    for employee in employees:
        for year in (None, 2025):
            body, binding, data = await _measured(api, count_statements, read_paths, RECOMMENDATIONS,
                                                  {"e": employee["id"], "y": year}, token)
            assert "errors" not in body, body
            assert len(data) == 1 and len(binding) <= 1, (binding, data)
            reasons = {r["reason"] for r in body["data"]["trainingRecommendations"]}
            assert reasons <= {t.name for t in RecommendationTrigger}, reasons  # the enum's names, not stored keys
            if BACKEND == "postgres":
                assert len(binding) == 1, binding
    unknown = to_global_id("Employee", uuid.UUID(int=0))
    body, binding, data = await _measured(api, count_statements, read_paths, RECOMMENDATIONS, {"e": unknown}, token)
    assert error_codes(body) == ["NOT_FOUND"] and body["errors"][0]["extensions"]["field"] == "employeeId", body
    assert len(data) == 1, data  # the employee's existence is checked by the statement itself


FEEDBACK = ("mutation($i: SubmitCitizenFeedbackInput!) { submitCitizenFeedback(input: $i) { ticketCode "
            "userErrors { field code message } } }")
TICKET = ("query($t: String!, $c: String!) { feedbackTicket(tenant: $t, code: $c) { __typename code kind status service "
          "receivedAt answeredAt publicAnswer } }")
TIMELINE = ("query($t: String!, $c: String!) { feedbackTimeline(tenant: $t, code: $c) { __typename at kind status "
            "publicAnswer rating staffName } }")
TRACKED = ("query($t: String!, $c: String!) { services: publicServices(tenant: $t) { name } "
           "ticket: feedbackTicket(tenant: $t, code: $c) { status } timeline: feedbackTimeline(tenant: $t, code: $c) "
           "{ kind } }")


def _split_limit(statements: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(binding, the rate limit's write, data), each in the order sent."""
    binding, data = _split(statements)
    return binding, [s for s in data if is_rate_limit_write(s)], [s for s in data if not is_rate_limit_write(s)]


async def _ticket(api) -> str:
    service = (await api.ok(PUBLIC_SERVICES, {"t": "bungo"}))["publicServices"][0]["id"]
    sent = await api.ok(FEEDBACK, {"i": {"tenant": "bungo", "serviceId": service,
                                         "message": f"Antrean panjang {uuid.uuid4().hex[:8]}"}})
    return sent["submitCitizenFeedback"]["ticketCode"]


async def _tracked() -> int:
    """What bungo's track limit counted, over every address and window."""
    from kinerja.citizen.models import RateCounter
    from kinerja.core.db import tenant_transaction
    from kinerja.tenancy.models import Tenant

    bungo = (await rows(Tenant, None, slug="bungo"))[0]
    async with tenant_transaction(bungo.id):
        return sum(c.count for c in await RateCounter.filter(tenant_id=bungo.id, bucket__endswith=":track"))


async def test_tracking_a_ticket_spends_the_limit_with_one_write_and_reads_with_one_statement(
        api, count_statements, read_paths):
    code = await _ticket(api)
    for query in (TICKET, TIMELINE, TRACKED):
        body, binding, data = await _measured(api, count_statements, read_paths, query, {"t": "bungo", "c": code})
        assert "errors" not in body, body
        binding, limit, data = _split_limit(count_statements.statements)
        assert len(limit) == 1 and len(data) == 1, (query, count_statements.statements)
        assert count_statements.statements.index(limit[0]) < count_statements.statements.index(data[0])
        assert len(binding) == (1 if BACKEND == "postgres" else 0), binding
        if BACKEND == "postgres":
            assert binding[0].startswith("BEGIN;") and "NULL" in binding[0], binding  # read-write, for nobody
    ticket = (await api.ok(TICKET, {"t": "bungo", "c": code.lower()}))["feedbackTicket"]
    assert ticket["code"] == code and ticket["status"] == "RECEIVED" and ticket["service"], ticket
    timeline = (await api.ok(TIMELINE, {"t": " Bungo", "c": code}))["feedbackTimeline"]
    assert [(e["kind"], e["status"]) for e in timeline] == [("RECEIVED", "RECEIVED")], timeline
    # An unknown code: the limit's write and the statement are sent, NOT_FOUND at the field's path, and
    # the write is not kept (an operation with an error commits nothing, so a wrong guess is not counted).
    before = await _tracked()
    await api.ok(TICKET, {"t": "bungo", "c": code})
    assert await _tracked() == before + 1
    for query, field in ((TICKET, "feedbackTicket"), (TIMELINE, "feedbackTimeline")):
        body, _binding, _data = await _measured(api, count_statements, read_paths, query, {"t": "bungo", "c": "ZZZZZ-ZZZZZ"})
        _binding, limit, data = _split_limit(count_statements.statements)
        assert error_codes(body) == ["NOT_FOUND"] and body["errors"][0]["path"] == [field], body
        assert body["errors"][0]["extensions"]["field"] == "code", body
        assert len(limit) == 1 and len(data) == 1, count_statements.statements
    assert await _tracked() == before + 1
    # An unknown tenant: nothing is spent or read.
    body, binding, data = await _measured(api, count_statements, read_paths, TICKET, {"t": "atlantis", "c": code})
    assert error_codes(body) == ["NOT_FOUND"] and binding == [] and data == [], (body, binding, data)


def _without_wait(body: dict) -> dict:
    """An answer with the seconds to wait left out (two requests may straddle a second)."""
    body = normalised(body)
    for error in body.get("errors") or []:
        if (error.get("extensions") or {}).pop("retryAfter", None) is not None:
            error["message"] = "-"
    return body


async def test_a_refused_track_writes_and_reads_nothing_more(api, resolvers, count_statements, read_paths):
    from kinerja.citizen.models import RateCounter
    from kinerja.core.db import tenant_transaction
    from kinerja.tenancy.models import Tenant

    code = await _ticket(api)
    await api.ok(TICKET, {"t": "bungo", "c": code})
    await resolvers.ok(TICKET, {"t": "bungo", "c": code})  # both clients' buckets exist
    bungo = (await rows(Tenant, None, slug="bungo"))[0]
    full = 1_000_000_000  # past any tenant's limit
    async with tenant_transaction(bungo.id):
        track = await RateCounter.filter(tenant_id=bungo.id, bucket__endswith=":track")
        window = max(c.window_start for c in track)
        spent = [c for c in track if c.window_start == window]  # the current window's
        await RateCounter.filter(id__in=[c.id for c in spent]).update(count=full)
    try:
        for query in (TICKET, TIMELINE, TRACKED):
            count_statements.statements.clear()
            read_paths.lines.clear()
            variables = {"query": query, "variables": {"t": "bungo", "c": code}}
            response = await api.client.post("/graphql", json=variables)
            body = response.json()
            assert "RATE_LIMITED" in error_codes(body) and body["errors"][0]["extensions"]["retryAfter"] > 0, body
            binding, limit, data = _split_limit(count_statements.statements)
            assert len(limit) == 1 and read_paths.compiled(), count_statements.statements
            assert len(binding) == (1 if BACKEND == "postgres" else 0), binding
            assert response.status_code == 429 and body["data"] is None, body
            if query is TRACKED:  # the other field is still read, with the same one statement
                assert len(data) == 1 and "public_service" in data[0], data
            else:
                assert data == [], data
            resolved = await resolvers.client.post("/graphql", json=variables)
            assert resolved.status_code == response.status_code
            assert _without_wait(resolved.json()) == _without_wait(body)
        async with tenant_transaction(bungo.id):
            assert {c.count for c in await RateCounter.filter(id__in=[c.id for c in spent])} == {full}  # none written
    finally:
        async with tenant_transaction(bungo.id):
            for counter in spent:
                await RateCounter.filter(id=counter.id).update(count=counter.count)
