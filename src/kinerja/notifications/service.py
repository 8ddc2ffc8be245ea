"""The inbox: notifications derived from the changes an operation made (one observer of the audit
collector, in the operation's transaction), reads of the viewer's own rows, marking them read, and
per-user preferences."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from kinerja.core import audit, clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import BadUserInput, Conflict, NotFound
from kinerja.core.events import Event, publish_all
from kinerja.core.sql import Params, fetch_all
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


# (recipient, kind, subject type, subject id, params)
NewNotification = tuple[uuid.UUID, str, str, uuid.UUID, dict[str, Any]]
ROWS_PER_INSERT = 1000  # 7 values a row: well under both backends' limit of values in one statement


async def observe(collector: audit.AuditCollector, entries: list[dict[str, Any]], actor_user_id: uuid.UUID | None) -> None:
    """The audit collector's observer: notifications for the state changes among ``entries``, one
    INSERT per tenant touched."""
    wanted: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = {}
    for entry in entries:
        kind = rules.kind_of(entry["object_type"], entry["changes"])
        if kind is not None and kind in SUBJECTS:
            object_id = entry["object_id"]
            wanted.setdefault((entry["tenant_id"], kind), []).append(
                object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id)))
    created: dict[uuid.UUID, list[NewNotification]] = {}
    for (tenant_id, kind), ids in wanted.items():
        subject_type, select = SUBJECTS[kind]
        q = Params()
        text = select.format(tenant=q(tenant_id), ids=", ".join(q(i) for i in dict.fromkeys(ids)))
        rows = await fetch_all(
            f"SELECT s.subject_id, s.p_employee, s.p_year, s.p_status, s.p_code, u.id AS user_id FROM ({text}) s "  # noqa: S608 - fixed text, values bound
            f"JOIN app_user u ON u.tenant_id = {q(tenant_id)} AND u.employee_id = s.recipient AND u.active "
            f"LEFT JOIN notification_preference np ON np.tenant_id = u.tenant_id AND np.user_id = u.id "
            f"AND np.kind = {q(kind)} WHERE np.in_app IS NULL OR np.in_app", q.values)
        for row in rows:
            user_id = uuid.UUID(str(row["user_id"]))
            if user_id == actor_user_id:
                continue  # nobody is told what he did himself
            params = {"employee": row["p_employee"], "year": row["p_year"], "status": row["p_status"],
                      "code": row["p_code"]}
            created.setdefault(tenant_id, []).append((user_id, kind, subject_type, uuid.UUID(str(row["subject_id"])),
                                                      {k: v for k, v in params.items() if v is not None}))
    for tenant_id, rows_of_tenant in created.items():
        await add(collector, tenant_id, rows_of_tenant)


async def add(collector: audit.AuditCollector | None, tenant_id: uuid.UUID, rows: list[NewNotification], *,
              once_keys: list[str | None] | None = None) -> list[uuid.UUID]:
    """Insert notifications in the running transaction, all in one statement (one per
    ``ROWS_PER_INSERT``), and announce each inserted row; with ``once_keys``, a row whose key exists
    already is skipped (``ON CONFLICT DO NOTHING``). Returns the ids inserted, in the order given."""
    if not rows:
        return []
    keys = once_keys or [None] * len(rows)
    ids = [uuid.uuid4() for _ in rows]
    # Keyed rows go in key order, so concurrent writers of the same keys wait for each other in the
    # same order instead of deadlocking.
    order = sorted(range(len(rows)), key=lambda i: keys[i] or "")
    now = clock.now()
    inserted: set[uuid.UUID] = set()
    for start in range(0, len(order), ROWS_PER_INSERT):
        chunk = [(ids[i], *rows[i], keys[i]) for i in order[start:start + ROWS_PER_INSERT]]
        inserted |= await _insert(tenant_id, now, chunk)
    made = [(notification_id, user_id) for notification_id, (user_id, *_rest) in zip(ids, rows, strict=True)
            if notification_id in inserted]
    await publish_all(collector, [Event(tenant_id, EVENT_KIND, notification_id, extra={"recipient": str(user_id)})
                                  for notification_id, user_id in made])
    return [notification_id for notification_id, _user in made]


async def _insert(tenant_id: uuid.UUID, now: dt.datetime, rows: list[tuple]) -> set[uuid.UUID]:
    """One multi-row INSERT; the ids it inserted."""
    q = Params()
    tenant, created_at = q(tenant_id), q(now)
    values = ", ".join(
        f"({q(notification_id)}, {tenant}, {created_at}, {q(user_id)}, {q(kind)}, {q(subject_type)}, {q(subject_id)}, "
        f"{q.json(params)}, {q(key)})"
        for notification_id, user_id, kind, subject_type, subject_id, params, key in rows)
    found = await fetch_all(
        "INSERT INTO notification (id, tenant_id, created_at, recipient_id, kind, subject_type, subject_id, params, "  # noqa: S608 - fixed columns, values bound
        f"once_key) VALUES {values} ON CONFLICT DO NOTHING RETURNING id", q.values)
    return {uuid.UUID(str(row["id"])) for row in found}


audit.OBSERVERS.append(observe)


# --- the viewer's own inbox -----------------------------------------------------------------------

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
