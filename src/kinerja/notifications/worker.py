"""``kinerja worker``: a loop over the jobs that are due, for every tenant.

- Reminders: plans not submitted by the tenant's deadline, realisations missing after a period
  ended, evaluations due, tickets past their service level (escalated to the unit head). Each is a
  notification with a key unique per (tenant, kind, person, deadline), ``KIND:person:deadline``,
  spelled by the due query itself (``_once_key``): the query leaves out the reminders already sent,
  and ``INSERT ... ON CONFLICT DO NOTHING`` of the round's new ones (one statement) makes each
  exactly once however many workers run.
- Mail: notifications whose recipient wants them mailed, one mail each, and the daily digest; the
  rows are claimed with ``FOR UPDATE SKIP LOCKED`` (one worker sends a row), marked in the same
  transaction, which commits only after the server accepted the mail. A failure leaves them for the
  next round (at least once: a crash between the server's answer and COMMIT sends it again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable

from kinerja.citizen.rules import TicketStatus, overdue
from kinerja.core import audit, clock
from kinerja.core.db import tenant_transaction
from kinerja.core.events import committed
from kinerja.core.sql import Params, fetch_all
from kinerja.notifications import mail, rules, service
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantKind, TenantSettings

log = logging.getLogger("kinerja.worker")
RECENT_DAYS = 120  # deadlines older than this are not reminded of any more

_ACTIVE_USER = ("JOIN app_user u ON u.tenant_id = {tenant} AND u.employee_id = {employee} AND u.active "
                "LEFT JOIN notification_preference np ON np.tenant_id = u.tenant_id AND np.user_id = u.id "
                "AND np.kind = {kind} ")
_WANTED = "(np.in_app IS NULL OR np.in_app)"


def _once_key(q: Params, kind: str, *parts: str) -> str:
    """SQL text of a reminder's key, ``KIND:part:part...`` (``parts``: SQL text)."""
    return " || ':' || ".join([f"CAST({q(kind)} AS TEXT)", *parts])


def _not_sent(tenant: str, key: str) -> str:
    """The condition that leaves a reminder out once one with its key exists (served by the key's
    unique index)."""
    return f"NOT EXISTS (SELECT 1 FROM notification sent WHERE sent.tenant_id = {tenant} AND sent.once_key = {key})"  # noqa: S608 - fixed text, values bound


def _text(column: str) -> str:
    return f"CAST({column} AS TEXT)"


def _iso_time(q: Params, column: str) -> str:
    """SQL text of a stored time as Python's ``isoformat()`` spells it (as the keys written before
    the due queries spelled them were)."""
    if q.postgres:
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN CAST(EXTRACT(MICROSECONDS FROM {utc}) "
                f"AS BIGINT) % 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00'")
    # SQLite keeps the ORM's isoformat(" "), with its offset (a time without one is UTC).
    return (f"replace({column}, ' ', 'T') || CASE WHEN {column} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' THEN '' "
            "ELSE '+00:00' END")


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def plans_due(tenant_id: uuid.UUID, settings: TenantSettings, today: dt.date) -> list[tuple]:
    """Active employees with a login and no submitted plan of this year after the deadline."""
    deadline = dt.date(today.year, int(settings.plan_deadline[:2]), int(settings.plan_deadline[3:]))
    if today <= deadline:
        return []
    q = Params()
    tenant = q(tenant_id)
    key = _once_key(q, "PLAN_DUE", _text("e.id"), f"CAST({q(deadline.isoformat())} AS TEXT)")
    text = (f"SELECT e.id AS employee_id, u.id AS user_id, {key} AS once_key FROM employee e "  # noqa: S608 - fixed text, values bound
            + _ACTIVE_USER.format(tenant=tenant, employee="e.id", kind=q("PLAN_DUE"))
            + f"WHERE e.tenant_id = {tenant} AND e.active AND {_WANTED} AND NOT EXISTS (SELECT 1 FROM "  # noqa: S608 - fixed text, values bound
            f"performance_plan p WHERE p.tenant_id = e.tenant_id AND p.employee_id = e.id AND p.year = {q(today.year)} "
            "AND p.status IN ('SUBMITTED', 'APPROVED', 'CLOSED')) AND NOT EXISTS (SELECT 1 FROM plan_waiver w "
            f"WHERE w.tenant_id = e.tenant_id AND w.employee_id = e.id AND w.year = {q(today.year)}) "
            f"AND {_not_sent(tenant, key)}")
    return [(row["user_id"], "PLAN_DUE", "Employee", row["employee_id"],
             {"year": today.year, "deadline": deadline.isoformat()}, row["once_key"])
            for row in await fetch_all(text, q.values)]


