"""Which object edges a connection's nodes select: what resolvers/lookahead.py fetches with
the page, in the same statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast

from resolvers import orgs
from resolvers.lookahead import Edge
from schema.context import Info

T = TypeVar("T")

# The metadata key of an object edge answered by `visible_at_once` (see `edge`).
EDGE = "youthlink.lookahead.edge"


def edge(model: type, key: str) -> dict[str, Any]:
    """Metadata of a field whose resolver is `visible_at_once(info, model, self.row.<key>,
    Target.of)`: the planned path (schema/planned.py) answers it from the same primed loader
    without calling the resolver."""
    return {EDGE: (model, key)}


def asked(info: Info, edges: Sequence[Edge]) -> tuple[Edge, ...]:
    """The edges among `edges` that a connection field's nodes select (through `nodes` or
    `edges { node }`, fragments included); none when look-ahead is off."""
    if not edges or not info.context.ctx.settings.lookahead:
        return ()
    raw = info._raw_info
    names = set(node_fields(raw.field_nodes, raw.fragments))
    return tuple(e for e in edges if e.field in names)


def node_fields(field_nodes: Sequence[FieldNode], fragments: dict[str, Any]) -> Iterator[str]:
    """The names of the fields selected on a connection's nodes."""
    for conn in field_nodes:
        for child in _fields(conn.selection_set, fragments):
            if child.name.value == "nodes":
                yield from (f.name.value for f in _fields(child.selection_set, fragments))
            elif child.name.value == "edges":
                for edge in _fields(child.selection_set, fragments):
                    if edge.name.value == "node":
                        yield from (f.name.value for f in _fields(edge.selection_set, fragments))


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any]
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            yield from _fields(fragments[sel.name.value].selection_set, fragments)


def visible_at_once(
    info: Info, model: type, row_id: int | None, convert: Callable[[Any], T]
) -> Any:
    """A nested object by id, as the request's `visible(model)` loader answers (the row if the
    caller may see it on its own, else null). Returned at once when look-ahead has primed the
    loader: no coroutine, no trip through the event loop for each of a page's nodes; else an
    awaitable, which the executor awaits as it would an async resolver's."""
    if row_id is None:
        return None
    loader = info.context.ctx.visible(model)
    known = loader.cache_map.get(row_id)
    if known is not None and known.done() and not known.cancelled() and not known.exception():
        row = known.result()
        return convert(row) if row is not None else None
    return _later(loader.load(row_id), convert)


async def _later(pending: Awaitable[Any], convert: Callable[[Any], T]) -> T | None:
    row = await pending
    return convert(row) if row is not None else None


def org_edges(info: Info) -> orgs.Ahead | None:
    """What a selection of one org asks for that look-ahead fetches with it: `parent`, and
    the first `children` page (its arguments coerced as the field itself will get them)."""
    if not info.context.ctx.settings.lookahead:
        return None
    raw = info._raw_info
    parent, children = False, None
    for node in raw.field_nodes:
        for field in _fields(node.selection_set, raw.fragments):
            if field.name.value == "parent":
                parent = True
            elif field.name.value == "children" and children is None:
                org_type = raw.schema.get_type("Org")
                assert isinstance(org_type, GraphQLObjectType)
                # graphql-core types these as its VariableValues; strawberry hands a dict.
                variables = getattr(raw.variable_values, "coerced", raw.variable_values)
                args = _arguments(org_type.fields["children"], field, variables)
                children = (args.get("first"), args.get("after"), bool(args.get("includeInactive")))
    return orgs.Ahead(parent=parent, children=children)


def _arguments(definition: Any, node: Any, variables: Any) -> dict[str, Any]:
    """A field's arguments as written in the document, variables resolved from the request's
    coerced values (graphql-core's own helper wants its internal variable object)."""
    found: dict[str, Any] = {}
    for argument in node.arguments or ():
        arg = definition.args.get(argument.name.value)
        value = None if arg is None else value_from_ast(argument.value, arg.type, variables)
        if value is not None and value is not Undefined:
            found[argument.name.value] = value
    return found
