"""The GraphQL schema: one Query and one Mutation merged from the domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

import schema.enums  # noqa: F401
from schema import limits
from schema.accounts import AccountMutation, AccountQuery
from schema.assessment import (
    AssessmentMutation,
    AssessmentQuery,
    AssessmentRound,
    Bulletin,
    Campaign,
    Nomination,
    Report,
)
from schema.audit import AuditQuery
from schema.bounds import bound_arguments
from schema.contacts import Contact, ContactMutation, ContactQuery
from schema.dashboards import DashboardQuery
from schema.documents import DocumentStore, documents_extension
from schema.evidence import EvidenceMutation
from schema.extensions import OperationExtension, run_prepared
from schema.groups import GroupMutation, GroupQuery, WorkingGroup
from schema.node import NodeQuery
from schema.operations import OperationsQuery
from schema.orgs import Org, OrgMutation, OrgQuery
from schema.people import Cadre, PeopleMutation, PeopleQuery, Youth
from schema.planned import PlannedExecutor
from schema.plans import PlanMutation, PlanQuery
from schema.points import PointsMutation, PointsQuery
from schema.policy import Grant, PolicyMutation, PolicyQuery
from schema.policy_tools import PolicyToolsMutation, PolicyToolsQuery
from schema.privacy import PrivacyMutation, PrivacyQuery
from schema.quotas import QuotaMutation, QuotaQuery
from schema.reminders import ReminderQuery
from schema.rosters import RosterMutation
from schema.rubric import RubricMutation, RubricQuery
from schema.scalars import SCALARS
from schema.subscriptions import Subscription
from schema.truth import Flag, SpotCheck, TruthMutation, TruthQuery
from schema.worklogs import WorkLog, WorkLogMutation, WorkLogQuery
from schema.writes import writing_fields
from schema.youth_services import (
    Discussion,
    Post,
    Resource,
    Voice,
    Wish,
    YouthServicesMutation,
    YouthServicesQuery,
)


@strawberry.type(
    description="查询入口：所有读操作。结果只含调用者有权看到的数据，看不到的对象答 NOT_FOUND"
)
class Query(
    NodeQuery,
    AccountQuery,
    OrgQuery,
    PeopleQuery,
    PolicyQuery,
    AuditQuery,
    ContactQuery,
    WorkLogQuery,
    QuotaQuery,
    GroupQuery,
    PointsQuery,
    DashboardQuery,
    YouthServicesQuery,
    TruthQuery,
    AssessmentQuery,
    PrivacyQuery,
    PolicyToolsQuery,
    ReminderQuery,
    OperationsQuery,
    PlanQuery,
    RubricQuery,
):
    """One root type made of the domains' parts (the same as strawberry's merge_types)."""


# The query fields that declare they write in their own session (schema/writes.py).
WRITING_QUERY_FIELDS = writing_fields(Query)


@strawberry.type(
    description="变更入口：所有写操作。每次写入都经授权判定并记入审计日志，失败时整体不生效"
)
class Mutation(
    AccountMutation,
    OrgMutation,
    RosterMutation,
    PeopleMutation,
    PolicyMutation,
    ContactMutation,
    WorkLogMutation,
    EvidenceMutation,
    PlanMutation,
    QuotaMutation,
    GroupMutation,
    PointsMutation,
    YouthServicesMutation,
    TruthMutation,
    AssessmentMutation,
    PrivacyMutation,
    PolicyToolsMutation,
    RubricMutation,
):
    """One root type made of the domains' parts (the same as strawberry's merge_types)."""


class Schema(strawberry.Schema):
    documents: DocumentStore

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """A document this schema parsed and validated without error before runs on the lean
        path (schema/extensions.py run_prepared); any other on strawberry's."""
        prepared = self.documents.get(query) if query else None
        if prepared is None or prepared.errors != ():
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
        return await run_prepared(
            self,
            prepared.document,
            query=query,  # type: ignore[arg-type]
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES,
            operation_extensions=operation_extensions,
        )

    def process_errors(self, errors, execution_context=None):
        """Expected failures (DomainError) are answers, not incidents: log only the rest
        (the OperationExtension logs those with the request id)."""


def build_schema(
    *,
    max_depth: int = 10,
    max_aliases_count: int = 30,
    max_tokens: int = 2000,
    max_cost: int = 20_000,
    page_size_default: int = 20,
    page_size_max: int = 100,
    introspection: bool = True,
) -> strawberry.Schema:
    # The limit rules are made once and the document store lives with the schema: a text
    # seen before is neither parsed nor validated again.
    rules = [
        *limits.rules(
            max_depth=max_depth,
            max_aliases_count=max_aliases_count,
            max_cost=max_cost,
            page_default=page_size_default,
            page_max=page_size_max,
        )
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    documents = DocumentStore(WRITING_QUERY_FIELDS)
    extensions: list = [OperationExtension, documents_extension(documents, max_tokens, rules)]
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=PlannedExecutor,
        scalar_overrides=SCALARS,
        types=[
            Org,
            Cadre,
            Youth,
            Grant,
            Contact,
            WorkLog,
            WorkingGroup,
            Voice,
            Wish,
            Resource,
            Post,
            Discussion,
            Flag,
            SpotCheck,
            Report,
            Bulletin,
            Campaign,
            Nomination,
            AssessmentRound,
        ],
    )
    bound_arguments(built._schema)
    built.documents = documents  # persisted queries share it
    return built


def sdl() -> str:
    return build_schema().as_str() + "\n"
