"""GraphQL of the survey at the counter and of what follows it: kiosks, survey codes, the survey's
questions, private suggestions (saran), ticket replies and ratings with their timeline, and follow-up
plans. Staff reads are described for the compiler; the public ones name their tenant."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from kinerja.citizen import counter, followup, rules, service
from kinerja.citizen.graphql import ActionStatus, TicketStatus, tracked_tenant  # enums registered there
from kinerja.citizen.models import FollowUpAction as FollowUpActionModel
from kinerja.citizen.models import FollowUpPlan as FollowUpPlanModel
from kinerja.citizen.models import SurveyCode as SurveyCodeModel
from kinerja.citizen.models import SurveyCodeBatch as SurveyCodeBatchModel
from kinerja.citizen.models import SurveyKiosk as SurveyKioskModel
from kinerja.citizen.models import SurveyResponse as SurveyResponseModel
from kinerja.citizen.models import TicketEvent as TicketEventModel
from kinerja.citizen.rules import SubmissionChannel, TicketEventKind
from kinerja.citizen.scoping import service_unit_rows, ticket_rows
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field

if TYPE_CHECKING:  # for the type checker only: at run time strawberry.lazy imports them
    from kinerja.org.graphql import Employee, Position

described(SubmissionChannel, "Saluran survei: how a survey response came.", {
    "WEB": "Web: anonymous and online, without a code.",
    "KIOSK": "Kios: a registered survey device (tablet) at the counter.",
    "CODE": "Kode: a one-time survey code, from the QR on a service receipt.",
})
described(TicketEventKind, "Langkah tiket: a step of a ticket's timeline.", {
    "RECEIVED": "Diterima: the citizen sent the ticket.",
    "STATUS": "Status diubah: staff moved the ticket on.",
    "ANSWERED": "Dijawab: staff gave a public answer.",
    "REPLIED": "Dibalas: the citizen replied to the answer; the ticket is open again.",
    "RATED": "Dinilai: the citizen rated the answer.",
})

LazyEmployee = Annotated["Employee", strawberry.lazy("kinerja.org.graphql")]
LazyPosition = Annotated["Position", strawberry.lazy("kinerja.org.graphql")]

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
    name: str = strawberry.field(description="Nama kios, e.g. `Loket 1`.")
    service_unit: str = sql.expression(UNIT_NAME, description="The service unit's name.")
    registered_at: dt.datetime = sql.column("created_at", description="When it was registered.")
    revoked_at: dt.datetime | None = strawberry.field(description="When it was revoked; null while active.")
    active: bool = sql.expression("({t}.revoked_at IS NULL)", description="False once revoked.")
    responses: int = sql.expression(_kiosk_responses(), description="Responses received through the kiosk.")
    flagged_responses: int = sql.expression(
        _kiosk_responses(" AND r.flagged"),
        description="Responses sent in a burst of identical answers (counted in the IKM; look at them).")
    last_response_at: dt.datetime | None = sql.expression(
        "(SELECT max(r.created_at) FROM survey_response r WHERE r.tenant_id = {t}.tenant_id AND r.kiosk_id = {t}.id)",
        description="When its latest response came; null before the first.")


@sql.table(SurveyCodeModel, description="Kode survei: a one-time survey code, accepted once; it names its service.")
class SurveyCode:
    code: str = strawberry.field(description="Kode: the code as printed (and in the QR).")
    used_at: dt.datetime | None = strawberry.field(description="When a response used it; null while unused.")


def _print_path(batch_id: str) -> str:
    return f"/survey-codes/{to_global_id('SurveyCodeBatch', batch_id)}.pdf"


@sql.table(SurveyCodeBatchModel, access=MANAGED, node=True, not_found=lambda: NotFound("Survey code batch not found"),
           description="A batch of one-time survey codes of one service, to print as QR codes on receipts.")
class SurveyCodeBatch(Node):
    issued_at: dt.datetime = sql.column("created_at", description="When it was issued.")
    count: int = strawberry.field(description="Jumlah: codes in the batch.")
    service: str = sql.expression(SERVICE_NAME, description="The service's name.")
    used: int = sql.expression("(SELECT count(*) FROM survey_code c WHERE c.tenant_id = {t}.tenant_id "
                               "AND c.batch_id = {t}.id AND c.used_at IS NOT NULL)", description="Codes used.")
    codes: list[SurveyCode] = sql.rows(on={"batch_id": "id"}, order=("code",), description="Its codes, in order.")
    print_path: str = sql.derived(_print_path, "id", description="GET with the same token: a PDF (A4) of QR cards "
                                                                 "of the codes not used yet.")


def _element_name(element: int) -> str:
    return rules.ELEMENTS[element - 1] if 1 <= element <= 9 else ""


@sql.table(FollowUpActionModel, description="Tindak lanjut: one action of a follow-up plan.")
class FollowUpAction:
    element: int = strawberry.field(description="The element (unsur, 1-9) it improves.")
    element_name: str = sql.derived(_element_name, "element", description="Unsur pelayanan: the element's name.")
    action: str = strawberry.field(description="Tindak lanjut: the action.")
    owner: LazyPosition | None = sql.join("owner_id", description="Penanggung jawab: a position, never a person.")
    due_on: dt.date = strawberry.field(description="Batas waktu: when it is due.")
    status: ActionStatus = strawberry.field(description="Status tindak lanjut.")


@sql.table(FollowUpPlanModel, access=IKM_READERS, node=True, not_found=lambda: NotFound("Follow-up plan not found"),
           description="Rencana tindak lanjut of a service unit for a year (PermenPANRB 14/2017): actions on "
                       "the weakest elements, published in the public report.")
class FollowUpPlan(Node):
    service_unit: str = sql.expression(UNIT_NAME, description="The service unit's name.")
    year: int = strawberry.field(description="Tahun (calendar year).")
    updated_at: dt.datetime = strawberry.field(description="When it was last saved.")
    actions: list[FollowUpAction] = sql.rows(on={"plan_id": "id"}, order=("position",),
                                             description="Tindak lanjut: its actions, in order.")


@sql.table(SurveyResponseModel, access=IKM_READERS,
           description="A private suggestion (saran) sent with a survey response: staff only, never published.")
class SurveySuggestion:
    received_at: dt.datetime = sql.column("created_at", description="When the response came.")
    service: str = sql.expression(SERVICE_NAME, description="The service's name.")
    channel: SubmissionChannel = strawberry.field(description="Saluran survei: how the response came.")
    text: str = sql.column("suggestion", description="Saran: the citizen's suggestion.")


@sql.table(TicketEventModel, access=ticket_rows("feedback", "read"),
           description="One step of a ticket as staff see it: with the citizen's replies and the staff member.")
class FeedbackEvent:
    at: dt.datetime = sql.column("created_at", description="When it happened.")
    kind: TicketEventKind = strawberry.field(description="Langkah tiket: what happened.")
    status: TicketStatus = strawberry.field(description="Status tiket after the step.")
    public_text: str | None = strawberry.field(description="Jawaban: the public answer given in the step, if any.")
    reply: str | None = strawberry.field(description="The citizen's reply (never public).")
    rating: int | None = strawberry.field(description="The citizen's rating of the answer, 1-5.")
    staff: LazyEmployee | None = sql.join("staff_id", description="Petugas: the staff member who took the step; "
                                                                  "null for the citizen's steps.")


@strawberry.type(description="One question of the survey (SKM), as PermenPANRB 14/2017 words it.")
class SurveyQuestion:
    number: int = strawberry.field(description="The element (unsur), 1-9: the position of its score.")
    element: str = strawberry.field(description="Unsur pelayanan: the element's name, e.g. `Persyaratan`.")
    question: str = strawberry.field(description="Pertanyaan: the question as the regulation words it.")
    answers: list[str] = strawberry.field(description="Labels of the scores 1, 2, 3 and 4, in that order.")


def _timeline_rows(dialect: str) -> str:
    """The steps of the ticket whose code is {0}: its receipt, then its events in the order they
    happened; the staff member's name only where the tenant publishes staff names."""
    publishes = ("(SELECT n.settings ->> 'public_staff_names' FROM tenant n WHERE n.id = {tenant}) = 'true'"
                 if dialect == "postgres" else
                 "(SELECT json_extract(n.settings, '$.public_staff_names') FROM tenant n WHERE n.id = {tenant}) = 1")
    return ("(SELECT 0 AS step, k.created_at AS at, 'RECEIVED' AS kind, 'RECEIVED' AS status, NULL AS public_answer, "
            "NULL AS rating, NULL AS staff_name, k.id AS id FROM feedback_ticket k "
            "WHERE k.tenant_id = {tenant} AND k.code = {0} "
            "UNION ALL SELECT 1, e.created_at, e.kind, e.status, e.public_text, e.rating, "
            f"CASE WHEN {publishes} THEN (SELECT m.name FROM employee m WHERE m.tenant_id = e.tenant_id "
            "AND m.id = e.staff_id) END, e.id FROM ticket_event e JOIN feedback_ticket k "
            "ON k.tenant_id = e.tenant_id AND k.id = e.ticket_id WHERE e.tenant_id = {tenant} AND k.code = {0}) {t}")


