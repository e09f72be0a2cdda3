"""The planned path: a read's values completed by a plan compiled once per document.

graphql-core completes a resolved value field by field: for each of a 50-row page's ~250
fields it builds a resolve info and a path, calls the field's resolver through strawberry,
and dispatches on the return type. For a query, this executor compiles, once per field node
of a cached document (schema/documents.py keeps the nodes), what completing that field's
value takes, and then does it in one loop per object:

- a plain field (strawberry's basic field: the object's attribute, no resolver, no field
  extension) is read and serialized by its type's own `coerce_output_value`, as
  graphql-core would; `__typename` is the type's name;
- a field whose resolver takes only `self` (Connection.nodes, Youth.birthYear …) is called
  directly, as strawberry would call it; a leaf marked `with_ctx` (Youth.mobile) has its
  answer called with the request's ctx, unless it must await;
- an object edge marked with `lookahead.edge(...)` metadata (Youth.org, WorkLog.cadre …) is
  answered from the request's `visible(Model)` loader when look-ahead primed it, exactly as
  `visible_at_once` answers it; an edge not primed is resolved the usual way;
- anything else (a field with arguments, an async resolver, a masked field that logs its
  reads, an abstract type, a selection with directives …) goes back to graphql-core's own
  `execute_field`, with the same path and field nodes, and its answer (or error) is placed
  where it would have been.

Errors keep graphql-core's rules: an error nulls the nearest nullable field above it and is
reported once, with its path. Authorization is untouched: the root resolver and every
resolver that is not plain run as before; a plain field reads an object those resolvers
made. `PLANNED=false` turns it off (the edge-walking test runs both ways)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLID,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from graphql.pyutils import Path, Undefined
from orjson import Fragment
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.lookahead import EDGE

FieldDetailsList = list[FieldDetails]

# Kinds of a planned field.
TYPENAME, LEAF, VALUE, CALL, EDGE_FIELD, DELEGATE, WITH_CTX = range(7)

# The metadata key of a leaf whose resolver is `answer(self, info.context.ctx)` (see
# `with_ctx`).
CTX = "youthlink.planned.ctx"


def with_ctx(answer: Callable[[Any, Any], Any]) -> dict[str, Any]:
    """Metadata of a leaf field whose resolver returns `answer(self, info.context.ctx)` and
    reads nothing else of `info` (Youth.mobile: masked or whole, by who asks): the plan calls
    `answer` with the request's ctx, without building a resolve info per node. An awaitable
    answer (one that must read first) is dropped unstarted, and graphql-core resolves the
    field as usual."""
    return {CTX: answer}


class Redo(Exception):
    """A value the plan does not complete itself (a null where the type forbids one …):
    the field is resolved again by graphql-core, which answers it (or its error)."""


class Field:
    """One response key of an object's selection, and how to complete it."""

    __slots__ = ("attr", "completer", "fdl", "key", "kind", "model", "name", "of", "type")

    def __init__(self, key: str, kind: int, fdl: FieldDetailsList, type_: Any) -> None:
        self.key, self.kind, self.fdl, self.type = key, kind, fdl, type_
        self.name = fdl[0].node.name.value
        self.attr: Any = None  # attribute name, resolver, or the edge's key attribute
        self.completer: Completer | None = None
        self.model: Any = None  # an edge's model (the `visible` loader's key)
        self.of: Callable[[Any], Any] | None = None  # an edge's row → GraphQL object


class Completer:
    """How to complete a value of one output type (nullable or not)."""

    __slots__ = (
        "fields",
        "is_type_of",
        "item",
        "kind",
        "nullable",
        "origin",
        "same",
        "serialize",
        "type",
    )

    def __init__(self, type_: GraphQLOutputType) -> None:
        self.nullable = not is_non_null_type(type_)
        named = type_.of_type if is_non_null_type(type_) else type_
        self.type: Any = named
        self.item: Completer | None = None
        self.fields: list[Field] = []
        self.serialize: Any = None
        self.is_type_of: Any = None
        self.origin: type | None = None
        self.kind = "list" if is_list_type(named) else "leaf" if is_leaf_type(named) else "object"
        # A value of this exact class that the leaf's serializer returns unchanged (a str
        # for String and ID, a bool for Boolean): most leaves of a page are such.
        self.same: type | None = None
        if self.kind == "leaf":
            self.serialize = named.coerce_output_value  # type: ignore[union-attr]
            self.same = _UNCHANGED.get(named.name)  # type: ignore[union-attr]
        elif self.kind == "object":
            self.is_type_of = getattr(named, "is_type_of", None)
            self.origin = _plain_origin(named)


