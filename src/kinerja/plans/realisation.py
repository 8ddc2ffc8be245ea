"""Use cases of the year's work: realisation per indicator and period, evidence, feedback, progress."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from kinerja.core import audit, clock
from kinerja.core.context import RequestContext
from kinerja.core.db import connection
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.core.events import CHANNEL, Event, publish
from kinerja.core.ids import as_uuid, uuid_of
from kinerja.core.sql import fetch_all, uuid_param
from kinerja.org.rules import PeriodKind
from kinerja.plans import evidence as files
from kinerja.plans import rules
from kinerja.plans.models import Evidence, Feedback, Indicator, Realisation, ResultTarget
from kinerja.plans.rules import PlanStatus
from kinerja.plans.service import can_give_team_feedback, get_plan, visible_plans


@dataclass(frozen=True)
class EvidenceInput:
    url: str | None = None
    file_name: str | None = None
    content_type: str | None = None
    content_base64: str | None = None



async def _parse_evidence(items: list[EvidenceInput]) -> tuple[list[str], list[files.EvidenceFile]]:
    if len(items) > files.MAX_FILES:
        raise ValidationFailed([FieldError("evidence", "BAD_USER_INPUT", f"At most {files.MAX_FILES} evidence items")])
    links, uploads, problems = [], [], []
    for index, item in enumerate(items):
        if item.url and not item.content_base64:
            link, problem = files.parse_link(item.url, index)
            if link:
                links.append(link)
            elif problem:
                problems.append(problem)
        elif item.content_base64 and item.file_name and item.content_type and not item.url:
            upload, problem = await asyncio.to_thread(files.parse_file, item.file_name, item.content_type,
                                                      item.content_base64, index)
            if upload:
                uploads.append(upload)
            elif problem:
                problems.append(problem)
        else:
            problems.append(FieldError(f"evidence[{index}]", "BAD_USER_INPUT",
                                       "Give either url, or fileName + contentType + contentBase64"))
    if problems:
        raise ValidationFailed(problems)
    return links, uploads


async def record_realisation(ctx: RequestContext, indicator_id: uuid.UUID, period_id: uuid.UUID,
                             value: Decimal | None, narrative: str | None,
                             evidence: list[EvidenceInput]) -> uuid.UUID:
    """Create or update the realisation of an indicator in a period; evidence is added to it. After the
    plan's lock, the write (and on PostgreSQL its event) is one statement and the audit entry another."""
    await ctx.require("plan", "write")
    tenant_id = ctx.require_tenant()
    target = await _realisation_target(ctx, indicator_id, period_id)
    if target is None:
        raise NotFound("Indicator not found", field="indicatorId")
    if target["employee_id"] != await ctx.employee_id():
        await get_plan(ctx, target["plan_id"], field="indicatorId")  # NOT_FOUND when out of sight
        raise Forbidden("Only the plan's owner reports its realisation", field="indicatorId")
    if not await ctx.scopes("plan", "read") & {"own", "unit", "tenant"}:
        raise NotFound("Performance plan not found", field="indicatorId")
    status = PlanStatus(target["status"])
    if status is not PlanStatus.APPROVED:
        raise Conflict(f"The plan is {status.value}: realisation is reported on an APPROVED plan",
                       field="indicatorId")
    if target["period_id"] is None:
        raise NotFound("Period not found", field="periodId")
    if target["period_year"] != target["plan_year"] or PeriodKind(target["period_kind"]) is PeriodKind.ANNUAL:
        raise ValidationFailed([FieldError("periodId", "BAD_USER_INPUT",
                                           f"Choose a periodic period of {target['plan_year']}")])
    if target["period_closed"]:
        raise Conflict(f"Period {target['period_name']} is closed", field="periodId")
    problems = rules.realisation_problems(value, narrative)
    if problems:
        raise ValidationFailed(problems)
    links, uploads = await _parse_evidence(evidence)

    narrative = (narrative or "").strip()
    actor = ctx.require_actor().user_id
    written = await _write(ctx, target, indicator_id, period_id, value, narrative, force=bool(links or uploads))
    if written is None:
        raise Conflict("This realisation is already recorded with these values and evidence", field="indicatorId")
    realisation_id, before = written
    links, uploads = await _new_evidence(tenant_id, realisation_id if before else None, links, uploads)
    if before is not None and before["value"] == value and before["narrative"] == narrative and not links and not uploads:
        raise Conflict("This realisation is already recorded with these values and evidence", field="indicatorId")
    after = {"value": value, "narrative": narrative, "recorded_by_id": actor}
    if before is None:
        after.update(indicator_id=indicator_id, period_id=period_id)
    audit.object_written(Realisation, tenant_id, realisation_id, before, after)
    rows = [Evidence(tenant_id=tenant_id, realisation_id=realisation_id, url=link) for link in links]
    for upload in uploads:
        rows.append(Evidence(tenant_id=tenant_id, realisation_id=realisation_id, file_name=upload.file_name,
                             content_type=upload.content_type, size=len(upload.content), sha256=upload.sha256))
    if rows:
        await Evidence.bulk_create(rows)
    for upload in uploads:  # last: a file is stored only once everything else is written
        await files.store(ctx.settings, tenant_id, upload)
    return realisation_id