async def realisations_due(tenant_id: uuid.UUID, settings: TenantSettings, today: dt.date) -> list[tuple]:
    """Owners of approved plans with an indicator left without realisation in a period that ended
    more than ``realisation_due_days`` ago."""
    q = Params()
    tenant = q(tenant_id)
    key = _once_key(q, "REALISATION_DUE", _text("pl.employee_id"), _text("pe.id"))
    text = ("SELECT DISTINCT pl.employee_id, u.id AS user_id, pe.id AS period_id, pe.name AS period_name, "  # noqa: S608 - fixed text, values bound
            f"pe.ends_on, {key} AS once_key FROM period pe JOIN performance_plan pl ON pl.tenant_id = pe.tenant_id "
            "AND pl.year = pe.year AND pl.status = 'APPROVED' JOIN result_target rt ON rt.tenant_id = pl.tenant_id "
            "AND rt.plan_id = pl.id JOIN indicator i ON i.tenant_id = rt.tenant_id AND i.result_id = rt.id "
            + _ACTIVE_USER.format(tenant=tenant, employee="pl.employee_id", kind=q("REALISATION_DUE"))
            + f"WHERE pe.tenant_id = {tenant} AND pe.kind <> 'ANNUAL' "  # noqa: S608 - fixed text, values bound
            f"AND pe.ends_on < {q(today - dt.timedelta(days=settings.realisation_due_days))} "
            f"AND pe.ends_on >= {q(today - dt.timedelta(days=RECENT_DAYS))} AND {_WANTED} "
            "AND NOT EXISTS (SELECT 1 FROM realisation r WHERE r.tenant_id = i.tenant_id AND r.indicator_id = i.id "
            f"AND r.period_id = pe.id) AND {_not_sent(tenant, key)}")
    return [(row["user_id"], "REALISATION_DUE", "Period", row["period_id"],
             {"period": row["period_name"], "deadline": _date(row["ends_on"]).isoformat()}, row["once_key"])
            for row in await fetch_all(text, q.values)]


async def evaluations_due(tenant_id: uuid.UUID, settings: TenantSettings, today: dt.date) -> list[tuple]:
    """Supervisors of employees with an approved plan and no final evaluation of a period that ended
    more than ``realisation_due_days + evaluation_due_days`` ago."""
    q = Params()
    tenant = q(tenant_id)
    days = settings.realisation_due_days + settings.evaluation_due_days
    key = _once_key(q, "EVALUATION_DUE", _text("e.id"), _text("pe.id"))
    text = ("SELECT DISTINCT e.id AS employee_id, e.name AS employee_name, u.id AS user_id, pe.id AS period_id, "  # noqa: S608 - fixed text, values bound
            f"pe.name AS period_name, {key} AS once_key FROM period pe JOIN performance_plan pl "
            "ON pl.tenant_id = pe.tenant_id AND pl.year = pe.year AND pl.status IN ('APPROVED', 'CLOSED') "
            "JOIN employee e ON e.tenant_id = pl.tenant_id AND e.id = pl.employee_id AND e.active "
            + _ACTIVE_USER.format(tenant=tenant, employee="e.supervisor_id", kind=q("EVALUATION_DUE"))
            + f"WHERE pe.tenant_id = {tenant} AND pe.ends_on < {q(today - dt.timedelta(days=days))} "  # noqa: S608 - fixed text, values bound
            f"AND pe.ends_on >= {q(today - dt.timedelta(days=RECENT_DAYS))} AND {_WANTED} "
            "AND NOT EXISTS (SELECT 1 FROM evaluation v WHERE v.tenant_id = pe.tenant_id AND v.employee_id = e.id "
            f"AND v.period_id = pe.id AND v.status IN ('FINAL', 'CORRECTED')) AND {_not_sent(tenant, key)}")
    return [(row["user_id"], "EVALUATION_DUE", "Employee", row["employee_id"],
             {"employee": row["employee_name"], "period": row["period_name"]}, row["once_key"])
            for row in await fetch_all(text, q.values)]