# graphql-core's serializers of these return a value of this class as it is.
_UNCHANGED: dict[str, type] = {
    GraphQLString.name: str,
    GraphQLID.name: str,
    GraphQLBoolean.name: bool,
}


def _plain_origin(named: Any) -> type | None:
    """The class whose instances are this object type's values without asking strawberry's
    `is_type_of` (which reads each value for a `strawberry.cast` mark; the project casts
    nothing): a non-generic strawberry type's own class."""
    definition = named.extensions.get("strawberry-definition") if named.extensions else None
    if definition is None or definition.concrete_of is not None or definition.is_graphql_generic:
        return None
    return definition.origin


# A pending answer of a field graphql-core resolves asynchronously, and where it goes: the
# container and key, and the nearest nullable field above it (nulled if it fails), as
# (container, key, type, field details, path), or None for the field being completed.
Guard = tuple[Any, Any, Any, FieldDetailsList, Path] | None
Hole = tuple[Any, Any, Awaitable[Any], Guard]


class Plans:
    """Compiled completers of one schema, by the field nodes they complete."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.by_nodes: dict[tuple[int, ...], tuple[list[FieldNode], Any, Completer | None]] = {}

    def get(self, ex: PlannedExecutor, type_: Any, fdl: FieldDetailsList) -> Completer | None:
        key = (id(type_), *(id(d.node) for d in fdl))
        found = self.by_nodes.get(key)
        if found is not None:
            return found[2]
        completer = self.compile(ex, type_, fdl) if _plannable(ex, fdl) else None
        if len(self.by_nodes) >= 4096:  # documents come and go (schema/documents.py)
            self.by_nodes.clear()
        # The nodes and type are held: their ids cannot be reused while the entry lives.
        self.by_nodes[key] = ([d.node for d in fdl], type_, completer)
        return completer

    def compile(self, ex: PlannedExecutor, type_: Any, fdl: FieldDetailsList) -> Completer | None:
        c = Completer(type_)
        if c.kind == "list":
            c.item = self.compile(ex, c.type.of_type, fdl)
            return c if c.item is not None else None
        if c.kind == "leaf":
            return c
        if not is_object_type(c.type):
            return None  # an interface or union: its runtime type is graphql-core's to find
        grouped, _, _ = collect_subfields(
            self.schema, ex.fragments, ex.variable_values, ex.operation, c.type, fdl
        )
        c.fields = [self.field(ex, c.type, key, sub) for key, sub in grouped.items()]
        return c

    def field(
        self, ex: PlannedExecutor, parent: GraphQLObjectType, key: str, fdl: FieldDetailsList
    ) -> Field:
        name = fdl[0].node.name.value
        if name == "__typename":
            return Field(key, TYPENAME, fdl, None)
        definition = parent.fields[name]
        f = Field(key, DELEGATE, fdl, definition.type)
        sf = definition.extensions.get("strawberry-definition")
        if sf is None or definition.args or any(d.node.arguments for d in fdl):
            return f
        resolve = definition.resolve
        completer = self.compile(ex, definition.type, fdl)
        if completer is None:
            return f
        f.completer = completer
        if getattr(resolve, "_is_default", False) and sf.default_resolver is getattr:
            f.kind = LEAF if completer.kind == "leaf" else VALUE
            f.attr = sf.python_name
        elif EDGE in (sf.metadata or {}) and completer.kind == "object":
            f.kind, (f.model, f.attr) = EDGE_FIELD, sf.metadata[EDGE]
            f.of = completer.type.extensions["strawberry-definition"].origin.of
        elif _self_only(sf):
            f.kind, f.attr = CALL, sf.base_resolver.wrapped_func
        elif CTX in (sf.metadata or {}) and completer.kind == "leaf" and not sf.extensions:
            f.kind, f.attr = WITH_CTX, sf.metadata[CTX]
        return f


def _self_only(sf: Any) -> bool:
    """A resolver strawberry would call with the object alone (no info, no arguments, no
    field extension): calling it directly is calling it as strawberry does."""
    resolver = sf.base_resolver
    if resolver is None or sf.extensions or resolver.is_async or resolver.self_parameter is None:
        return False
    return len(inspect.signature(resolver.wrapped_func).parameters) == 1


def _plannable(ex: PlannedExecutor, fdl: FieldDetailsList) -> bool:
    """Selections whose shape does not depend on the request (no directives, no fragment
    arguments): one plan serves every request of the document."""
    seen: set[str] = set()
    return all(
        d.fragment_variable_values is None and _static(d.node.selection_set, ex.fragments, seen)
        for d in fdl
    )


def _static(selection_set: SelectionSetNode | None, fragments: dict[str, Any], seen: set) -> bool:
    if selection_set is None:
        return True
    for sel in selection_set.selections:
        if sel.directives:
            return False
        if isinstance(sel, (FieldNode, InlineFragmentNode)):
            if not _static(sel.selection_set, fragments, seen):
                return False
        elif isinstance(sel, FragmentSpreadNode):
            if getattr(sel, "arguments", None):
                return False
            if sel.name.value in seen:
                continue
            seen.add(sel.name.value)
            fragment = fragments.get(sel.name.value)
            definition = getattr(fragment, "definition", fragment)
            if definition is None or definition.directives:
                return False
            if not _static(definition.selection_set, fragments, seen):
                return False
    return True


_plans: WeakKeyDictionary[GraphQLSchema, Plans] = WeakKeyDictionary()


def plans_of(schema: GraphQLSchema) -> Plans:
    found = _plans.get(schema)
    if found is None:
        found = _plans[schema] = Plans(schema)
    return found


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with values of a query's fields completed by plans."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ctx = getattr(self.context_value, "ctx", None)
        on = (
            ctx is not None
            and ctx.settings.planned
            and self.operation.operation == OperationType.QUERY
            # no extension resolves fields (strawberry always hands over a manager)
            and getattr(self.middleware_manager, "_middleware_resolvers", None) is None
        )
        self.plans = plans_of(self.schema) if on else None
        self.ctx = ctx
        # An edge's object by (convert, row): a page's nodes name the same few orgs, cadres …
        # again and again, and one GraphQL object serves them all (the loader keeps each row
        # alive for the request, so its id is not reused meanwhile).
        self.made: dict[tuple[Any, int], Any] = {}

    def complete_value(
        self,
        return_type: Any,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plans = self.plans
        if plans is not None and not isinstance(result, Exception):
            completer = plans.get(self, return_type, field_details_list)
            if completer is not None and completer.kind != "leaf":
                holes: list[Hole] = []
                try:
                    done = self.complete(completer, result, path, holes, None)
                except Redo:
                    # Null where the type forbids it, or a value of another type: said by
                    # graphql-core's own completion, in its words.
                    self.close(holes)
                except BaseException:
                    # A refusal bubbling up: the siblings already asked for still settle,
                    # in the background, as graphql-core's own execute_fields does.
                    self.settle_in_background([hole[2] for hole in holes])
                    raise
                else:
                    return self.fill(done, holes) if holes else done
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete(
        self, c: Completer, value: Any, path: Path, holes: list[Hole], guard: Guard
    ) -> Any:
        """The completed value (holes left for what is still being resolved)."""
        if value is None:
            if c.nullable:
                return None
            raise Redo
        kind = c.kind
        if kind == "object":
            if (
                type(value) is not c.origin
                and c.is_type_of is not None
                and not c.is_type_of(value, None)
            ):
                raise Redo
            return self.complete_object(c, value, path, holes, guard)
        if kind == "list":
            if type(value) is Fragment:  # JSON PostgreSQL wrote for it (schema/prebuilt.py)
                return value
            item = c.item
            assert item is not None
            values = list(value)
            if not item.nullable and any(v is None for v in values):
                raise Redo
            if item.kind == "leaf":
                return [None if v is None else self.leaf(item, v) for v in values]
            return [
                self.complete(item, v, Path(path, i, None), holes, guard)
                for i, v in enumerate(values)
            ]
        return self.leaf(c, value)

    @staticmethod
    def leaf(c: Completer, value: Any) -> Any:
        out = c.serialize(value)
        if out is None or out is Undefined:
            raise Redo
        return out

    def complete_object(
        self, c: Completer, source: Any, path: Path, holes: list[Hole], guard: Guard
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        parent = c.type
        for f in c.fields:
            kind = f.kind
            key = f.key
            if kind in (LEAF, WITH_CTX):
                if kind == LEAF:
                    value = getattr(source, f.attr)
                else:
                    value = f.attr(source, self.ctx)
                    if inspect.isawaitable(value):  # it must read first: graphql-core awaits
                        value.close()  # type: ignore[attr-defined]
                        self.delegate(out, parent, source, f, path, holes, guard)
                        continue
                if value is None and f.completer.nullable:  # type: ignore[union-attr]
                    out[key] = None
                    continue
                if type(value) is f.completer.same:  # type: ignore[union-attr]
                    out[key] = value
                    continue
                try:
                    out[key] = self.leaf(f.completer, value)  # type: ignore[arg-type]
                except Redo:
                    self.delegate(out, parent, source, f, path, holes, guard)
                continue
            if kind == TYPENAME:
                out[key] = parent.name
                continue
            if kind == DELEGATE:
                self.delegate(out, parent, source, f, path, holes, guard)
                continue
            if kind == VALUE:
                value = getattr(source, f.attr)
            elif kind == CALL:
                value = f.attr(source)
            else:  # EDGE_FIELD
                value = self.edge(f, source)
                if value is Undefined:  # not primed: resolved the usual way
                    self.delegate(out, parent, source, f, path, holes, guard)
                    continue
            completer = f.completer
            assert completer is not None
            field_path = Path(path, key, parent.name)
            inner = (out, key, f.type, f.fdl, field_path) if completer.nullable else guard
            try:
                out[key] = self.complete(completer, value, field_path, holes, inner)
            except Redo:
                self.delegate(out, parent, source, f, path, holes, guard)
            except Exception as error:
                # A field graphql-core resolved below failed where null is not allowed: this
                # field is null if it may be, else the error goes on up (as graphql-core does).
                self.handle_field_error(error, f.type, f.fdl, field_path)
                out[key] = None
        return out

    def edge(self, f: Field, source: Any) -> Any:
        """The edge's object as `visible_at_once` answers it from a primed loader, or
        Undefined when the loader has not got it yet."""
        row_id = getattr(source.row, f.attr)
        if row_id is None:
            return None
        known = self.ctx.visible(f.model).cache_map.get(row_id)  # type: ignore[union-attr]
        if known is None or not known.done() or known.cancelled() or known.exception():
            return Undefined
        row = known.result()
        if row is None:
            return None
        made = self.made.get((f.of, id(row)))
        if made is None:
            made = self.made[(f.of, id(row))] = f.of(row)  # type: ignore[misc]
        return made

    def delegate(
        self,
        out: dict[str, Any],
        parent: GraphQLObjectType,
        source: Any,
        f: Field,
        path: Path,
        holes: list[Hole],
        guard: Guard,
    ) -> None:
        """The field resolved and completed by graphql-core, as if no plan existed."""
        result = self.execute_field(parent, source, f.fdl, Path(path, f.key, parent.name), None)
        if result is Undefined:
            return
        out[f.key] = result
        if self.is_awaitable(result):
            holes.append((out, f.key, result, guard))

    async def fill(self, done: Any, holes: list[Hole]) -> Any:
        """Wait for what graphql-core resolves asynchronously, and put each answer in place;
        a failure nulls its nearest nullable field (or the whole value: raised)."""
        while holes:
            pending, holes[:] = list(holes), []
            results = await asyncio.gather(*(h[2] for h in pending), return_exceptions=True)
            for (container, key, _, guard), result in zip(pending, results, strict=True):
                if not isinstance(result, BaseException):
                    container[key] = result
                    continue
                if guard is None or not isinstance(result, Exception):
                    raise result
                g_container, g_key, g_type, g_fdl, g_path = guard
                self.handle_field_error(result, g_type, g_fdl, g_path)  # nullable: noted
                g_container[g_key] = None
        return done

    @staticmethod
    def close(holes: list[Hole]) -> None:
        """Drop what graphql-core was asked to resolve before the plan gave up (Redo): the
        usual completion resolves it again, so it must not run. graphql-core wraps a
        resolver's coroutine in one of its own; both are closed, or Python warns that the
        inner one was never awaited."""
        for hole in holes:
            awaitable = hole[2]
            if not inspect.iscoroutine(awaitable):
                continue
            frame = awaitable.cr_frame
            for inner in frame.f_locals.values() if frame is not None else ():
                if inspect.iscoroutine(inner):
                    inner.close()
            awaitable.close()
