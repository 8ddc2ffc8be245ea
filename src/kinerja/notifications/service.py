"""The inbox: notifications derived from the changes an operation made (one observer of the audit
collector, in the operation's transaction), reads of the viewer's own rows, marking them read, and
per-user preferences."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import orjson

from kinerja.core import audit, clock, once
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, is_postgres
from kinerja.core.errors import BadUserInput, Conflict, NotFound
from kinerja.core.events import Event, publish
from kinerja.notifications import rules
from kinerja.notifications.models import Notification, NotificationPreference

EVENT_KIND = "NOTIFICATION_ADDED"

# Per kind: the subject's type and a SELECT giving, for the subjects {ids}, the subject id, the
# employee to notify and the text's parameters. {tenant} and {ids} are bound values.
_PLAN = ("SELECT p.id AS subject_id, {recipient} AS recipient, e.name AS p_employee, p.year AS p_year, "
         "NULL AS p_status, NULL AS p_code FROM performance_plan p JOIN employee e ON e.tenant_id = p.tenant_id "
         "AND e.id = p.employee_id WHERE p.tenant_id = {tenant} AND p.id IN ({ids})")
SUBJECTS: dict[str, tuple[str, str]] = {
    "PLAN_SUBMITTED": ("PerformancePlan", _PLAN.replace("{recipient}", "p.approver_id")),
    "PLAN_RETURNED": ("PerformancePlan", _PLAN.replace("{recipient}", "p.employee_id")),
    "PLAN_APPROVED": ("PerformancePlan", _PLAN.replace("{recipient}", "p.employee_id")),
    # Feedback goes to the plan's owner, or to the approver when the owner wrote it.
    "FEEDBACK_GIVEN": ("Feedback", (
        "SELECT f.id AS subject_id, CASE WHEN f.author_employee_id = p.employee_id THEN p.approver_id "
        "ELSE p.employee_id END AS recipient, a.name AS p_employee, p.year AS p_year, NULL AS p_status, "
        "NULL AS p_code FROM feedback f JOIN performance_plan p ON p.tenant_id = f.tenant_id AND p.id = f.plan_id "
        "LEFT JOIN employee a ON a.tenant_id = f.tenant_id AND a.id = f.author_employee_id "
        "WHERE f.tenant_id = {tenant} AND f.id IN ({ids})")),
    "EVALUATION_FINALISED": ("Evaluation", (
        "SELECT v.id AS subject_id, v.employee_id AS recipient, NULL AS p_employee, NULL AS p_year, "
        "NULL AS p_status, NULL AS p_code FROM evaluation v WHERE v.tenant_id = {tenant} AND v.id IN ({ids})")),
    "OBJECTION_FILED": ("EvaluationObjection", (
        "SELECT o.id AS subject_id, o.reviewer_id AS recipient, e.name AS p_employee, NULL AS p_year, "
        "o.status AS p_status, NULL AS p_code FROM evaluation_objection o JOIN employee e ON e.tenant_id = o.tenant_id "
        "AND e.id = o.employee_id WHERE o.tenant_id = {tenant} AND o.id IN ({ids})")),
    "OBJECTION_DECIDED": ("EvaluationObjection", (
        "SELECT o.id AS subject_id, o.employee_id AS recipient, NULL AS p_employee, NULL AS p_year, "
        "o.status AS p_status, NULL AS p_code FROM evaluation_objection o WHERE o.tenant_id = {tenant} "
        "AND o.id IN ({ids})")),
    "TRAINING_VERIFIED": ("TrainingRecord", (
        "SELECT r.id AS subject_id, r.employee_id AS recipient, NULL AS p_employee, r.year AS p_year, "
        "r.status AS p_status, NULL AS p_code FROM training_record r WHERE r.tenant_id = {tenant} AND r.id IN ({ids})")),
    "TICKET_ASSIGNED": ("CitizenFeedback", (
        "SELECT t.id AS subject_id, t.assigned_to_id AS recipient, NULL AS p_employee, NULL AS p_year, "
        "t.status AS p_status, t.code AS p_code FROM feedback_ticket t WHERE t.tenant_id = {tenant} "
        "AND t.id IN ({ids})")),
}
SUBJECTS["TRAINING_REJECTED"] = SUBJECTS["TRAINING_VERIFIED"]


class Sql:
    """Placeholders and values of one statement, in the dialect of the connection."""

    def __init__(self) -> None:
        self.postgres = is_postgres()
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        if not self.postgres:
            if isinstance(value, uuid.UUID):
                value = str(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat(" ")
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def json(self, value: Any) -> str:
        return self(orjson.dumps(value).decode()) + ("::jsonb" if self.postgres else "")


async def observe(collector: audit.AuditCollector, entries: list[dict[str, Any]], actor_user_id: uuid.UUID | None) -> None:
    """The audit collector's observer: notifications for the state changes among ``entries``."""
    wanted: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = {}
    for entry in entries:
        kind = rules.kind_of(entry["object_type"], entry["changes"])
        if kind is not None and kind in SUBJECTS:
            object_id = entry["object_id"]
            wanted.setdefault((entry["tenant_id"], kind), []).append(
                object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id)))
    for (tenant_id, kind), ids in wanted.items():
        subject_type, select = SUBJECTS[kind]
        q = Sql()
        text = select.format(tenant=q(tenant_id), ids=", ".join(q(i) for i in dict.fromkeys(ids)))
        rows = await connection().execute_query_dict(
            f"SELECT s.subject_id, s.p_employee, s.p_year, s.p_status, s.p_code, u.id AS user_id FROM ({text}) s "  # noqa: S608 - fixed text, values bound
            f"JOIN app_user u ON u.tenant_id = {q(tenant_id)} AND u.employee_id = s.recipient AND u.active "
            f"LEFT JOIN notification_preference np ON np.tenant_id = u.tenant_id AND np.user_id = u.id "
            f"AND np.kind = {q(kind)} WHERE np.in_app IS NULL OR np.in_app", q.values)
        created = []
        for row in rows:
            user_id = uuid.UUID(str(row["user_id"]))
            if user_id == actor_user_id:
                continue  # nobody is told what he did himself
            params = {"employee": row["p_employee"], "year": row["p_year"], "status": row["p_status"],
                      "code": row["p_code"]}
            created.append((user_id, kind, subject_type, uuid.UUID(str(row["subject_id"])),
                            {k: v for k, v in params.items() if v is not None}))
        await add(collector, tenant_id, created)


