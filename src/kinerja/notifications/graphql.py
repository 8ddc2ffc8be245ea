"""GraphQL of the inbox: the viewer's notifications (described for the compiler), marking them read,
preferences, and the live `notificationAdded` subscription."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.events import hub
from kinerja.core.ids import parse_optional_id, to_global_id
from kinerja.graph import messages, sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, UserError, run_mutation, user_errors_field
from kinerja.notifications import rules, service
from kinerja.notifications.models import Notification as NotificationModel
from kinerja.notifications.models import NotificationPreference as PreferenceModel
from kinerja.notifications.rules import NotificationKind

READ = sql.requires("notification", "read")

described(NotificationKind, "What a notification is about.", {
    "PLAN_SUBMITTED": "A subordinate submitted a plan for your approval.",
    "PLAN_RETURNED": "Your plan was returned for revision.",
    "PLAN_APPROVED": "Your plan was approved.",
    "FEEDBACK_GIVEN": "Feedback on a plan or a realisation.",
    "EVALUATION_FINALISED": "Your evaluation was finalised.",
    "OBJECTION_FILED": "An objection to an evaluation awaits your decision.",
    "OBJECTION_DECIDED": "Your objection was decided.",
    "TRAINING_VERIFIED": "Your training record was verified.",
    "TRAINING_REJECTED": "Your training record was rejected.",
    "TICKET_ASSIGNED": "A citizen ticket was assigned to you.",
    "PLAN_DUE": "Reminder: your plan is not submitted and the tenant's deadline passed.",
    "REALISATION_DUE": "Reminder: a period ended without your realisation.",
    "EVALUATION_DUE": "Reminder: a subordinate's evaluation of an ended period is due.",
    "TICKET_OVERDUE": "Escalation: a citizen ticket of your unit is past its service level.",
})


def _text(index: int):
    def render(kind: str, params: dict | None) -> str:
        return rules.render(kind, params, messages.language.get())[index]
    return render


def _subject_id(subject_type: str, subject_id) -> str:
    return to_global_id(subject_type, subject_id)


@sql.table(NotificationModel, access=READ, description="One notification in the viewer's inbox.")
class Notification:
    id: strawberry.ID = strawberry.field(description="Global id of the notification.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = sql.derived(_text(0), "kind", "params", description="Its title, in the request's language.")
    body: str = sql.derived(_text(1), "kind", "params", description="Its text, in the request's language.")
    subject_type: str = strawberry.field(description="The type of the object it is about, e.g. `PerformancePlan`.")
    subject_id: strawberry.ID = sql.derived(_subject_id, "subject_type", "subject_id",
                                            description="Global id of the object it is about.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    read_at: dt.datetime | None = strawberry.field(description="When the viewer marked it read; null while unread.")


@sql.table(PreferenceModel, access=READ, description="How the viewer wants one kind of notification.")
class NotificationPreference:
    kind: NotificationKind = strawberry.field(description="The kind of notification.")
    in_app: bool = strawberry.field(description="Put it in the inbox (off: nothing is created).")
    email: bool = strawberry.field(description="Also send it by mail, one mail per notification.")
    digest: bool = strawberry.field(description="List it in the daily digest mail.")


@strawberry.input(description="Which notifications to mark read: some by id, or all.")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Global ids of notifications.")
    all: bool = strawberry.field(default=False, description="Mark every unread notification of the viewer.")


@strawberry.type(description="The outcome of marking notifications read.")
class MarkNotificationsReadPayload:
    count: int = strawberry.field(default=0, description="How many were marked.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The viewer's preference for one kind of notification.")
class SetNotificationPreferenceInput:
    kind: NotificationKind = strawberry.field(description="The kind.")
    in_app: bool = strawberry.field(default=True, description="Put it in the inbox.")
    email: bool = strawberry.field(default=False, description="Also send it by mail.")
    digest: bool = strawberry.field(default=False, description="List it in the daily digest mail.")


@strawberry.type(description="The outcome of setting a notification preference.")
class NotificationPreferencePayload:
    preference: NotificationPreference | None = strawberry.field(default=None, description="The preference now; "
                                                                                             "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The viewer's mail address for notification mail.")
class SetNotificationEmailInput:
    email: str | None = strawberry.field(default=None, description="A mail address; null removes it (no mail).")


@strawberry.type(description="The outcome of setting the viewer's mail address.")
class SetNotificationEmailPayload:
    ok: bool = strawberry.field(default=False, description="Whether the address was set.")
    user_errors: list[UserError] = user_errors_field()


UNREAD = sql.Input("(SELECT count(*) FROM notification n WHERE n.tenant_id = {tenant} AND n.recipient_id = {user} "
                   "AND n.read_at IS NULL)")


@strawberry.type
class NotificationQuery:
    @sql.builder(description="The viewer's notifications, newest first.")
    def notifications(self, first: First = 20, after: After = None,
                      unread_only: Annotated[bool | None, strawberry.argument(
                          description="Only those not marked read.")] = False) -> Connection[Notification]:
        where = [sql.where("{t}.recipient_id = {user}")]
        if unread_only:
            where.append(sql.is_null("read_at"))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-created_at", "-id"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        access=True)

    @sql.builder(description="How many of the viewer's notifications are unread (the same as "
                             "`notifications(unreadOnly: true) { totalCount }`).")
    def unread_notification_count(self) -> int:
        return sql.Value(int, (UNREAD,), access=sql.requires("notification", "read"))  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="The viewer's preferences (kinds without one: inbox on, mail and digest off).")
    def notification_preferences(self) -> list[NotificationPreference]:
        return sql.Rows(where=(sql.where("{t}.user_id = {user}"),), order=("kind", "id"), access=True)  # type: ignore[return-value]  # a described read


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(description="Mark some or all of the viewer's notifications read.")
    async def mark_notifications_read(self, info: Info, input: Annotated[MarkNotificationsReadInput, INPUT]
                                      ) -> MarkNotificationsReadPayload:
        async def work():
            ids = [parse_optional_id(i, "Notification", "ids") for i in input.ids]
            return {"count": await service.mark_read(info.context, [i for i in ids if i is not None], input.all)}
        return await run_mutation(info, MarkNotificationsReadPayload, work)

    @strawberry.mutation(description="Set how the viewer wants one kind of notification.")
    async def set_notification_preference(self, info: Info, input: Annotated[SetNotificationPreferenceInput, INPUT]
                                          ) -> NotificationPreferencePayload:
        async def work():
            row = await service.set_preference(info.context, input.kind.value, input.in_app, input.email, input.digest)
            return {"preference": sql.ref("NotificationPreference", row.id)}
        return await run_mutation(info, NotificationPreferencePayload, work)


    @strawberry.mutation(description="Set the viewer's mail address, where notification mail and digests go.")
    async def set_notification_email(self, info: Info, input: Annotated[SetNotificationEmailInput, INPUT]
                                     ) -> SetNotificationEmailPayload:
        async def work():
            await service.set_email(info.context, input.email)
            return {"ok": True}
        return await run_mutation(info, SetNotificationEmailPayload, work)


@strawberry.type(description="A notification just added to the viewer's inbox.")
class NotificationEvent:
    notification_id: strawberry.ID = strawberry.field(description="Global id of the notification.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="Its title, in the connection's language.")
    body: str = strawberry.field(description="Its text, in the connection's language.")
    subject_id: strawberry.ID = strawberry.field(description="Global id of the object it is about.")


@strawberry.type
class NotificationSubscription:
    @strawberry.subscription(description="Notifications as they arrive in the viewer's inbox.")
    async def notification_added(self, info: Info) -> AsyncGenerator[NotificationEvent, None]:
        ctx = info.context
        actor = ctx.require_actor()
        async with ctx.actor_transaction():
            await ctx.require("notification", "read")
        async for event in hub.subscribe(actor.tenant_id):
            if event.kind != service.EVENT_KIND or event.extra.get("recipient") != str(actor.user_id):
                continue
            found = await _still_readable(ctx, event.subject_id)
            if found is None:
                continue
            title, body = rules.render(found.kind, found.params, messages.language.get())
            yield NotificationEvent(notification_id=strawberry.ID(to_global_id("Notification", found.id)),
                                    kind=NotificationKind(found.kind), title=title, body=body,
                                    subject_id=strawberry.ID(to_global_id(found.subject_type, found.subject_id)))


async def _still_readable(ctx, notification_id: uuid.UUID) -> NotificationModel | None:
    """Checked afresh for every event: the account, the permission and the row's recipient."""
    ctx.cache.clear()
    ctx.loaders.clear()
    actor = ctx.require_actor()
    async with ctx.actor_transaction():
        if "notification:read:own" not in await ctx.permissions():
            return None
        return await NotificationModel.get_or_none(tenant_id=actor.tenant_id, id=notification_id,
                                                   recipient_id=actor.user_id)