# Create or update the realisation of an indicator in a period, in one statement: unchanged values are
# not written again (no row returned) unless evidence is added. The plan is locked already, so the
# statement reads the realisation as committed.
_UPSERT = """
INSERT INTO realisation (id, tenant_id, indicator_id, period_id, value, narrative, recorded_by_id, created_at,
                         updated_at)
VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {7})
ON CONFLICT (tenant_id, indicator_id, period_id) DO UPDATE
SET value = excluded.value, narrative = excluded.narrative, recorded_by_id = excluded.recorded_by_id,
    updated_at = excluded.updated_at
WHERE {8} OR realisation.value IS DISTINCT FROM excluded.value OR realisation.narrative IS DISTINCT FROM excluded.narrative
RETURNING id"""
_CURRENT = "SELECT id, value, narrative, recorded_by_id FROM realisation WHERE tenant_id = {1} AND indicator_id = {2} AND period_id = {3}"
# On PostgreSQL the same statement reads the values it replaces (for the audit entry) and sends the
# event (the existing row's id replaces the new one in an update's payload), so the write is one round trip.
_WRITE_PG = ("WITH stored AS (" + _CURRENT + "), written AS (" + _UPSERT + ") "  # noqa: S608 - constants, values bound
             "SELECT w.id, c.id AS old_id, c.value AS old_value, c.narrative AS old_narrative, "
             "c.recorded_by_id AS old_recorded_by_id, pg_notify('" + CHANNEL + "', CASE WHEN c.id IS NULL THEN {9} "
             "ELSE replace({10}, {11}, c.id::text) END) FROM written w LEFT JOIN stored c ON TRUE")


def _numbered(sql: str, postgres: bool) -> str:
    """Placeholders {0}, {1}, ... as the driver numbers parameters ($1 / ?1)."""
    mark = "$" if postgres else "?"
    return re.sub(r"\{(\d+)\}", lambda m: f"{mark}{int(m.group(1)) + 1}", sql)


async def _write(ctx: RequestContext, target: dict, indicator_id: uuid.UUID, period_id: uuid.UUID,
                 value: Decimal | None, narrative: str, *, force: bool) -> tuple[uuid.UUID, dict | None] | None:
    """Upsert the realisation and publish its event: (its id, the values it had or None when created),
    or None when nothing changed."""
    actor = ctx.require_actor()
    conn = connection()
    postgres = conn.capabilities.dialect == "postgres"
    new_id = uuid.uuid4()
    params = [new_id, actor.tenant_id, indicator_id, period_id, value, narrative, actor.user_id, clock.now(), force]

    def event(kind: str) -> Event:
        return Event(actor.tenant_id, kind, new_id, target["plan_id"], target["employee_id"], {"period": str(period_id)})

    if postgres:
        params += [event("REALISATION_RECORDED").encode(), event("REALISATION_UPDATED").encode(), str(new_id)]
        _, rows = await conn.execute_query(_numbered(_WRITE_PG, True), params)
        if not rows:
            return None
        row = rows[0]
        before = None if row["old_id"] is None else {
            "value": row["old_value"], "narrative": row["old_narrative"],
            "recorded_by_id": as_uuid(row["old_recorded_by_id"])}
        return uuid_of(row["id"]), before
    params = [str(p) if isinstance(p, uuid.UUID) else p for p in params]
    _, current = await conn.execute_query(_numbered(_CURRENT, False), params[:4])
    _, rows = await conn.execute_query(_numbered(_UPSERT, False), params)
    if not rows:
        return None
    realisation_id = uuid_of(rows[0]["id"])
    before = None if not current else {
        "value": Realisation._meta.fields_map["value"].to_python_value(current[0]["value"]),
        "narrative": current[0]["narrative"],
        "recorded_by_id": as_uuid(current[0]["recorded_by_id"])}
    await publish(ctx, Event(actor.tenant_id, "REALISATION_RECORDED" if before is None else "REALISATION_UPDATED",
                             realisation_id, target["plan_id"], target["employee_id"], {"period": str(period_id)}))
    return realisation_id, before