async def tickets_overdue(tenant_id: uuid.UUID, now: dt.datetime) -> list[tuple]:
    """Heads of the org unit of each ticket past its service level (the citizen area's rule)."""
    q = Params()
    tenant = q(tenant_id)
    key = _once_key(q, "TICKET_OVERDUE", _text("o.head_id"), _text("t.id"), _iso_time(q, "t.due_at"))
    text = (f"SELECT t.id, t.code, t.status, t.due_at, u.id AS user_id, {key} AS once_key FROM feedback_ticket t "  # noqa: S608 - fixed text, values bound
            "JOIN service_unit s ON s.tenant_id = t.tenant_id AND s.id = t.service_unit_id "
            "JOIN org_unit o ON o.tenant_id = s.tenant_id AND o.id = s.org_unit_id "
            + _ACTIVE_USER.format(tenant=tenant, employee="o.head_id", kind=q("TICKET_OVERDUE"))
            + f"WHERE t.tenant_id = {tenant} AND t.due_at < {q(now)} "
            f"AND t.due_at >= {q(now - dt.timedelta(days=RECENT_DAYS))} AND {_WANTED} AND {_not_sent(tenant, key)}")
    found = []
    for row in await fetch_all(text, q.values):
        due = row["due_at"] if isinstance(row["due_at"], dt.datetime) else dt.datetime.fromisoformat(str(row["due_at"]))
        due = due if due.tzinfo else due.replace(tzinfo=dt.UTC)
        if overdue(TicketStatus(row["status"]), due, now):
            found.append((row["user_id"], "TICKET_OVERDUE", "CitizenFeedback", row["id"],
                          {"code": row["code"], "deadline": due.date().isoformat()}, row["once_key"]))
    return found


async def remind(tenant: Tenant, now: dt.datetime) -> int:
    """Create the tenant's due reminders; returns how many were new."""
    settings = TenantSettings.from_dict(tenant.settings)
    today = clock.today_in(settings.timezone, now)
    collector = audit.AuditCollector("worker")
    async with tenant_transaction(tenant.id):
        due = [*await plans_due(tenant.id, settings, today), *await realisations_due(tenant.id, settings, today),
               *await evaluations_due(tenant.id, settings, today), *await tickets_overdue(tenant.id, now)]
        rows = [(_uuid(user), kind, subject_type, _uuid(subject), params) for user, kind, subject_type, subject, params, _ in due]
        made = await service.add(collector, tenant.id, rows, once_keys=[key for *_, key in due])
    await committed(collector)
    return len(made)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# --- mail -------------------------------------------------------------------------------------------

_CLAIM_MAIL = ("SELECT n.id, n.kind, n.params, u.email FROM notification n JOIN app_user u ON u.tenant_id = n.tenant_id "  # noqa: S608 - fixed text
               "AND u.id = n.recipient_id AND u.active JOIN notification_preference np ON np.tenant_id = n.tenant_id "
               "AND np.user_id = n.recipient_id AND np.kind = n.kind AND np.email "
               "WHERE n.tenant_id = {tenant} AND n.emailed_at IS NULL AND u.email IS NOT NULL AND n.created_at >= {since} "
               "ORDER BY n.created_at, n.id LIMIT 200")


async def send_mail(tenant: Tenant, now: dt.datetime, language: str = "id") -> int:
    """Mail each notification whose recipient wants that kind by mail, once; returns how many."""
    settings = TenantSettings.from_dict(tenant.settings)
    if not settings.smtp_host:
        return 0
    async with tenant_transaction(tenant.id):
        q = Params()
        text = _CLAIM_MAIL.format(tenant=q(tenant.id), since=q(now - dt.timedelta(days=RECENT_DAYS)))
        if q.postgres:
            text += " FOR UPDATE OF n SKIP LOCKED"
        rows = await fetch_all(text, q.values)
        if not rows:
            return 0
        mails = []
        for row in rows:
            title, body = rules.render(row["kind"], _params(row["params"]), language)
            mails.append(mail.message(settings.smtp_from, row["email"], title, body))
        await mail.send(settings, tenant.slug, mails)
        await _mark("emailed_at", [row["id"] for row in rows], now)
    return len(rows)


def _params(value) -> dict:
    import orjson

    return orjson.loads(value) if isinstance(value, (str, bytes)) else (value or {})


