"""What a GraphQL document may ask for, decided before anything runs: tokens, depth,
aliases and an estimated cost. All refusals answer QUERY_TOO_COMPLEX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import max_aliases, query_depth_limiter

CODE = "QUERY_TOO_COMPLEX"

# Fields whose cost grows with the subtree: counted per principal against their own rate
# limit (schema/extensions.py), and weighted heavily in the cost.
EXPENSIVE = {
    "dashboard",
    "cadreRanking",
    "orgRanking",
    "exportYouth",
    "exportBulletin",
    "detectFlags",
    "computeAssessment",
    "generateBulletin",
    "voiceStats",
    "quotaBehind",
    "learnAndDoGaps",
    "orgRatings",
    "drawSpotCheck",
    "whoCan",
    "whatCan",
    "previewPolicyChange",
    "applyPolicyChange",
}
EXPENSIVE_COST = 50
# Beyond the one statement every object or list costs: a whole-subtree scan, a count.
FIELD_COST = {"subtree": 10, "totalCount": 1}


@dataclass(frozen=True)
class CostModel:
    """An upper estimate of the work a document asks for, from the document alone (the
    validation result is cached per document, so variables cannot take part):

    - an object costs 1, a leaf 0, plus FIELD_COST / EXPENSIVE_COST for its name;
    - a list or connection multiplies what is selected inside each item by its page size:
      the literal `first`, the maximum page when `first` is a variable, the default page
      when it is absent (plain lists too);
    - aliases and fragments are counted where they are used; introspection is free (it is
      bounded by the schema and can be switched off)."""

    page_default: int
    page_max: int

    def operation(self, context: ValidationContext, op: OperationDefinitionNode) -> int:
        root = context.schema.get_root_type(op.operation)
        return self._selections(context, op.selection_set, root, frozenset()) if root else 0

    def _selections(
        self,
        context: ValidationContext,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        fragments: frozenset[str],
        page: int | None = None,
    ) -> int:
        if selection_set is None or parent is None:
            return 0
        total = 0
        for sel in selection_set.selections or ():
            if isinstance(sel, FieldNode):
                total += self._field(context, sel, parent, fragments, page)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                on = context.schema.get_type(cond.name.value) if cond else parent
                total += self._selections(context, sel.selection_set, on, fragments, page)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in fragments:
                fragment = context.get_fragment(sel.name.value)
                if fragment is not None:  # cycles and unknown names are reported elsewhere
                    on = context.schema.get_type(fragment.type_condition.name.value)
                    inner = fragments | {sel.name.value}
                    total += self._selections(context, fragment.selection_set, on, inner, page)
        return total

    def _field(
        self,
        context: ValidationContext,
        node: FieldNode,
        parent: GraphQLNamedType,
        fragments: frozenset[str],
        page: int | None,
    ) -> int:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return 0
        own = FIELD_COST.get(name, 0) + (EXPENSIVE_COST if name in EXPENSIVE else 0)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return own
        if _is_connection(named):
            # One statement for the page; `edges` / `nodes` inside repeat per item.
            size = self._page(node)
            return own + 1 + self._selections(context, node.selection_set, named, fragments, size)
        inner = self._selections(context, node.selection_set, named, fragments)
        if is_list_type(get_nullable_type(definition.type)):
            items = page if page is not None and _is_connection(parent) else self.page_default
            return own + items * (1 + inner)
        return own + 1 + inner

    def _page(self, node: FieldNode) -> int:
        for arg in node.arguments or ():
            if arg.name.value == "first":
                if isinstance(arg.value, IntValueNode):
                    return max(0, min(int(arg.value.value), self.page_max))
                return self.page_max  # a variable: known only when it runs
        return self.page_default


def _is_connection(t: GraphQLNamedType) -> bool:
    return isinstance(t, GraphQLObjectType) and {"edges", "pageInfo"} <= set(t.fields)


def too_complex(message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": CODE, **extensions})


def cost_rule(limit: int, model: CostModel) -> type[ValidationRule]:
    class QueryCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = model.operation(self.context, node)

            if cost > limit:
                error = too_complex(
                    f"查询过于复杂：估算开销 {cost}，上限 {limit}。请减少嵌套、别名或每页条数（first）",
                    cost=cost,
                    limit=limit,
                )
                error.nodes = [node]
                self.report_error(error)

    return QueryCost


def rules(
    *, max_depth: int, max_aliases_count: int, max_cost: int, page_default: int, page_max: int
) -> list[type[ASTValidationRule]]:
    """Made once per schema: the validation cache is keyed by the rule classes, and a
    rule class made per request would miss it on every request (measured: ~3 ms each)."""
    return [
        query_depth_limiter.create_validator(max_depth, None),
        max_aliases.create_validator(max_aliases_count),
        cost_rule(max_cost, CostModel(page_default, page_max)),
    ]


# Messages of the depth and alias limiters and of graphql-core's parser (English, from the
# libraries): recognised to give them their code and a zh-CN beginning.
_MARKERS = ("exceeds maximum operation depth", "aliases found", "tokens. Parsing aborted")


def code_for(message: str) -> tuple[str, str] | None:
    """(code, zh-CN beginning) of a message from the libraries' limits and parser."""
    if any(m in message for m in _MARKERS):
        return CODE, "查询过于复杂："
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED", "查询无法解析："
    return None