async def _new_evidence(tenant_id: uuid.UUID, realisation_id: uuid.UUID | None, links: list[str],
                        uploads: list[files.EvidenceFile]) -> tuple[list[str], list[files.EvidenceFile]]:
    """The links and files not attached yet (the same link or file content is attached once)."""
    if realisation_id is None or not (links or uploads):
        return list(dict.fromkeys(links)), list({u.sha256: u for u in uploads}.values())
    attached = await Evidence.filter(tenant_id=tenant_id, realisation_id=realisation_id).values_list("url", "sha256")
    urls, hashes = {url for url, _ in attached if url}, {sha for _, sha in attached if sha}
    return ([link for link in dict.fromkeys(links) if link not in urls],
            [u for u in {u.sha256: u for u in uploads}.values() if u.sha256 not in hashes])


_TARGET_SQL = """
SELECT p.id AS plan_id, p.employee_id, p.status, p.year AS plan_year, pe.id AS period_id,
       pe.year AS period_year, pe.kind AS period_kind, pe.closed AS period_closed, pe.name AS period_name,
       (SELECT employee_id FROM app_user WHERE tenant_id = $1 AND id = $4) AS me
FROM indicator i
JOIN result_target r ON r.tenant_id = i.tenant_id AND r.id = i.result_id
JOIN performance_plan p ON p.tenant_id = i.tenant_id AND p.id = r.plan_id
LEFT JOIN period pe ON pe.tenant_id = i.tenant_id AND pe.id = $3
WHERE i.tenant_id = $1 AND i.id = $2
"""
# Realisations of one plan are recorded one at a time, against its status as committed.
_LOCK_PLAN = " FOR NO KEY UPDATE OF p"


async def _realisation_target(ctx: RequestContext, indicator_id: uuid.UUID, period_id: uuid.UUID) -> dict | None:
    """The indicator's plan (locked for the rest of the operation), the period and the actor's employee
    record, in one statement."""
    actor = ctx.require_actor()
    sql = _TARGET_SQL + _LOCK_PLAN if connection().capabilities.dialect == "postgres" else _TARGET_SQL
    rows = await fetch_all(sql, [uuid_param(actor.tenant_id), uuid_param(indicator_id), uuid_param(period_id),
                                         uuid_param(actor.user_id)])
    if not rows:
        return None
    row = rows[0]
    ctx.cache.setdefault("employee_id", as_uuid(row["me"]))
    return {**row, "plan_id": as_uuid(row["plan_id"]), "employee_id": as_uuid(row["employee_id"]),
            "period_id": as_uuid(row["period_id"])}


