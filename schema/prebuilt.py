"""Which connections' nodes PostgreSQL can write as JSON (resolvers/prebuilt.py), read once
per document from the selection.

A connection qualifies when its selection is `nodes` (under one response key), `totalCount`,
`pageInfo` and `__typename`, with no directive anywhere, and every field of its nodes is:
- `__typename`, or the node's `id` (its global id);
- a plain field (strawberry's attribute, no resolver, no arguments) holding the model's
  column of the same name, of a type written exactly in SQL: String (text columns), Int
  (integer columns), Boolean, DateTime (aware), Date, or an enum whose stored values all
  have a GraphQL name; a non-null field only over a non-null column;
- an object edge that look-ahead fetches with the page (`lookahead.edge` metadata, one of
  the list's edges), whose own fields are all of the above.
Anything else (a resolver, a masked field, arguments, `edges`, a nested edge) leaves the list
to the usual path. So does a request whose answer is not encoded by the HTTP view (only
orjson places a prebuilt fragment), a mutation, or the planned path being off: the plan
(schema/planned.py) is what places the fragment where the nodes go. `PREBUILT_JSON=false`
turns it off (the edge-walking test runs both ways)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLString,
    get_named_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_subfields
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from resolvers.lookahead import Edge
from resolvers.prebuilt import DATE, DATETIME, ENUM, ID, PLAIN, TYPENAME, EdgeShape, Leaf, Shape
from schema.context import Info
from schema.lookahead import EDGE
from schema.planned import _static

_DIALECT = asyncpg_dialect()
# The shape of each connection field's nodes, by its field nodes (held, so that their ids
# are not reused while the entry lives); None where the usual path answers.
_shapes: dict[tuple[int, ...], tuple[Any, Shape | None]] = {}


def nodes_json(info: Info, model: type, edges: Sequence[Edge]) -> Shape | None:
    """The shape of this connection field's nodes if PostgreSQL is to write them, else None."""
    ctx = info.context.ctx
    s = ctx.settings
    if not (s.prebuilt_json and s.planned and s.lookahead and ctx.querying and ctx.json_fragments):
        return None
    raw = info._raw_info
    key = tuple(id(n) for n in raw.field_nodes)
    found = _shapes.get(key)
    if found is None:
        if len(_shapes) >= 4096:  # documents come and go (schema/documents.py)
            _shapes.clear()
        found = _shapes[key] = (list(raw.field_nodes), _connection(raw, model, edges))
    return found[1]


def _connection(raw: Any, model: type, edges: Sequence[Edge]) -> Shape | None:
    if not all(_static(n.selection_set, raw.fragments, set()) for n in raw.field_nodes):
        return None
    if any(n.directives for n in raw.field_nodes):
        return None
    connection = get_named_type(raw.return_type)
    fdl = [FieldDetails(n, None) for n in raw.field_nodes]
    grouped = _collect(raw, connection, fdl)
    nodes = [(k, sub) for k, sub in grouped.items() if sub[0].node.name.value == "nodes"]
    others = {sub[0].node.name.value for k, sub in grouped.items()} - {"nodes"}
    if len(nodes) != 1 or not others <= {"totalCount", "pageInfo", "__typename"}:
        return None
    node_type = get_named_type(connection.fields["nodes"].type)
    if not is_object_type(node_type):
        return None
    by_field = {e.field: e for e in edges}
    leaves = _leaves(raw, node_type, nodes[0][1], model, by_field)
    return None if leaves is None else Shape(tuple(leaves))


