"""The edge walker: queries derived from the schema itself, and a checker of their answers.

Every field of every object type whose type is an object, a list of objects or a connection
is an edge. From each root field of Query, a selection follows every edge (each object type
is expanded once per query, at its shallowest place, to the depth limit); on every object it
selects `__typename`, `id`, the ID references, the counts and the guarded fields. Queries
too long for the token limit are split. The checker then compares each answer with the
model: nothing shown that the principal may not see, masks and counts as the model says."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_enum_type,
    is_interface_type,
    is_list_type,
    is_object_type,
    is_scalar_type,
)
from graphql.language import Lexer, Source, TokenKind

from schema.lookahead import EDGE
from tests.authz.edges_model import Built, Model

# Guarded fields: whole or masked, per principal (VISIBILITY.md, last paragraph).
GUARDED = {("Youth", "mobile"): "mobile", ("Youth", "birthDate"): "birth_date"}
# Root fields that cannot be called with data from the world, and why (kept short, asserted).
SKIPPED_ROOTS = {
    "missingReports": "year and quarter are plain Int arguments with no row behind them",
    "previewPolicyChange": "takes a list of proposed changes, not a reference to a row",
}
# graphql-core cancels the sibling fields in flight when a non-null field fails, and a
# cancelled asyncpg statement leaves the request's connection checked out and broken (the
# next requests answer SERVICE_UNAVAILABLE, TRUNCATE waits on its locks): such fields are
# walked in queries of their own, and not under a list (the other items are its siblings
# there; the same edge is walked from a lookup by id). The walk reports any connection a
# request leaves checked out.
DETACHED = True
# An `id` argument of a root field whose type is not the row's own: which row it names.
ID_ARGS = {("exportBulletin", "id"): "Bulletin"}
MAX_DEPTH = 10  # the schema's depth limit (app/settings.py graphql_max_depth)
MAX_TOKENS = 1900  # under the 2,000-token limit, with room for the operation name
PAGE = 50  # `first` on every connection: the worlds are smaller, so pages are whole
# Root connections whose items hold lists of lists (a round's results and every cadre's
# eligibility): 50 of them would cost more than GRAPHQL_MAX_COST allows. The worlds hold
# fewer rows than these pages, so the pages stay whole.
ROOT_PAGE = {"assessmentRounds": 5}
# ...but a connection inside another list's items (a wish's history in a page of wishes)
# multiplies the query's cost: 10 keeps every walk under the cost limit, and such lists
# (replies, history, members, versions) hold a handful of rows in the worlds.
NESTED_PAGE = 10


def _is_object(t: GraphQLNamedType) -> bool:
    return is_object_type(t) or is_interface_type(t)


def _wrapper(t: GraphQLNamedType) -> bool:
    """Connections, their edges and PageInfo are followed everywhere, not expanded once."""
    return t.name.endswith(("Connection", "Edge")) or t.name == "PageInfo"


def edges_of(schema: GraphQLSchema) -> list[tuple[str, str]]:
    """(type, field) for every field whose type is an object, a list of them or a connection."""
    found = []
    for name, t in sorted(schema.type_map.items()):
        if name.startswith("__") or not is_object_type(t) or name in ("Mutation", "Subscription"):
            continue
        for fname, f in t.fields.items():
            if _is_object(get_named_type(f.type)):
                found.append((name, fname))
    return found


def _required(f: GraphQLField) -> list[str]:
    return [
        a
        for a, arg in f.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]


Sel = dict[str, "Sel | None"]


@dataclass
class Plan:
    """The queries of one root field, without its required arguments filled in yet."""

    root: str
    args: dict[str, str]  # argument → what fills it: a type name for ids, "enum:" and values
    types: dict[str, str]  # argument → its GraphQL type, for the variable definitions
    selections: list[Sel]
    edges: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class Walk:
    """What building one root field's selection collects."""

    edges: set[tuple[str, str]] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # object types already expanded
    detached: list[tuple[tuple[str, ...], Sel]] = field(default_factory=list)