async def give_feedback(ctx: RequestContext, plan_id: uuid.UUID, realisation_id: uuid.UUID | None,
                        reply_to_id: uuid.UUID | None, body: str) -> Feedback:
    """The supervisor comments, the employee replies: both need the feedback permission for their side."""
    tenant_id = ctx.require_tenant()
    plan = await get_plan(ctx, plan_id, field="planId")
    me = await ctx.employee_id()
    own = me is not None and plan.employee_id == me
    if own:
        if not await ctx.holds("plan:feedback:own"):
            raise Forbidden("You lack the permission to reply to feedback", field="planId")
    elif not await can_give_team_feedback(ctx, plan):
        raise Forbidden("Only the employee and his or her supervisors give feedback on this plan", field="planId")
    problem = rules.text_problem("body", body, required=True, max_len=5000)
    if problem:
        raise ValidationFailed([problem])
    if realisation_id is not None:
        realisation = await Realisation.get_or_none(id=realisation_id, tenant_id=tenant_id)
        indicator = await Indicator.get_or_none(id=realisation.indicator_id, tenant_id=tenant_id) if realisation else None
        result = await ResultTarget.get_or_none(id=indicator.result_id, tenant_id=tenant_id) if indicator else None
        if result is None or result.plan_id != plan.id:
            raise NotFound("Realisation not found in this plan", field="realisationId")
    if reply_to_id is not None:
        parent = await Feedback.get_or_none(id=reply_to_id, tenant_id=tenant_id, plan_id=plan.id)
        if parent is None:
            raise NotFound("Feedback to reply to not found in this plan", field="replyToId")
        realisation_id = realisation_id or parent.realisation_id
    feedback = await Feedback.create(tenant_id=tenant_id, plan_id=plan.id, realisation_id=realisation_id,
                                     author_id=ctx.require_actor().user_id, author_employee_id=me,
                                     reply_to_id=reply_to_id, body=body.strip())
    await publish(ctx, Event(tenant_id, "FEEDBACK_GIVEN", feedback.id, plan.id, plan.employee_id,
                             {"author": str(me) if me else None}))
    return feedback


@dataclass(frozen=True)
class Progress:
    indicators: int
    realised: int
    achievement: Decimal | None  # mean share of target reached over numeric indicators, 0..1

    @property
    def share_realised(self) -> Decimal:
        return (Decimal(self.realised) / self.indicators).quantize(Decimal("0.0001")) if self.indicators else Decimal(0)


def progress_of(indicators: Sequence[Indicator | SimpleNamespace],
                realisations: Mapping[uuid.UUID, Realisation | SimpleNamespace]) -> Progress:
    shares = []
    for indicator in indicators:
        realisation = realisations.get(indicator.id)
        share = rules.achievement(indicator.aspect, indicator.target_value, realisation.value if realisation else None)
        if indicator.target_value is not None:
            shares.append(share if share is not None else Decimal(0))
    mean = (sum(shares, Decimal(0)) / len(shares)).quantize(Decimal("0.0001")) if shares else None
    return Progress(len(indicators), sum(1 for i in indicators if i.id in realisations), mean)


def indicator_row(raw: dict) -> SimpleNamespace:
    """An indicator from compiled JSON (``id``, ``aspect``, ``target`` as text), as the progress rule reads it."""
    return SimpleNamespace(id=raw["id"], aspect=rules.Aspect(raw["aspect"]), target_value=_decimal(raw["target"]))


def realisation_row(raw: dict) -> SimpleNamespace:
    return SimpleNamespace(value=_decimal(raw["value"]))


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def progress_of_rows(rows: list, *, annual: bool = False) -> Progress:
    """Progress from one statement's rows, one per indicator in plan order:
    ``[id, aspect, target as text, realised value as text, realised in the period, own aggregation, values
    of the periodic periods in order]``. In the annual period, an indicator without an annual realisation
    counts its year to date: its periodic values aggregated by its rule."""
    indicators, found = [], {}
    for indicator_id, aspect, target, value, realised, *rest in rows:
        indicators.append(SimpleNamespace(id=indicator_id, aspect=rules.Aspect(aspect), target_value=_decimal(target)))
        if realised:
            found[indicator_id] = SimpleNamespace(value=_decimal(value))
        elif annual and rest:
            chosen, periodic = rest[0], [Decimal(str(v)) for v in rest[1] or []]
            how = rules.indicator_aggregation(rules.Aspect(aspect), rules.Aggregation(chosen) if chosen else None)
            if periodic:
                found[indicator_id] = SimpleNamespace(value=rules.aggregate(periodic, how))
    return progress_of(indicators, found)


async def may_see_plan(ctx: RequestContext, plan_id: uuid.UUID) -> bool:
    try:
        return await (await visible_plans(ctx)).filter(id=plan_id).exists()
    except (Forbidden, NotFound):
        return False