async def add(collector: audit.AuditCollector | None, tenant_id: uuid.UUID,
              rows: list[tuple[uuid.UUID, str, str, uuid.UUID, dict[str, Any]]], *,
              once_keys: list[str | None] | None = None) -> list[uuid.UUID]:
    """Insert notifications (recipient, kind, subject type, subject id, params) in the running
    transaction and announce each; with ``once_keys``, a row whose key exists already is skipped
    (``ON CONFLICT DO NOTHING``). Returns the ids inserted."""
    if not rows:
        return []
    now = clock.now()
    inserted = []
    for index, (user_id, kind, subject_type, subject_id, params) in enumerate(rows):
        q = Sql()
        notification_id = uuid.uuid4()
        key = once_keys[index] if once_keys else None
        text = (f"INSERT INTO notification (id, tenant_id, created_at, recipient_id, kind, subject_type, subject_id, "  # noqa: S608 - fixed columns, values bound
                f"params, once_key) VALUES ({q(notification_id)}, {q(tenant_id)}, {q(now)}, {q(user_id)}, {q(kind)}, "
                f"{q(subject_type)}, {q(subject_id)}, {q.json(params)}, {q(key)}) "
                "ON CONFLICT DO NOTHING RETURNING id")
        if not await connection().execute_query_dict(text, q.values):
            continue
        inserted.append(notification_id)
        await publish(collector, Event(tenant_id, EVENT_KIND, notification_id, extra={"recipient": str(user_id)}))
    return inserted


audit.OBSERVERS.append(observe)


# --- the viewer's own inbox -----------------------------------------------------------------------

async def unread_count(ctx: RequestContext) -> int:
    actor = ctx.require_actor()
    await ctx.require("notification", "read")
    return await Notification.filter(tenant_id=actor.tenant_id, recipient_id=actor.user_id,
                                     read_at__isnull=True).count()


async def mark_read(ctx: RequestContext, ids: list[uuid.UUID], everything: bool) -> int:
    """Mark the viewer's notifications read: those of ``ids`` (others' or unknown ids: NOT_FOUND), or
    all unread ones. CONFLICT when nothing was unread."""
    actor = ctx.require_actor()
    await ctx.require("notification", "manage")
    if not ids and not everything:
        raise BadUserInput("Name the notifications to mark, or ask for all", field="ids")
    mine = Notification.filter(tenant_id=actor.tenant_id, recipient_id=actor.user_id)
    if ids:
        found = {row.id for row in await mine.filter(id__in=ids).only("id")}
        if any(i not in found for i in ids):
            raise NotFound("Notification not found", field="ids")
        mine = mine.filter(id__in=ids)
    count = await audit.update(mine.filter(read_at__isnull=True), read_at=clock.now())
    if count == 0:
        raise Conflict("The notifications are already read", field="ids")
    return count


async def set_preference(ctx: RequestContext, kind: str, in_app: bool, email: bool, digest: bool) -> NotificationPreference:
    actor = ctx.require_actor()
    await ctx.require("notification", "manage")
    if kind not in rules.KINDS:
        raise BadUserInput("Unknown notification kind", field="kind")
    await once.lock_key("notification_preference", actor.tenant_id, actor.user_id, kind)
    row = await once.locked(NotificationPreference.filter(tenant_id=actor.tenant_id, user_id=actor.user_id, kind=kind))
    if row is None:
        row = NotificationPreference(tenant_id=actor.tenant_id, user_id=actor.user_id, kind=kind)
    elif (row.in_app, row.email, row.digest) == (in_app, email, digest):
        raise Conflict("The preference is already so", field="kind")
    row.in_app, row.email, row.digest = in_app, email, digest
    await row.save()
    return row


_ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


async def set_email(ctx: RequestContext, address: str | None) -> None:
    """The viewer's own mail address for notifications (null: none)."""
    from kinerja.auth.models import User

    actor = ctx.require_actor()
    await ctx.require("notification", "manage")
    address = address.strip() if address else None
    if address is not None and (len(address) > 254 or not _ADDRESS.match(address)):
        raise BadUserInput("The mail address is not valid", field="email")
    user = await once.locked(User.filter(tenant_id=actor.tenant_id, id=actor.user_id))
    if user is None:
        raise NotFound("Notification not found", field="email")
    if user.email == address:
        raise Conflict("The mail address is already so", field="email")
    user.email = address
    await user.save(update_fields=["email"])