class Walker:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.query = schema.query_type
        assert self.query is not None

    # ---------------------------------------------------------------- building selections
    def payload(self, t: GraphQLNamedType) -> Sel:
        sel: Sel = {"__typename": None}
        if not isinstance(t, GraphQLObjectType | type(None)) and not is_interface_type(t):
            return sel
        for fname, f in t.fields.items():  # type: ignore[union-attr]
            ft = get_named_type(f.type)
            if _required(f) or not is_scalar_type(ft):
                continue
            if (
                (ft.name == "ID")
                or (ft.name == "Int" and (fname == "totalCount" or fname.endswith("Count")))
                or (t.name, fname) in GUARDED
                or (t.name == "PageInfo" and fname == "hasNextPage")
            ):
                sel[fname] = None
        return sel

    def lean(self, t: GraphQLNamedType) -> Sel | None:
        """For a connection: its nodes' `__typename` and `id` and each look-ahead edge's
        (fields marked `lookahead.edge`), with the count and `hasNextPage`. Nothing else,
        so that a list whose nodes PostgreSQL may write (schema/prebuilt.py) is walked on
        that path too, besides the whole selection, which takes the usual one."""
        nodes = t.fields.get("nodes") if isinstance(t, GraphQLObjectType) else None
        node = get_named_type(nodes.type) if nodes is not None else None
        if not isinstance(node, GraphQLObjectType) or "id" not in node.fields:
            return None
        sel: Sel = {"__typename": None, "id": None}
        for fname, f in node.fields.items():
            sf = f.extensions.get("strawberry-definition")
            if sf is not None and EDGE in (sf.metadata or {}) and not _required(f):
                sel[fname] = {"__typename": None, "id": None}
        return {"totalCount": None, "pageInfo": {"hasNextPage": None}, "nodes": sel}

    def _call(self, fname: str, f: GraphQLField, listed: bool) -> str:
        page = NESTED_PAGE if listed else PAGE
        return f"{fname}(first: {page})" if "first" in f.args else fname

    def expand(
        self,
        t: GraphQLNamedType,
        depth: int,
        walk: Walk,
        path: tuple[str, ...],
        listed: bool = False,
    ) -> Sel:
        """`t`'s payload and, if not yet expanded in this query, every edge of it.

        A non-null object field (Org.dashboard: Dashboard!) goes to a query of its own, with
        nothing but `__typename` beside it on the way: its refusal nulls the parent, and
        graphql-core then cancels the parent's other fields in flight (see DETACHED)."""
        sel = self.payload(t)
        if is_interface_type(t):
            for impl in self.schema.get_possible_types(t):  # type: ignore[arg-type]
                key = f"... on {impl.name}"
                sel[key] = self.expand(impl, depth, walk, (*path, key), listed)
            return sel
        if depth >= MAX_DEPTH or (t.name in walk.seen and not _wrapper(t)):
            return sel
        walk.seen.add(t.name)
        for fname, f in t.fields.items():  # type: ignore[union-attr]
            ft = get_named_type(f.type)
            if not _is_object(ft) or _required(f):
                continue
            key = self._call(fname, f, listed)
            many = listed or is_list_type(get_nullable_type(f.type))
            nonnull = isinstance(f.type, GraphQLNonNull) and is_object_type(f.type.of_type)
            if DETACHED and nonnull and not _wrapper(t) and not _wrapper(ft):
                if many:  # under a list its siblings are the other items: walked elsewhere
                    continue
                walk.detached.append(((*path, key), self.expand(ft, depth + 1, walk, (*path, key))))
            else:
                sel[key] = self.expand(ft, depth + 1, walk, (*path, key), many)
            walk.edges.add((t.name, fname))
        return sel

    def plans(self) -> tuple[list[Plan], dict[str, str]]:
        """One plan per root field; the root fields that cannot be filled, with reasons."""
        plans, skipped = [], {}
        node = self.schema.get_type("Node")
        nodes = {"Node", *(t.name for t in self.schema.get_possible_types(node))}  # type: ignore[arg-type]
        for fname, f in self.query.fields.items():  # type: ignore[union-attr]
            ft = get_named_type(f.type)
            args: dict[str, str] = {}
            for a in _required(f):
                arg_t = get_named_type(f.args[a].type)
                if a == "id" and arg_t.name == "ID" and ft.name in nodes:
                    args[a] = ft.name
                elif (fname, a) in ID_ARGS:
                    args[a] = ID_ARGS[(fname, a)]
                elif a.endswith("Id") and arg_t.name == "ID":
                    args[a] = a[:-2][0].upper() + a[1:-2]
                elif is_enum_type(arg_t):
                    args[a] = "enum:" + " ".join(arg_t.values)  # type: ignore[attr-defined]
                else:
                    skipped[fname] = f"argument {a}: {arg_t.name}"
            if fname in skipped:
                continue
            call_args = [f"first: {ROOT_PAGE.get(fname, PAGE)}"] if "first" in f.args else []
            call_args += [f"{a}: ${a}" for a in args]
            head = f"{fname}({', '.join(call_args)})" if call_args else fname
            walk = Walk(edges={("Query", fname)} if _is_object(ft) else set())
            body = self.expand(ft, 1, walk, (head,)) if _is_object(ft) else None
            selections = split({head: body})
            for where, sub in walk.detached:  # only __typename on the way down
                branch: Sel = {where[-1]: sub}
                for key in reversed(where[:-1]):
                    branch = {key: {"__typename": None, **branch}}
                selections += split(branch)
            if (lean := self.lean(ft)) is not None:
                selections.append({head: lean})
            types = {a: str(f.args[a].type) for a in args}
            plans.append(Plan(fname, args, types, selections, walk.edges))
        return plans, skipped