def _collect(raw: Any, type_: Any, fdl: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
    # The resolve info holds the fragments' definitions; collecting wants their details.
    fragments = {
        name: f if isinstance(f, FragmentDetails) else FragmentDetails(f)
        for name, f in raw.fragments.items()
    }
    grouped, _, _ = collect_subfields(
        raw.schema, fragments, raw.variable_values, raw.operation, type_, fdl
    )
    return grouped


def _leaves(
    raw: Any,
    type_: GraphQLObjectType,
    fdl: list[FieldDetails],
    model: type,
    edges: dict[str, Edge] | None,
) -> list[Any] | None:
    """Each response key of `type_`'s selection as a Leaf (or EdgeShape, where `edges` are
    allowed), or None if one of them cannot be written in SQL."""
    out: list[Any] = []
    for key, sub in _collect(raw, type_, fdl).items():
        name = sub[0].node.name.value
        if name == "__typename":
            out.append(Leaf(key, TYPENAME, type_name=type_.name))
            continue
        definition = type_.fields[name]
        if definition.args or any(d.node.arguments for d in sub):
            return None
        sf = definition.extensions.get("strawberry-definition")
        if sf is None:
            return None
        edge = (sf.metadata or {}).get(EDGE)
        if edge is not None and edges is not None and name in edges:
            target = get_named_type(definition.type)
            if edges[name].model is not edge[0] or not is_object_type(target):
                return None
            inner = _leaves(raw, target, sub, edge[0], None)
            if inner is None:
                return None
            out.append(EdgeShape(key, name, edge[0], tuple(inner)))
            continue
        leaf = _leaf(key, name, type_, definition, sf, model)
        if leaf is None:
            return None
        out.append(leaf)
    if len(out) > 50:  # json_build_object takes at most 100 arguments
        return None
    return out


def _leaf(key: str, name: str, type_: Any, definition: Any, sf: Any, model: type) -> Leaf | None:
    plain = getattr(definition.resolve, "_is_default", False) and sf.default_resolver is getattr
    if not plain:
        return None
    attr = sf.python_name
    prop: Any = sa.inspect(model).column_attrs.get(attr)
    if prop is None or len(prop.columns) != 1:
        return None
    column = prop.columns[0]
    if is_non_null_type(definition.type) and column.nullable:
        return None
    named = get_named_type(definition.type)
    kind = column.type
    python = _python_type(kind)
    if named is GraphQLID:
        ok = attr == "id" == name and python is int
        return Leaf(key, ID, attr, type_name=type_.name) if ok else None
    if isinstance(named, GraphQLEnumType):
        names = _enum_names(named, kind)
        return Leaf(key, ENUM, attr, names=names) if names else None
    if isinstance(kind, sa.Enum):
        return None
    if named is GraphQLString and python is str:
        return Leaf(key, PLAIN, attr)
    if (
        named is GraphQLInt
        and isinstance(kind, (sa.Integer, sa.SmallInteger))
        and not isinstance(kind, sa.BigInteger)
    ):
        return Leaf(key, PLAIN, attr)
    if named is GraphQLBoolean and python is bool:
        return Leaf(key, PLAIN, attr)
    if named.name == "DateTime" and isinstance(kind, sa.DateTime) and kind.timezone:
        return Leaf(key, DATETIME, attr)
    if named.name == "Date" and python is date:
        return Leaf(key, DATE, attr)
    return None


def _python_type(kind: Any) -> Any:
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _enum_names(named: GraphQLEnumType, kind: Any) -> tuple[tuple[str, str], ...]:
    """Each value the column stores, with the GraphQL name of the member the driver reads it
    as, every stored value named: for an enum column of the field's own Python enum, or a
    text column holding a string enum's values (WorkLog.client), made members by value.
    None for anything else."""
    definition = named.extensions.get("strawberry-definition")
    python_enum = getattr(definition, "wrapped_cls", None)
    if python_enum is None:
        return ()
    if isinstance(kind, sa.Enum) and kind.enum_class is python_enum:
        read, stored_values = kind.result_processor(_DIALECT, None), list(kind.enums)
    elif (
        not isinstance(kind, sa.Enum) and _python_type(kind) is str and issubclass(python_enum, str)
    ):
        read, stored_values = python_enum, [m.value for m in python_enum]
    else:
        return ()
    names = []
    for stored in stored_values:
        try:
            name = named.coerce_output_value(read(stored) if read else stored)
        except Exception:
            return ()
        if not isinstance(name, str) or "'" in stored or "\\" in stored:
            return ()
        names.append((stored, name))
    return tuple(names)
