"""The one GraphQL schema, assembled from the areas."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from kinerja.api.extensions import TenantTransaction
from kinerja.audit.graphql import AuditQuery
from kinerja.auth import access_graphql
from kinerja.auth.access_graphql import AccessMutation, AccessQuery
from kinerja.auth.graphql import AuthMutation, AuthQuery
from kinerja.citizen import graphql as citizen_graphql
from kinerja.citizen.counter_graphql import CounterMutation, CounterQuery
from kinerja.citizen.graphql import CitizenMutation, CitizenQuery
from kinerja.dashboards.graphql import DashboardQuery
from kinerja.documents.graphql import DocumentQuery
from kinerja.evaluations import graphql as evaluations_graphql
from kinerja.evaluations.graphql import EvaluationMutation, EvaluationQuery
from kinerja.goals import graphql as goals_graphql
from kinerja.goals.graphql import GoalMutation, GoalQuery
from kinerja.graph import compiler, sql
from kinerja.graph.errors import ErrorCodes
from kinerja.graph.limits import DocumentChecks
from kinerja.graph.relay import Node
from kinerja.graph.scalars import SCALAR_OVERRIDES
from kinerja.imports.graphql import ImportMutation, ImportQuery
from kinerja.notifications.graphql import NotificationMutation, NotificationQuery, NotificationSubscription
from kinerja.org import graphql as org_graphql
from kinerja.org.graphql import EmployeeMutation, OrgMutation, OrgQuery
from kinerja.plans import graphql as plans_graphql
from kinerja.plans.graphql import PlanMutation, PlanQuery, PlanSubscription
from kinerja.provisioning.graphql import PlatformMutation, PlatformQuery
from kinerja.provisioning.settings_graphql import SettingsMutation, SettingsQuery
from kinerja.training import graphql as training_graphql
from kinerja.training.graphql import TrainingMutation, TrainingQuery

if TYPE_CHECKING:
    from kinerja.api.trusted import TrustedDocuments
    from kinerja.graph.compiler.runtime import Compiler

@strawberry.type
class NodeQuery:
    @sql.builder(description="Any object by its global id. An unknown id, and an id of another "
                             "tenant or outside your scope, both answer NOT_FOUND.")
    def node(self, id: Annotated[strawberry.ID, strawberry.argument(description="A global id, as an "
                                                                               "object's `id` gave it.")]
             ) -> Node | None:
        return sql.NodeLookup(id)  # type: ignore[return-value]  # a described read: the compiler answers its specification


Query = merge_types("Query", (AuthQuery, AccessQuery, OrgQuery, PlanQuery, EvaluationQuery, GoalQuery, DashboardQuery,
                              TrainingQuery, CitizenQuery, CounterQuery, PlatformQuery, SettingsQuery, AuditQuery,
                              DocumentQuery, ImportQuery, NotificationQuery, NodeQuery))
Mutation = merge_types("Mutation", (AuthMutation, AccessMutation, OrgMutation, EmployeeMutation, PlanMutation,
                                    EvaluationMutation, GoalMutation, TrainingMutation, CitizenMutation,
                                    CounterMutation, ImportMutation, NotificationMutation, PlatformMutation,
                                    SettingsMutation))
Subscription = merge_types("Subscription", (PlanSubscription, NotificationSubscription))
get_object_definition(Query, strict=True).description = (
    "Reads. Every read answers one SQL statement; objects of another tenant or outside the caller's scope "
    "answer NOT_FOUND like unknown ones.")
get_object_definition(Mutation, strict=True).description = (
    "Changes. Each takes one `input` and answers a payload with `userErrors`; an operation is kept whole "
    "or not at all.")
get_object_definition(Subscription, strict=True).description = (
    "Live events over graphql-transport-ws (authenticate in `connection_init`).")


MAX_DEPTH = 12
MAX_TOKENS = 5000
MAX_ALIASES = 30


def limits(*, introspection: bool, max_cost: int = 100_000) -> list[SchemaExtension | Callable[[], SchemaExtension]]:
    """Document limits for every request; introspection (and "Did you mean" suggestions, which
    reveal the schema as well) only where configured. Validation is cached per document by
    DocumentChecks, so a repeated operation is validated once per process. (Strawberry's parser cache
    is left out: a syntax error raised from it escapes the error codes.)"""
    extensions: list[SchemaExtension | Callable[[], SchemaExtension]] = [QueryDepthLimiter(max_depth=MAX_DEPTH), MaxTokensLimiter(max_token_count=MAX_TOKENS),
                  MaxAliasesLimiter(max_alias_count=MAX_ALIASES)]
    if not introspection:
        extensions.append(DisableIntrospection())
    # Last: it validates with the rules the extensions above added. A factory: one instance per
    # operation, since it keeps the operation's state.
    extensions.append(functools.partial(DocumentChecks, max_cost=max_cost, hide_suggestions=not introspection))
    return extensions


class Schema(strawberry.Schema):
    compiler: Compiler  # answers described reads (set by graph/compiler's install)
    trusted: TrustedDocuments | None  # the persisted documents (set by the app; see extensions.py)

    def process_errors(self, errors, execution_context=None) -> None:
        """Expected errors (NOT_FOUND, FORBIDDEN, ...) are answers, not incidents: ErrorCodes logs the
        unexpected ones, with their traceback, under the request id."""


def build_schema(extensions: list | None = None) -> Schema:
    """The schema; its described types are read by the compiler, which answers reads (``schema.compiler``)."""
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[org_graphql.Employee, org_graphql.OrgUnit, org_graphql.Period, access_graphql.Role,
               access_graphql.User, plans_graphql.PerformancePlan, plans_graphql.ResultTarget,
               plans_graphql.Indicator, plans_graphql.Realisation, plans_graphql.Feedback,
               evaluations_graphql.Evaluation, training_graphql.TrainingRecord, training_graphql.TrainingEvent,
               citizen_graphql.CitizenFeedback, goals_graphql.StrategicGoal, goals_graphql.UnitIndicator,
               goals_graphql.PerformanceAgreement],
        extensions=[TenantTransaction, ErrorCodes, *(extensions or [])],
        scalar_overrides=SCALAR_OVERRIDES,
    )
    compiler.install(built)
    return built


schema = build_schema()  # the full schema, as exported to schema/schema.graphql