@sql.table(source=sql.Dialects(_timeline_rows("postgres"), _timeline_rows("sqlite")), order=("step", "at", "id"),
           description="A step of a ticket as the citizen sees it: states and public answers only.")
class TicketTimelineEntry:
    at: dt.datetime = strawberry.field(description="When it happened.")
    kind: TicketEventKind = strawberry.field(description="Langkah tiket: what happened.")
    status: TicketStatus = strawberry.field(description="Status tiket after the step.")
    public_answer: str | None = strawberry.field(description="Jawaban: the public answer given in the step, if any.")
    rating: int | None = strawberry.field(description="Penilaian: the citizen's rating of the answer (1-5), for a "
                                                      "RATED step.")
    staff_name: str | None = strawberry.field(description="Null unless the tenant publishes staff names.")


def _unit_filter(service_unit_id: strawberry.ID | None) -> tuple[sql.Cond, ...]:
    if service_unit_id is None:
        return ()
    return (sql.eq("service_unit_id", parse_global_id(service_unit_id, "ServiceUnit")),)


@strawberry.type
class CounterQuery:
    @sql.builder(description="Survey kiosks of the service units you manage (`survey:manage`), newest first.")
    def survey_kiosks(self, service_unit_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only of this service unit (global id).")] = None) -> list[SurveyKiosk]:
        return sql.Rows(where=_unit_filter(service_unit_id), order=("-created_at", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Batches of survey codes of the service units you manage, newest first.")
    def survey_code_batches(self, service_unit_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only of this service unit (global id).")] = None, first: First = 20,
                            after: After = None) -> Connection[SurveyCodeBatch]:
        return sql.Page(first=first, after=after, where=_unit_filter(service_unit_id),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        order=("-created_at", "id"), access=True)

    @sql.builder(description="Follow-up plans (rencana tindak lanjut) of a year, of the service units whose IKM "
                             "you read.")
    def follow_up_plans(self, year: Annotated[int, strawberry.argument(description="Tahun (calendar year).")],
                        service_unit_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only of this service unit (global id).")] = None) -> list[FollowUpPlan]:
        return sql.Rows(where=(sql.eq("year", year), *_unit_filter(service_unit_id)),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        order=("service_unit_id", "id"), access=True)

    @sql.builder(description="Private suggestions (saran) sent with survey responses, newest first.")
    def survey_suggestions(self, service_unit_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only of this service unit (global id).")] = None, first: First = 20,
                           after: After = None) -> Connection[SurveySuggestion]:
        return sql.Page(first=first, after=after,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        where=(sql.where("{t}.suggestion IS NOT NULL"), *_unit_filter(service_unit_id)),
                        order=("-created_at", "id"), access=True)

    @sql.builder(description="Staff: the history of a ticket, with the citizen's replies and ratings.")
    def feedback_history(self, id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of the ticket (CitizenFeedback).")]) -> list[FeedbackEvent]:
        ticket = parse_global_id(id, "CitizenFeedback")
        return sql.Rows(where=(sql.eq("ticket_id", ticket),), order=("created_at", "id"), access=True,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        guard=sql.Guard(sql.where("EXISTS (SELECT 1 FROM feedback_ticket WHERE tenant_id = {tenant} "
                                                  "AND id = {0})", ticket),
                                        lambda: NotFound("Feedback not found", field="id")))

    @sql.builder(description="Public: the nine questions of the survey with their answer labels, in the "
                             "order of the scores `submitSurveyResponse` takes.", tenant_argument=True)
    def survey_questions(self, tenant: Annotated[str, strawberry.argument(description="The tenant's slug.")]) -> list[SurveyQuestion]:
        return sql.Public(sql.Static([SurveyQuestion(number=q.number, element=q.element, question=q.question,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                                                     answers=list(q.answers)) for q in rules.SURVEY_QUESTIONS]),
                          sql.NamedTenant(tenant, service.public_gate))

    @sql.builder(description="Public: the timeline of a ticket (received, moved on, answered, replied, rated), by "
                             "its code.", tenant_argument=True)
    def feedback_timeline(self, tenant: Annotated[str, strawberry.argument(description="The tenant's slug.")],
                          code: Annotated[str, strawberry.argument(description="Kode tiket.")]
                          ) -> list[TicketTimelineEntry]:
        code = rules.normalise_code(code or "")
        return sql.Public(sql.Rows(values=(code,), guard=sql.Guard(  # type: ignore[return-value]  # a described read: the compiler answers its specification
            sql.where("EXISTS (SELECT 1 FROM feedback_ticket WHERE tenant_id = {tenant} AND code = {0})", code),
            lambda: NotFound("Unknown ticket code", field="code"))), tracked_tenant(tenant))


@strawberry.input(description="Kios survei: a survey device to register at a service unit's counter.")
class RegisterSurveyKioskInput:
    service_unit_id: strawberry.ID = strawberry.field(description="Unit penyelenggara pelayanan: global id of the "
                                                                  "service unit.")
    name: str = strawberry.field(description="E.g. `Loket 1`; one active kiosk of a name per unit.")


@strawberry.type(description="The outcome of registering a survey kiosk.")
class RegisterSurveyKioskPayload:
    kiosk: SurveyKiosk | None = strawberry.field(default=None, description="The new kiosk; null on failure.")
    token: str | None = strawberry.field(default=None, description="The device token, shown this once: the kiosk "
                                                                   "sends it as `kioskToken`. Only its hash is kept.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The survey kiosk to revoke.")
class RevokeSurveyKioskInput:
    id: strawberry.ID = strawberry.field(description="Global id of the kiosk.")


@strawberry.type(description="The outcome of revoking a survey kiosk.")
class SurveyKioskPayload:
    kiosk: SurveyKiosk | None = strawberry.field(default=None, description="The kiosk as it is now; null on "
                                                                           "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Kode survei: a batch of one-time codes to issue for a service.")
class IssueSurveyCodesInput:
    service_id: strawberry.ID = strawberry.field(description="Layanan: global id of the service the codes name.")
    count: int = strawberry.field(description=f"1 to {rules.MAX_CODES_PER_BATCH}.")


@strawberry.type(description="The outcome of issuing survey codes.")
class SurveyCodeBatchPayload:
    batch: SurveyCodeBatch | None = strawberry.field(default=None, description="The new batch; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Balasan: a citizen's reply to the unit's answer.")
class ReplyToTicketInput:
    tenant: str = strawberry.field(description="The tenant's slug.")
    code: str = strawberry.field(description="Kode tiket.")
    message: str = strawberry.field(description="Isi: the reply (never public).")


@strawberry.input(description="Penilaian jawaban: a citizen's rating of the unit's answer.")
class RateTicketAnswerInput:
    tenant: str = strawberry.field(description="The tenant's slug.")
    code: str = strawberry.field(description="Kode tiket.")
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")


@strawberry.type(description="The outcome of a citizen's reply or rating.")
class TicketReplyPayload:
    status: TicketStatus | None = strawberry.field(default=None, description="Status tiket after it; null on "
                                                                            "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Tindak lanjut: one action of a follow-up plan.")
class FollowUpActionInput:
    element: int = strawberry.field(description="The element (unsur, 1-9).")
    action: str = strawberry.field(description=f"Tindak lanjut: the action (1 to {rules.MAX_ACTION} characters).")
    owner: str | None = strawberry.field(default=None, description="The owning position, by its name.")
    due_on: dt.date = strawberry.field(description="Batas waktu: when it is due.")
    status: ActionStatus = strawberry.field(default=ActionStatus.PLANNED, description="Status tindak lanjut "
                                                                                      "(PLANNED by default).")


@strawberry.input(description="Rencana tindak lanjut of a service unit and year to create or replace.")
class SaveFollowUpPlanInput:
    service_unit_id: strawberry.ID = strawberry.field(description="Unit penyelenggara pelayanan: global id of the "
                                                                  "service unit.")
    year: int = strawberry.field(description="Tahun (calendar year).")
    actions: list[FollowUpActionInput] | None = strawberry.field(
        default=None, description="The plan's actions, replacing the current ones. Left out: the suggested plan, "
                                  "actions on the year's weakest elements (NRR below the tenant's threshold, or "
                                  "the three lowest).")


@strawberry.type(description="The outcome of saving a follow-up plan.")
class FollowUpPlanPayload:
    plan: FollowUpPlan | None = strawberry.field(default=None, description="The plan as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class CounterMutation:
    @strawberry.mutation(description="Register a survey kiosk of a service unit; its token is shown once.")
    async def register_survey_kiosk(self, info: Info, input: Annotated[RegisterSurveyKioskInput, INPUT]) -> RegisterSurveyKioskPayload:
        async def work():
            registered = await counter.register_kiosk(
                info.context, parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId"), input.name)
            return {"kiosk": sql.ref("SurveyKiosk", registered.kiosk.id), "token": registered.token}
        return await run_mutation(info, RegisterSurveyKioskPayload, work)

    @strawberry.mutation(description="Revoke a survey kiosk: its token is refused from now on.")
    async def revoke_survey_kiosk(self, info: Info, input: Annotated[RevokeSurveyKioskInput, INPUT]) -> SurveyKioskPayload:
        async def work():
            kiosk = await counter.revoke_kiosk(info.context, parse_input_id(input.id, "SurveyKiosk", "id"))
            return {"kiosk": sql.ref("SurveyKiosk", kiosk.id)}
        return await run_mutation(info, SurveyKioskPayload, work)

    @strawberry.mutation(description="Issue a batch of one-time survey codes of a service (print them as QR codes).")
    async def issue_survey_codes(self, info: Info, input: Annotated[IssueSurveyCodesInput, INPUT]) -> SurveyCodeBatchPayload:
        async def work():
            batch = await counter.issue_codes(info.context, parse_input_id(input.service_id, "Service", "serviceId"),
                                              input.count)
            return {"batch": sql.ref("SurveyCodeBatch", batch.id)}
        return await run_mutation(info, SurveyCodeBatchPayload, work)

    @strawberry.mutation(description="Public: reply to the unit's answer with the ticket code; the ticket opens again.")
    async def reply_to_ticket(self, info: Info, input: Annotated[ReplyToTicketInput, INPUT]) -> TicketReplyPayload:
        async def work():
            ticket = await service.reply_to_ticket(info.context, input.tenant, input.code, input.message)
            return {"status": ticket.status}
        return await run_mutation(info, TicketReplyPayload, work)

    @strawberry.mutation(description="Public: rate the unit's answer, 1 to 5, once per answer.")
    async def rate_ticket_answer(self, info: Info, input: Annotated[RateTicketAnswerInput, INPUT]) -> TicketReplyPayload:
        async def work():
            ticket = await service.rate_ticket_answer(info.context, input.tenant, input.code, input.rating)
            return {"status": ticket.status}
        return await run_mutation(info, TicketReplyPayload, work)

    @strawberry.mutation(description="Create or replace the follow-up plan of a service unit and year; without "
                                     "actions, the suggested plan.")
    async def save_follow_up_plan(self, info: Info, input: Annotated[SaveFollowUpPlanInput, INPUT]) -> FollowUpPlanPayload:
        async def work():
            actions = None if input.actions is None else [
                followup.ActionInput(a.element, a.action, a.owner, a.due_on, a.status) for a in input.actions]
            plan = await followup.save_plan(
                info.context, parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId"), input.year, actions)
            return {"plan": sql.ref("FollowUpPlan", plan.id)}
        return await run_mutation(info, FollowUpPlanPayload, work)