def operation(plan: Plan, sel: Sel) -> str:
    """The query text: variable definitions for the plan's required arguments, then `sel`."""
    defs = ", ".join(f"${a}: {t}" for a, t in plan.types.items())
    return (f"query Walk({defs}) " if defs else "query Walk ") + render(sel)


def render(sel: Sel) -> str:
    return "{ " + " ".join(k if v is None else f"{k} {render(v)}" for k, v in sel.items()) + " }"


def tokens(text: str) -> int:
    lexer, n = Lexer(Source(text)), 0
    while lexer.advance().kind != TokenKind.EOF:
        n += 1
    return n


def split(sel: Sel, budget: int = MAX_TOKENS) -> list[Sel]:
    """Selections of at most `budget` tokens that together select everything `sel` does."""
    if tokens(render(sel)) <= budget:
        return [sel]
    leaves: Sel = {k: None for k, v in sel.items() if v is None}
    parts: list[Sel] = []
    for k, v in sel.items():
        if v is None:
            continue
        for sub in split(v, budget - tokens(render(leaves)) - 8):
            parts.append({**leaves, k: sub})
    packed: list[Sel] = []  # greedy: put parts together while they fit
    for part in parts:
        if packed and tokens(render(merged := merge(packed[-1], part))) <= budget:
            packed[-1] = merged
        else:
            packed.append(part)
    return packed


def merge(a: Sel, b: Sel) -> Sel:
    out: Sel = dict(a)
    for k, v in b.items():
        out[k] = v if k not in out or out[k] is None else (merge(out[k], v) if v else out[k])  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------- checking answers


@dataclass(frozen=True)
class Violation:
    kind: str  # shown, masked, count, total, reference, lookup, export, error
    edge: str  # the concrete edge: Voice.org, Query.voices, Org.childCount …
    path: str  # where in the answer: voices.nodes.3.org
    entity: str = ""  # the row concerned, as (type)#(index in the world): Org#3
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.edge} {self.kind}"


def _edge(trail: list[tuple[str, str]]) -> str:
    """The nearest edge above a value that is not a connection's own plumbing."""
    for parent, fname in reversed(trail):
        if not _wrapper_name(parent):
            return f"{parent}.{fname}"
    return ".".join(trail[0]) if trail else "?"


def _wrapper_name(name: str) -> bool:
    return name.endswith(("Connection", "Edge")) or name == "PageInfo"


