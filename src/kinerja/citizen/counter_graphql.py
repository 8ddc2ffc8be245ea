"""GraphQL of the survey at the counter and of what follows it: kiosks, survey codes, the survey's
questions, private suggestions (saran), ticket replies and ratings with their timeline, and follow-up
plans. Staff reads are described for the compiler; the public ones name their tenant."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.citizen import counter, followup, rules, service
from kinerja.citizen.models import FollowUpAction as FollowUpActionModel
from kinerja.citizen.models import FollowUpPlan as FollowUpPlanModel
from kinerja.citizen.models import SurveyCode as SurveyCodeModel
from kinerja.citizen.models import SurveyCodeBatch as SurveyCodeBatchModel
from kinerja.citizen.models import SurveyKiosk as SurveyKioskModel
from kinerja.citizen.models import SurveyResponse as SurveyResponseModel
from kinerja.citizen.models import TicketEvent as TicketEventModel
from kinerja.citizen.rules import ActionStatus, SubmissionChannel, TicketEventKind, TicketStatus
from kinerja.citizen.scoping import service_unit_rows, ticket_rows
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation

strawberry.enum(SubmissionChannel, description="How a survey response came: WEB (anonymous, online), KIOSK "
                                               "(a registered counter device), CODE (a one-time code).")
strawberry.enum(TicketEventKind, description="A step of a ticket's timeline.")
strawberry.enum(ActionStatus, description="Status of a follow-up action: PLANNED -> IN_PROGRESS -> DONE.")

LazyEmployee = Annotated["Employee", strawberry.lazy("kinerja.org.graphql")]  # noqa: F821 - resolved lazily
LazyPosition = Annotated["Position", strawberry.lazy("kinerja.org.graphql")]  # noqa: F821 - resolved lazily

MANAGED = service_unit_rows("survey", "manage")
IKM_READERS = service_unit_rows("ikm", "read")
UNIT_NAME = "(SELECT su.name FROM service_unit su WHERE su.tenant_id = {t}.tenant_id AND su.id = {t}.service_unit_id)"
SERVICE_NAME = "(SELECT s.name FROM public_service s WHERE s.tenant_id = {t}.tenant_id AND s.id = {t}.service_id)"


def _kiosk_responses(condition: str = "") -> str:
    return ("(SELECT count(*) FROM survey_response r WHERE r.tenant_id = {t}.tenant_id AND r.kiosk_id = {t}.id"
            + condition + ")")


@sql.table(SurveyKioskModel, access=MANAGED, node=True, not_found=lambda: NotFound("Kiosk not found"),
           description="A survey device (tablet kiosk) at a service unit's counter. Its responses skip the "
                       "same-address duplicate check; bursts of identical answers are flagged, never dropped.")
class SurveyKiosk(Node):
    name: str
    service_unit: str = sql.expression(UNIT_NAME, description="The service unit's name.")
    registered_at: dt.datetime = sql.column("created_at")
    revoked_at: dt.datetime | None
    active: bool = sql.expression("({t}.revoked_at IS NULL)", description="False once revoked.")
    responses: int = sql.expression(_kiosk_responses(), description="Responses received through the kiosk.")
    flagged_responses: int = sql.expression(
        _kiosk_responses(" AND r.flagged"),
        description="Responses sent in a burst of identical answers (counted in the IKM; look at them).")
    last_response_at: dt.datetime | None = sql.expression(
        "(SELECT max(r.created_at) FROM survey_response r WHERE r.tenant_id = {t}.tenant_id AND r.kiosk_id = {t}.id)")


@sql.table(SurveyCodeModel, description="A one-time survey code: accepted once, it names its service.")
class SurveyCode:
    code: str
    used_at: dt.datetime | None


def _print_path(batch_id: str) -> str:
    return f"/survey-codes/{to_global_id('SurveyCodeBatch', batch_id)}.pdf"


@sql.table(SurveyCodeBatchModel, access=MANAGED, node=True, not_found=lambda: NotFound("Survey code batch not found"),
           description="A batch of one-time survey codes of one service, to print as QR codes on receipts.")
class SurveyCodeBatch(Node):
    issued_at: dt.datetime = sql.column("created_at")
    count: int
    service: str = sql.expression(SERVICE_NAME, description="The service's name.")
    used: int = sql.expression("(SELECT count(*) FROM survey_code c WHERE c.tenant_id = {t}.tenant_id "
                               "AND c.batch_id = {t}.id AND c.used_at IS NOT NULL)", description="Codes used.")
    codes: list[SurveyCode] = sql.rows(on={"batch_id": "id"}, order=("code",))
    print_path: str = sql.derived(_print_path, "id", description="GET with the same token: a PDF (A4) of QR cards "
                                                                 "of the codes not used yet.")


def _element_name(element: int) -> str:
    return rules.ELEMENTS[element - 1] if 1 <= element <= 9 else ""


@sql.table(FollowUpActionModel, description="One action of a follow-up plan.")
class FollowUpAction:
    element: int = strawberry.field(description="The element (unsur, 1-9) it improves.")
    element_name: str = sql.derived(_element_name, "element")
    action: str
    owner: LazyPosition | None = sql.join("owner_id", description="Penanggung jawab: a position, never a person.")
    due_on: dt.date
    status: ActionStatus


@sql.table(FollowUpPlanModel, access=IKM_READERS, node=True, not_found=lambda: NotFound("Follow-up plan not found"),
           description="Rencana tindak lanjut of a service unit for a year (PermenPANRB 14/2017): actions on "
                       "the weakest elements, published in the public report.")
class FollowUpPlan(Node):
    service_unit: str = sql.expression(UNIT_NAME, description="The service unit's name.")
    year: int
    updated_at: dt.datetime
    actions: list[FollowUpAction] = sql.rows(on={"plan_id": "id"}, order=("position",))


@sql.table(SurveyResponseModel, access=IKM_READERS,
           description="A private suggestion (saran) sent with a survey response: staff only, never published.")
class SurveySuggestion:
    received_at: dt.datetime = sql.column("created_at")
    service: str = sql.expression(SERVICE_NAME, description="The service's name.")
    channel: SubmissionChannel
    text: str = sql.column("suggestion")


@sql.table(TicketEventModel, access=ticket_rows("feedback", "read"),
           description="One step of a ticket as staff see it: with the citizen's replies and the staff member.")
class FeedbackEvent:
    at: dt.datetime = sql.column("created_at")
    kind: TicketEventKind
    status: TicketStatus
    public_text: str | None
    reply: str | None = strawberry.field(description="The citizen's reply (never public).")
    rating: int | None = strawberry.field(description="The citizen's rating of the answer, 1-5.")
    staff: LazyEmployee | None = sql.join("staff_id")


@strawberry.type(description="One question of the survey (SKM), as PermenPANRB 14/2017 words it.")
class SurveyQuestion:
    number: int = strawberry.field(description="The element (unsur), 1-9: the position of its score.")
    element: str
    question: str
    answers: list[str] = strawberry.field(description="Labels of the scores 1, 2, 3 and 4, in that order.")


@strawberry.type(description="A step of a ticket as the citizen sees it: states and public answers only.")
class TicketTimelineEntry:
    at: dt.datetime
    kind: TicketEventKind
    status: TicketStatus
    public_answer: str | None
    rating: int | None
    staff_name: str | None = strawberry.field(description="Null unless the tenant publishes staff names.")


def _unit_filter(service_unit_id: strawberry.ID | None) -> tuple[sql.Cond, ...]:
    if service_unit_id is None:
        return ()
    return (sql.eq("service_unit_id", parse_global_id(service_unit_id, "ServiceUnit")),)


@strawberry.type
class CounterQuery:
    @sql.builder(description="Survey kiosks of the service units you manage (`survey:manage`), newest first.")
    def survey_kiosks(self, service_unit_id: strawberry.ID | None = None) -> list[SurveyKiosk]:
        return sql.Rows(where=_unit_filter(service_unit_id), order=("-created_at", "id"), access=True)

    @sql.builder(description="Batches of survey codes of the service units you manage, newest first.")
    def survey_code_batches(self, service_unit_id: strawberry.ID | None = None, first: int | None = 20,
                            after: str | None = None) -> Connection[SurveyCodeBatch]:
        return sql.Page(first=first, after=after, where=_unit_filter(service_unit_id),
                        order=("-created_at", "id"), access=True)

    @sql.builder(description="Follow-up plans (rencana tindak lanjut) of a year, of the service units whose IKM "
                             "you read.")
    def follow_up_plans(self, year: int, service_unit_id: strawberry.ID | None = None) -> list[FollowUpPlan]:
        return sql.Rows(where=(sql.eq("year", year), *_unit_filter(service_unit_id)),
                        order=("service_unit_id", "id"), access=True)

    @sql.builder(description="Private suggestions (saran) sent with survey responses, newest first.")
    def survey_suggestions(self, service_unit_id: strawberry.ID | None = None, first: int | None = 20,
                           after: str | None = None) -> Connection[SurveySuggestion]:
        return sql.Page(first=first, after=after,
                        where=(sql.where("{t}.suggestion IS NOT NULL"), *_unit_filter(service_unit_id)),
                        order=("-created_at", "id"), access=True)

    @sql.builder(description="Staff: the history of a ticket, with the citizen's replies and ratings.")
    def feedback_history(self, id: strawberry.ID) -> list[FeedbackEvent]:
        ticket = parse_global_id(id, "CitizenFeedback")
        return sql.Rows(where=(sql.eq("ticket_id", ticket),), order=("created_at", "id"), access=True,
                        guard=sql.Guard(sql.where("EXISTS (SELECT 1 FROM feedback_ticket WHERE tenant_id = {tenant} "
                                                  "AND id = {0})", ticket),
                                        lambda: NotFound("Feedback not found", field="id")))

    @sql.builder(description="Public: the nine questions of the survey with their answer labels, in the "
                             "order of the scores `submitSurveyResponse` takes.", tenant_argument=True)
    def survey_questions(self, tenant: str) -> list[SurveyQuestion]:
        return sql.Public(sql.Static([SurveyQuestion(number=q.number, element=q.element, question=q.question,
                                                     answers=list(q.answers)) for q in rules.SURVEY_QUESTIONS]),
                          sql.NamedTenant(tenant, service.public_gate))

    @strawberry.field(description="Public: the timeline of a ticket (received, moved on, answered, replied, "
                                  "rated), by its code.")
    async def feedback_timeline(self, info: Info, tenant: str, code: str) -> list[TicketTimelineEntry]:
        timeline = await service.ticket_timeline(info.context, tenant, code)
        return [TicketTimelineEntry(at=e.at, kind=e.kind, status=e.status, public_answer=e.public_answer,
                                    rating=e.rating, staff_name=e.staff_name) for e in timeline]


@strawberry.input
class RegisterSurveyKioskInput:
    service_unit_id: strawberry.ID
    name: str = strawberry.field(description="E.g. `Loket 1`; one active kiosk of a name per unit.")


@strawberry.type
class RegisterSurveyKioskPayload:
    kiosk: SurveyKiosk | None = None
    token: str | None = strawberry.field(default=None, description="The device token, shown this once: the kiosk "
                                                                   "sends it as `kioskToken`. Only its hash is kept.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeSurveyKioskInput:
    id: strawberry.ID


@strawberry.type
class SurveyKioskPayload:
    kiosk: SurveyKiosk | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class IssueSurveyCodesInput:
    service_id: strawberry.ID
    count: int = strawberry.field(description=f"1 to {rules.MAX_CODES_PER_BATCH}.")


@strawberry.type
class SurveyCodeBatchPayload:
    batch: SurveyCodeBatch | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReplyToTicketInput:
    tenant: str
    code: str
    message: str


@strawberry.input
class RateTicketAnswerInput:
    tenant: str
    code: str
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")


@strawberry.type
class TicketReplyPayload:
    status: TicketStatus | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class FollowUpActionInput:
    element: int = strawberry.field(description="The element (unsur, 1-9).")
    action: str
    owner: str | None = strawberry.field(default=None, description="The owning position, by its name.")
    due_on: dt.date
    status: ActionStatus = ActionStatus.PLANNED


@strawberry.input
class SaveFollowUpPlanInput:
    service_unit_id: strawberry.ID
    year: int
    actions: list[FollowUpActionInput] | None = strawberry.field(
        default=None, description="The plan's actions, replacing the current ones. Left out: the suggested plan, "
                                  "actions on the year's weakest elements (NRR below the tenant's threshold, or "
                                  "the three lowest).")


@strawberry.type
class FollowUpPlanPayload:
    plan: FollowUpPlan | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CounterMutation:
    @strawberry.mutation(description="Register a survey kiosk of a service unit; its token is shown once.")
    async def register_survey_kiosk(self, info: Info, input: RegisterSurveyKioskInput) -> RegisterSurveyKioskPayload:
        async def work():
            registered = await counter.register_kiosk(
                info.context, parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId"), input.name)
            return {"kiosk": sql.ref("SurveyKiosk", registered.kiosk.id), "token": registered.token}
        return await run_mutation(info, RegisterSurveyKioskPayload, work)

    @strawberry.mutation(description="Revoke a survey kiosk: its token is refused from now on.")
    async def revoke_survey_kiosk(self, info: Info, input: RevokeSurveyKioskInput) -> SurveyKioskPayload:
        async def work():
            kiosk = await counter.revoke_kiosk(info.context, parse_input_id(input.id, "SurveyKiosk", "id"))
            return {"kiosk": sql.ref("SurveyKiosk", kiosk.id)}
        return await run_mutation(info, SurveyKioskPayload, work)

    @strawberry.mutation(description="Issue a batch of one-time survey codes of a service (print them as QR codes).")
    async def issue_survey_codes(self, info: Info, input: IssueSurveyCodesInput) -> SurveyCodeBatchPayload:
        async def work():
            batch = await counter.issue_codes(info.context, parse_input_id(input.service_id, "Service", "serviceId"),
                                              input.count)
            return {"batch": sql.ref("SurveyCodeBatch", batch.id)}
        return await run_mutation(info, SurveyCodeBatchPayload, work)

    @strawberry.mutation(description="Public: reply to the unit's answer with the ticket code; the ticket opens again.")
    async def reply_to_ticket(self, info: Info, input: ReplyToTicketInput) -> TicketReplyPayload:
        async def work():
            ticket = await service.reply_to_ticket(info.context, input.tenant, input.code, input.message)
            return {"status": ticket.status}
        return await run_mutation(info, TicketReplyPayload, work)

    @strawberry.mutation(description="Public: rate the unit's answer, 1 to 5, once per answer.")
    async def rate_ticket_answer(self, info: Info, input: RateTicketAnswerInput) -> TicketReplyPayload:
        async def work():
            ticket = await service.rate_ticket_answer(info.context, input.tenant, input.code, input.rating)
            return {"status": ticket.status}
        return await run_mutation(info, TicketReplyPayload, work)

    @strawberry.mutation(description="Create or replace the follow-up plan of a service unit and year; without "
                                     "actions, the suggested plan.")
    async def save_follow_up_plan(self, info: Info, input: SaveFollowUpPlanInput) -> FollowUpPlanPayload:
        async def work():
            actions = None if input.actions is None else [
                followup.ActionInput(a.element, a.action, a.owner, a.due_on, a.status) for a in input.actions]
            plan = await followup.save_plan(
                info.context, parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId"), input.year, actions)
            return {"plan": sql.ref("FollowUpPlan", plan.id)}
        return await run_mutation(info, FollowUpPlanPayload, work)
