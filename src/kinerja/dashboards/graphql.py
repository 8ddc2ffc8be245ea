"""GraphQL of the dashboards: a unit's period, the tenant summary per perangkat daerah, a supervisor's
team. They sit above evaluations, plans, training and citizen and read all of them.

Reads are described for the compiler (``graph/sql.py``): each dashboard is one row of an org unit (or
the viewer's team) in a period, and its figures are counted by the database or computed by the owning
area's pure rule (``citizen/rules.py: compute_ikm``, ``ticket_stats``; ``evaluations/rules.py``) from rows
the same statement returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry

from kinerja.citizen import rules as citizen_rules
from kinerja.citizen.graphql import IkmValue
from kinerja.citizen.rules import TicketStatus
from kinerja.core import clock
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.core.numbers import decimal_text, tidy
from kinerja.evaluations.graphql import (
    CURRENT_EVALUATIONS,
    LATEST_FINAL_ORDER,
    LIVE,
    MEMBERS,
    SUBTREE,
    UNIT_PERIODS,
    UNIT_RATING,
    WITH_PERIOD,
    Evaluation,
    PredicateCount,
    current_predicate_counts,
    json_input,
    json_value,
    loaded,
    unit_in_period,
)
from kinerja.evaluations.rules import UnitRating
from kinerja.goals import achievement as iku_figures
from kinerja.graph import sql
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.models import Employee as EmployeeModel
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.models import Period as PeriodModel
from kinerja.plans.graphql import PerformancePlan
from kinerja.plans.rules import PlanStatus
from kinerja.tenancy.rules import TenantSettings
from kinerja.training.rules import TrainingStatus

# The whole tenant's summary needs tenant-wide dashboard access.
TENANT_SUMMARY = sql.Access("dashboard", "read", scopes=frozenset({"tenant"}),
                            message="The tenant summary needs tenant-wide dashboard access")


@strawberry.type(description="How many plans (SKP) are in one status.")
class StatusCount:
    status: PlanStatus = strawberry.field(description="Status SKP: the plan status.")
    count: int = strawberry.field(description="Jumlah: the number of current plans in it.")


@strawberry.type(description="Citizen feedback on the unit's services in the period.")
class ComplaintHandling:
    received: int = strawberry.field(description="Diterima: tickets received in the period.")
    answered: int = strawberry.field(description="Dijawab: of those, answered or closed.")
    overdue: int = strawberry.field(description="Terlambat: still open past their due time.")


def _plans_by_status(statuses) -> list[StatusCount]:
    found = [status for (status,) in loaded(statuses) or []]
    return [StatusCount(status=s, count=found.count(s.value)) for s in PlanStatus]


def _ikm(sums, settings) -> IkmValue | None:
    respondents, *elements = loaded(sums)
    weighting = TenantSettings.from_dict(loaded(settings) or {}).ikm_weighting
    ikm = citizen_rules.compute_ikm([int(s or 0) for s in elements], int(respondents or 0), weighting)
    return IkmValue.build(ikm) if ikm else None


def _complaints(service_units, tickets) -> ComplaintHandling | None:
    if not service_units:
        return None
    stats = citizen_rules.ticket_stats([(TicketStatus(status), dt.datetime.fromisoformat(due))
                                        for status, due in loaded(tickets) or []], clock.now())
    return ComplaintHandling(received=stats.received, answered=stats.answered, overdue=stats.overdue)


# Employees, plans, indicators and evaluations of the unit subtree's active employees.
EMPLOYEES = "(SELECT count(*) FROM employee e WHERE e.tenant_id = {tenant} AND e.active AND e.org_unit_id IN %s)" % SUBTREE
CURRENT_PLANS = ("pp.tenant_id = {tenant} AND pp.year = {t}.year AND pp.status <> 'SUPERSEDED' "
                 "AND pp.employee_id IN " + MEMBERS)
INDICATORS = ("FROM indicator i JOIN result_target rt ON rt.tenant_id = i.tenant_id AND rt.id = i.result_id "
              "JOIN performance_plan pp ON pp.tenant_id = i.tenant_id AND pp.id = rt.plan_id "
              "WHERE i.tenant_id = {tenant} AND pp.year = {t}.year AND pp.status IN ('APPROVED', 'CLOSED') "
              "AND pp.employee_id IN " + MEMBERS)
REALISED = (" AND EXISTS (SELECT 1 FROM realisation r WHERE r.tenant_id = {tenant} AND r.indicator_id = i.id "
            "AND r.period_id = {t}.period_id)")
EVALUATIONS = ("FROM evaluation v WHERE v.tenant_id = {tenant} AND v.period_id = {t}.period_id "
               "AND v.employee_id IN " + MEMBERS)
FINAL = "(SELECT count(*) " + EVALUATIONS + " AND v.status = 'FINAL')"

# Service units attached to the subtree, and what citizens said about them in the period: survey
# responses and tickets created from the period's first day up to (not including) the day after its last.
SERVICE_UNITS = "FROM service_unit su WHERE su.tenant_id = {tenant} AND su.org_unit_id IN " + SUBTREE
IN_PERIOD = sql.Dialects(
    pg="{x}.created_at >= ({t}.starts_on::timestamp AT TIME ZONE 'UTC') "
       "AND {x}.created_at < (({t}.ends_on + 1)::timestamp AT TIME ZONE 'UTC')",
    sqlite="{x}.created_at >= {t}.starts_on AND {x}.created_at < date({t}.ends_on, '+1 day')")


def _in_period(alias: str, dialect: str) -> str:
    return IN_PERIOD.text(dialect).replace("{x}", alias)


_SUMS = ", ".join(f"sum(r.u{i})" for i in range(1, 10))
SURVEY_FROM = ("FROM survey_response r WHERE r.tenant_id = {tenant} AND r.service_unit_id IN (SELECT su.id "
               + SERVICE_UNITS + ") AND ")
SURVEY_SUMS = sql.Input(sql.Dialects(
    f"(SELECT json_build_array(count(*), {_SUMS}) {SURVEY_FROM}{_in_period('r', 'postgres')})",
    f"(SELECT json_array(count(*), {_SUMS}) {SURVEY_FROM}{_in_period('r', 'sqlite')})"))
TENANT_SETTINGS = json_value("(SELECT settings FROM tenant WHERE id = {tenant})")


def _tickets(dialect: str) -> str:
    listed = json_input(["ft.status", "ft.due_at"], "feedback_ticket ft",
                        "ft.tenant_id = {tenant} AND ft.service_unit_id IN (SELECT su.id " + SERVICE_UNITS + ") AND "
                        + _in_period("ft", dialect), ["ft.id"])
    return sql.dialect_text(listed.sql, dialect)


TICKETS = sql.Input(sql.Dialects(_tickets("postgres"), _tickets("sqlite")))


@strawberry.type(description="Capaian IKU per periode: the unit's IKU achievement in one period of the year.")
class IkuTrendPoint:
    period_id: strawberry.ID = strawberry.field(description="Global id of the period.")
    name: str = strawberry.field(description="Nama periode.")
    sequence: int = strawberry.field(description="Its place in the year (1 = Q1).")
    achievement: Decimal | None = strawberry.field(description="Capaian unit (%): the mean of its IKU's "
                                                               "achievements in the period; null without any.")


def _iku_achievement(stored, rules_json, period_id, period_kind) -> str | None:
    return decimal_text(tidy(iku_figures.unit_achievement(stored, rules_json, period_id, period_kind)))


def _iku_trend(stored, rules_json) -> list[IkuTrendPoint]:
    return [IkuTrendPoint(period_id=strawberry.ID(to_global_id("Period", pid)), name=name, sequence=sequence,
                          achievement=tidy(achieved))
            for pid, name, sequence, achieved in iku_figures.unit_trend(stored, rules_json)]


UNIT_IKU = iku_figures.unit_indicators_sql("{t}.id", "{t}.year")
UNIT_IKU_RULES = iku_figures.rules_sql("{t}.year")
PERIOD_KIND = sql.Input("(SELECT pk.kind FROM period pk WHERE pk.tenant_id = {tenant} AND pk.id = {t}.period_id)")


@sql.table(OrgUnitModel, source=UNIT_PERIODS, description="A unit's period at a glance.")
class UnitDashboard:
    # Rows: one org unit in one period (UNIT_PERIODS); the figures cover the unit and its sub-units.
    org_unit: OrgUnit = sql.join("id", description="Unit organisasi: the unit (its sub-units included).")
    period: Period = sql.join("period_id", description="Periode: the assessment period.")
    unit_rating: UnitRating | None = sql.expression(
        UNIT_RATING, description="Capaian kinerja organisasi: the unit's rating for the period, if set.")
    employees: int = sql.expression(EMPLOYEES, description="Pegawai: active employees of the unit and its sub-units.")
    plans_by_status: list[StatusCount] = sql.derived(
        _plans_by_status, json_input(["pp.status"], "performance_plan pp", CURRENT_PLANS, ["pp.id"]),
        description="SKP per status: the current plans of the period's year by status.")
    indicators: int = sql.expression("(SELECT count(*) " + INDICATORS + ")",
                                     description="Indicators of approved plans.")
    indicators_realised: int = sql.expression("(SELECT count(*) " + INDICATORS + REALISED + ")",
                                              description="Of those, realised in the period.")
    evaluations_final: int = sql.expression(FINAL, description="Penilaian final: final evaluations of the period.")
    evaluations_draft: int = sql.expression("(SELECT count(*) " + EVALUATIONS + " AND v.status = 'DRAFT')",
                                            description="Penilaian draf: evaluations still in draft.")
    evaluations_due: int = sql.expression(f"({EMPLOYEES} - {FINAL})",
                                          description="Employees without a final evaluation for the period.")
    predicate_counts: list[PredicateCount] = sql.derived(
        current_predicate_counts, CURRENT_EVALUATIONS,
        description="Sebaran predikat kinerja: final evaluations of the period by predicate.")
    ikm: IkmValue | None = sql.derived(
        _ikm, SURVEY_SUMS, TENANT_SETTINGS,
        description="Citizen satisfaction (IKM) of the unit's services in the period: evidence for "
                    "the organisation's rating.")
    iku_achievement: Decimal | None = sql.derived(
        _iku_achievement, UNIT_IKU, UNIT_IKU_RULES, "period_id", PERIOD_KIND,
        description="Capaian IKU: the mean achievement (%) of the unit's own IKU in the period (year to date for "
                    "the annual period); null without IKU figures.")
    iku_trend: list[IkuTrendPoint] = sql.derived(
        _iku_trend, UNIT_IKU, UNIT_IKU_RULES,
        description="Tren capaian IKU: the unit's IKU achievement in each periodic period of the year.")
    complaints: ComplaintHandling | None = sql.derived(
        _complaints, sql.Input("(SELECT count(*) " + SERVICE_UNITS + ")"), TICKETS,
        description="Pengaduan masyarakat: citizen feedback on the unit's services in the period (null when the "
                    "unit has no service unit).")


# One row per employee and period of the tenant: a team member seen in the asked period.
EMPLOYEE_PERIODS = ("(SELECT e.id, e.tenant_id, e.name, pr.id AS period_id, pr.year FROM employee e "
                    "JOIN period pr ON pr.tenant_id = e.tenant_id WHERE e.tenant_id = {tenant}) {t}")
# The viewer's direct and indirect subordinates.
MY_TEAM = sql.where("{t}.id IN (WITH RECURSIVE team(id) AS (SELECT e.id FROM employee e WHERE e.tenant_id = {tenant} "
                    "AND e.supervisor_id = {me} UNION SELECT e.id FROM employee e JOIN team ON e.supervisor_id = team.id "
                    "WHERE e.tenant_id = {tenant}) SELECT id FROM team)")


@sql.table(EmployeeModel, source=EMPLOYEE_PERIODS, by_key=True,
           description="One member of the viewer's team in a period.")
class TeamMemberOverview:
    employee: Employee = sql.join("id", description="Pegawai: the team member.")
    plan: PerformancePlan | None = sql.row(on={"employee_id": "id", "year": "year"},
                                           where=(sql.where("{t}.status <> 'SUPERSEDED'"),), order=("-revision",),
                                           description="SKP: the current plan of the period's year, if any.")
    evaluation: Evaluation | None = sql.row(
        on={"employee_id": "id", "period_id": "period_id"}, where=(sql.where(LIVE),), order=("-version",),
        description="The evaluation of the asked period (draft or final).")
    latest_evaluation: Evaluation | None = sql.row(
        on={"employee_id": "id"}, where=(sql.eq("status", "FINAL"),), joins=WITH_PERIOD, order=LATEST_FINAL_ORDER,
        description="The final evaluation of the latest evaluated period, whatever it is (the current predicate).")
    training_jp: int = sql.expression(
        "(SELECT coalesce(sum(tr.jp), 0) FROM training_record tr WHERE tr.tenant_id = {tenant} "
        "AND tr.employee_id = {t}.id AND tr.year = {t}.year AND tr.status = '%s')" % TrainingStatus.VERIFIED.value,
        description="Verified training hours (JP) in the period's year.")


@sql.table(PeriodModel, description="The viewer's team (every direct and indirect subordinate) in a period.")
class TeamOverview:
    period: Period = sql.join("id", description="Periode: the assessment period.")
    members: list[TeamMemberOverview] = sql.rows(on={"period_id": "id"}, where=(MY_TEAM,), order=("name", "id"),
                                                 description="Anggota tim: the subordinates, by name.")


@strawberry.type
class DashboardQuery:
    @sql.builder(description="A unit's period: plans, realisation, evaluations, predicates.")
    def unit_dashboard(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                           description="Unit organisasi: the unit (its sub-units included).")],
                       period_id: Annotated[strawberry.ID, strawberry.argument(description="Periode: the period.")]
                       ) -> UnitDashboard:
        return unit_in_period(org_unit_id, period_id)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="The tenant summary: one dashboard per top-level unit (perangkat daerah).")
    def tenant_dashboard(self, period_id: Annotated[strawberry.ID, strawberry.argument(
                             description="Periode: the period.")]) -> list[UnitDashboard]:
        period = parse_input_id(period_id, "Period", "periodId")
        return sql.Rows(where=(sql.is_null("parent_id"), sql.eq("period_id", period)),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        order=(sql.Dialects('{t}.code COLLATE "C"', "{t}.code"),), access=TENANT_SUMMARY,
                        guard=sql.Exists("Period", (sql.eq("id", period),),
                                         lambda: NotFound("Period not found", field="periodId"), access=False))

    @sql.builder(description="The viewer's team (all subordinates) with plan and evaluation for a period.")
    def team_overview(self, period_id: Annotated[strawberry.ID, strawberry.argument(
                          description="Periode: the period.")]) -> TeamOverview:
        period = parse_input_id(period_id, "Period", "periodId")
        return sql.Row(where=(sql.eq("id", period),), access=sql.requires("dashboard", "read"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: NotFound("Period not found", field="periodId"))