@dataclass
class Checker:
    model: Model
    built: Built
    violations: list[Violation] = field(default_factory=list)
    checks: int = 0  # (principal, node or count) comparisons made
    edges_seen: set[str] = field(default_factory=set)  # edges that carried a row

    def flag(
        self,
        kind: str,
        trail: list[tuple[str, str]],
        path: list[str],
        entity: str = "",
        detail: str = "",
    ) -> None:
        edge = _edge(trail)
        if edge == "Query.node" and entity:  # node(id) answers every type: name the type
            edge = f"Query.node({entity.split('#')[0]})"
        self.violations.append(Violation(kind, edge, ".".join(path), entity, detail))

    def walk(self, value: Any, path: list[str], trail: list[tuple[str, str]]) -> None:
        if isinstance(value, list):
            for i, v in enumerate(value):
                self.walk(v, [*path, str(i)], trail)
        elif isinstance(value, dict):
            if not self.node(value, path, trail):
                return  # a row shown that should not be: what hangs below it is moot
            parent = value.get("__typename", "?")
            for k, v in value.items():
                self.walk(v, [*path, k], [*trail, (parent, k)])

    def node(self, obj: dict[str, Any], path: list[str], trail: list[tuple[str, str]]) -> bool:
        entity = self.built.index.get(obj.get("id") or "")
        parent = obj.get("__typename", "?")
        if entity is not None:
            self.checks += 1
            self.edges_seen.add(_edge(trail))
            type_name, i = entity
            if not self.model.visible(type_name, i, self.built):
                self.flag("shown", trail, path, f"{type_name}#{i}")
                return False
            if type_name == "Youth":
                self.guarded(obj, i, path, trail)
            if type_name == "Org":
                self.counts(obj, i, path, trail)
        for k, v in obj.items():  # ID references to rows: the referenced row must be visible
            ref = self.built.index.get(v) if k != "id" and isinstance(v, str) else None
            if ref is not None:
                self.checks += 1
                if not self.model.visible(ref[0], ref[1], self.built):
                    self.flag("reference", [*trail, (parent, k)], [*path, k], f"{ref[0]}#{ref[1]}")
        nodes, info = obj.get("nodes"), obj.get("pageInfo")
        if isinstance(nodes, list) and "totalCount" in obj and info and not info.get("hasNextPage"):
            self.checks += 1
            if obj["totalCount"] != len(nodes):
                self.flag(
                    "total",
                    trail,
                    [*path, "totalCount"],
                    "",
                    f"{obj['totalCount']} counted, {len(nodes)} listed",
                )
        return True

    def guarded(self, obj: dict[str, Any], y: int, path: list[str], trail: list) -> None:
        real = {"mobile": self.built.mobiles[y], "birth_date": self.built.births[y]}
        for (t, fname), key in GUARDED.items():
            if t != "Youth" or fname not in obj or real[key] is None:
                continue
            self.checks += 1
            whole = obj[fname] == str(real[key])
            if whole != self.model.whole(y, key):
                self.flag(
                    "masked",
                    [*trail, ("Youth", fname)],
                    [*path, fname],
                    f"Youth#{y}",
                    "whole" if whole else "masked",
                )

    def counts(self, obj: dict[str, Any], i: int, path: list[str], trail: list) -> None:
        for k, want in self.model.org_counts(i).items():
            if k in obj:
                self.checks += 1
                if obj[k] != want:
                    self.flag("count", [("Org", k)], [*path, k], f"Org#{i}", f"{obj[k]} != {want}")

    def errors(self, body: dict[str, Any], root: str) -> None:
        """Refusals are answers; anything else (an unexpected error) is a finding."""
        for e in body.get("errors") or []:
            code = (e.get("extensions") or {}).get("code")
            if code not in ("NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT"):
                where = [str(p) for p in e.get("path") or [root]]
                self.flag("error", [("Query", root)], where, "", f"{code}: {e.get('message')}")

    def lookup(self, body: dict[str, Any], root: str, type_name: str, i: int) -> None:
        """A by-id root field: the row when visible, NOT_FOUND exactly when not."""
        self.checks += 1
        visible = self.model.visible(type_name, i, self.built)
        data = body.get("data")
        got = data.get(root) if data else None
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        edge = [("Query", f"{root}({type_name})" if root == "node" else root)]
        if visible and (got is None or got.get("id") is None):
            self.flag("lookup", edge, [root], f"{type_name}#{i}", f"visible row answered {codes}")
        elif not visible and (got is not None or codes[:1] != ["NOT_FOUND"]):
            self.flag(
                "lookup", edge, [root], f"{type_name}#{i}", f"hidden row answered {codes or 'data'}"
            )

    def export(self, content: str, path: list[str]) -> None:
        """exportYouth as CSV: every row a visible youth, the mobile whole as the API says."""
        text = base64.b64decode(content).decode("utf-8-sig")
        by_name = {f"y{y}": y for y in range(len(self.built.youth))}
        for row in list(csv.reader(io.StringIO(text)))[1:]:
            y = by_name.get(row[0])
            if y is None:
                continue
            self.checks += 1
            if not self.model.youth(y):
                self.flag("export", [("Query", path[0])], [*path, "row"], f"Youth#{y}")
            elif (row[1] == self.built.mobiles[y]) != self.model.whole(y, "mobile"):
                self.flag("export", [("Query", path[0])], [*path, "mobile"], f"Youth#{y}", row[1])


def fill(
    plan: Plan, built: Built, pick: Any, nodes: set[str]
) -> Iterator[tuple[dict[str, str], tuple[str, int] | None]]:
    """Argument sets for a plan: every id of the type for by-id roots (`pick` samples them),
    and the looked-up row, if the root field is a lookup by `id`."""
    if not plan.args:
        yield {}, None
        return
    choices: dict[str, list[tuple[str, tuple[str, int] | None]]] = {}
    for a, what in plan.args.items():
        if what.startswith("enum:"):
            choices[a] = [(value, None) for value in what[5:].split()]
            continue
        choices[a] = [
            (g, e)
            for g, e in built.index.items()
            if e[0] == what or (what == "Node" and e[0] in nodes)
        ]
    if any(not c for c in choices.values()):
        return
    for combo in pick(choices):
        yield {a: v for a, (v, _) in combo.items()}, combo.get("id", (None, None))[1]