async def _mark(column: str, ids: list, now: dt.datetime) -> None:
    q = Params()
    stamp = q(now)
    placeholders = ", ".join(q(_uuid(i)) for i in ids)
    await fetch_all(f"UPDATE notification SET {column} = {stamp} WHERE id IN ({placeholders})", q.values)  # noqa: S608 - fixed column names, values bound


def digest_cutoff(settings: TenantSettings, now: dt.datetime) -> dt.datetime:
    """The latest digest time that passed: today's digest hour in the tenant's time zone, or yesterday's."""
    local = now.astimezone(clock.zone(settings.timezone))
    cutoff = local.replace(hour=settings.digest_hour, minute=0, second=0, microsecond=0)
    if cutoff > local:
        cutoff -= dt.timedelta(days=1)
    return cutoff.astimezone(dt.UTC)


_CLAIM_DIGEST = ("SELECT n.id, n.kind, n.params, n.recipient_id, u.email FROM notification n JOIN app_user u "  # noqa: S608 - fixed text
                 "ON u.tenant_id = n.tenant_id AND u.id = n.recipient_id AND u.active JOIN notification_preference np "
                 "ON np.tenant_id = n.tenant_id AND np.user_id = n.recipient_id AND np.kind = n.kind AND np.digest "
                 "WHERE n.tenant_id = {tenant} AND n.digested_at IS NULL AND n.read_at IS NULL AND u.email IS NOT NULL "
                 "AND n.created_at < {cutoff} AND n.created_at >= {since} ORDER BY n.recipient_id, n.created_at, n.id")

DIGEST_SUBJECT = {"id": "Ringkasan notifikasi harian", "en": "Daily notification digest"}


async def send_digests(tenant: Tenant, now: dt.datetime, language: str = "id") -> int:
    """One mail per user with digest on, listing the unread notifications since the last digest
    time; returns how many mails."""
    settings = TenantSettings.from_dict(tenant.settings)
    if not settings.smtp_host:
        return 0
    cutoff = digest_cutoff(settings, now)
    async with tenant_transaction(tenant.id):
        q = Params()
        text = _CLAIM_DIGEST.format(tenant=q(tenant.id), cutoff=q(cutoff), since=q(cutoff - dt.timedelta(days=RECENT_DAYS)))
        if q.postgres:
            text += " FOR UPDATE OF n SKIP LOCKED"
        rows = await fetch_all(text, q.values)
        if not rows:
            return 0
        by_user: dict[str, list[dict]] = {}
        for row in rows:
            by_user.setdefault(str(row["recipient_id"]), []).append(row)
        mails = []
        for listed in by_user.values():
            lines = []
            for row in listed:
                title, body = rules.render(row["kind"], _params(row["params"]), language)
                lines.append(f"- {title}: {body}")
            mails.append(mail.message(settings.smtp_from, listed[0]["email"], DIGEST_SUBJECT[language], "\n".join(lines)))
        await mail.send(settings, tenant.slug, mails)
        await _mark("digested_at", [row["id"] for row in rows], now)
    return len(mails)


# --- the loop ---------------------------------------------------------------------------------------

async def tenants() -> list[Tenant]:
    async with tenant_transaction(None):
        return [t for t in await Tenant.all().order_by("slug") if t.kind != TenantKind.PLATFORM]


async def run_once(now: dt.datetime | None = None) -> dict[str, int]:
    """One round over every tenant: reminders, then mail, then digests. A tenant's failure is logged
    and does not stop the others."""
    now = now or clock.now()
    counts = {"reminders": 0, "mails": 0, "digests": 0}
    for tenant in await tenants():
        for name, job in (("reminders", remind), ("mails", send_mail), ("digests", send_digests)):
            try:
                counts[name] += await job(tenant, now)
            except Exception:  # noqa: BLE001 - one tenant's failure (its SMTP server down) must not stop the rest
                log.exception("worker: %s of tenant %s failed", name, tenant.slug)
    return counts


async def run(interval_seconds: float = 60.0, stop: Callable[[], bool] = lambda: False) -> None:
    """Rounds every ``interval_seconds`` until ``stop()`` (or cancellation)."""
    while not stop():
        counts = await run_once()
        if any(counts.values()):
            log.info("worker: %s", counts)
        await asyncio.sleep(interval_seconds)
