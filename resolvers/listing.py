"""A hot list's page statement, built and compiled once per shape, its values bound per request.

`ctx.page` builds a list's statement anew for each request: the caller's readable rule, the
filters, the page, the edges' laterals, and SQLAlchemy then generates the whole statement's
cache key to find its compiled form. For the lists a front end reads all day (youth, cadres,
work logs) that cost more CPU than PostgreSQL's whole work (bench/cpu.py's list shapes).

Here a list's statement is made from its shape: the caller's `Who` (authz/visibility.py:
which of account, cadre, youth record, city they have), which filters are given, whether an
`under` org and a cursor are, the look-ahead edges and the nodes' selection. Every value is a
parameter: the caller's roots and identity (`ReadableTemplate.bind`), the filters', the
subtree's path, the cursor's key, the page's size. Built and compiled once per shape
(`Listing._compiled`), then bound. The rule is the entity's own readable template, which
tests/authz/test_templates.py holds to the caller's rule for callers of every shape, and
each edge's lateral its own entity's template, as resolvers/lookahead.py joins it; the
statements are `paginate`'s own builders (resolvers/pagination.py), so the rows and columns
are those of `ctx.page` by construction. A caller whose rule is no template (a checker with
open spot checks) and a mutation's lists take `ctx.page` as before, from the same filters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased

from app.partitions import PARTITIONED
from app.records import BoundStatement, row_records
from authz.visibility import ReadableTemplate, one_subtree, spread, template_for
from models import Org
from resolvers import orgs
from resolvers.lookahead import LATERAL, Edge, Joined
from resolvers.pagination import (
    Page,
    count_statement,
    cut,
    decode_cursor,
    json_page,
    json_statement,
    page_statement,
    records_statement,
)
from resolvers.prebuilt import Shape

if TYPE_CHECKING:
    from resolvers.base import Ctx

# A filter: its condition on the list's model, given the filter's value (a parameter).
Condition = Callable[[Any], sa.ColumnExpressionArgument[bool]]


@dataclass(frozen=True)
class _Plan:
    """A list's statements for one shape, compiled: its page and, when asked for, its
    count; how a page row becomes records (none for the nodes' JSON)."""

    page: BoundStatement
    count: BoundStatement
    records: Callable[[Any], tuple[Any, ...]] | None


class Listing:
    """A list of `model`'s rows, paged by `key`, narrowed to an org's subtree by `path` and
    by the filters of `conditions` (name → condition): what `page` binds."""

    # Every listing made, for the test that holds each to `ctx.page` (tests/work/test_listing.py).
    made: ClassVar[list[Listing]] = []

    def __init__(
        self,
        model: type,
        key: Any,
        path: Any,
        conditions: Mapping[str, Condition],
        flags: Mapping[str, sa.ColumnExpressionArgument[bool]] | None = None,
    ) -> None:
        """`flags`: conditions without a value, applied when `where` gives them True."""
        self.model, self.key, self.path = model, key, path
        self.conditions, self.flags = dict(conditions), dict(flags or {})
        Listing.made.append(self)

    async def page(
        self,
        ctx: Ctx,
        where: Mapping[str, Any],
        *,
        under: int | None,
        first: int | None,
        after: str | None,
        edges: Sequence[Edge] = (),
        nodes: Shape | None = None,
        newest_first: bool = False,
    ) -> Page[Any]:
        """One page of the caller's readable rows under `under` (an org they must see:
        NOT_FOUND otherwise, as `orgs.within`), meeting each condition whose value in
        `where` is not None, and each flag it gives True. `nodes`: the nodes' JSON, as
        `ctx.page` gives it."""
        given = {n: v for n, v in where.items() if v is not None and v is not False}
        size = ctx.page_size(first)
        since = None if after is None else decode_cursor(after)
        root = None if under is None else await orgs.get(ctx, under)
        city = None if root is None else orgs.same_city_of(self.path, root)
        template = template_for(ctx.subject, self.model, listed=True)
        laterals = tuple(template_for(ctx.subject, edge.model) for edge in edges)
        cities = None
        if root is None and template is not None and ctx.querying:
            root = await self._only_subtree(ctx, template)
            city = None if root is None else orgs.same_city_of(self.path, root)
            cities = None if root is not None else await self._cities(ctx)
        if not ctx.querying or template is None or None in laterals:
            # A caller whose rule is no template, or a mutation's session (entities).
            stmt = self._statement(ctx.readable(self.model), given.keys(), literal=given)
            if root is not None:
                stmt = await orgs.within(ctx, stmt, self.path, under)
            return await ctx.page(
                stmt,
                self.key,
                first,
                after,
                edges=edges,
                records=True,
                nodes=nodes,
                newest_first=newest_first,
            )
        shape = _Shape(
            (template, *laterals),  # type: ignore[arg-type]
            tuple(sorted(given)),
            root is not None,
            city is not None,
            cities is not None,
            since is not None,
            newest_first,
            tuple(edges),
            nodes,
        )
        plan = self._compiled(shape, ctx.session.get_bind().dialect)
        params: dict[str, Any] = {**given, "limit": size + 1, "since": since, "cities": cities}
        if root is not None:
            params.update(under_path=root.path, under_city=city)
        for bound in shape.templates:
            params.update(bound.bind(ctx.subject))
        return await _run(ctx, plan, params, shape, size, after)

    async def _only_subtree(self, ctx: Ctx, template: ReadableTemplate) -> Any:
        """The org of the one subtree the caller's rows all lie in (authz `one_subtree`),
        below the province, when the caller may see it: the list narrowed to it as to an
        `under`, which restates the rule; else None."""
        path = one_subtree(ctx.subject, template, self.path)
        if path is None or "." not in path:  # none, or the province: every city
            return None
        org = await ctx.visible(Org).load(int(path.rsplit(".", 1)[1]))  # labels are org ids
        return org if org is not None and org.path == path else None

    async def _cities(self, ctx: Ctx) -> list[int] | None:
        """For a table kept by city, the cities every row the caller may see lies in
        (authz `spread`): those of the roots of the scopes their rule tests, each below the
        province, and those of the rows they see as who they are (their own logs, their
        list), read by their own index. The list then reads those cities' partitions alone,
        which restates the rule. None where that cannot be said."""
        if getattr(self.model, "__tablename__", None) not in PARTITIONED:
            return None
        found = spread(ctx.subject, self.model, self.path)
        if found is None or not found.roots:  # no subtree: their own rows, by their index
            return None
        if any("." not in root for root in found.roots):  # the province: every city
            return None
        ids = [int(root.rsplit(".", 1)[-1]) for root in found.roots]  # labels are org ids
        cities: set[int] = set()
        for root, org in zip(found.roots, await ctx.visible(Org).load_many(ids), strict=True):
            city = None if org is None or org.path != root else orgs.subtree_city(org)
            if city is None:  # the province (every city), or a root out of sight
                return None
            cities.add(city)
        if found.own is not None:
            statement = _own_cities(self.model, found.own, ctx.session.get_bind().dialect)
            own = [r[0] for r in await statement.fetch(ctx.session, found.own.bind(ctx.subject))]
            if None in own:
                return None
            cities.update(own)
        return sorted(cities)

    @lru_cache(maxsize=512)  # noqa: B019 — one per list, as long as the process
    def _compiled(self, shape: _Shape, dialect: Dialect) -> _Plan:
        """The shape's statements, every value a parameter."""
        template, *laterals = shape.templates
        stmt = self._statement(template.predicate, shape.filters)
        if shape.under:
            stmt = stmt.where(self.path.descendant_of(sa.bindparam("under_path")))
        if shape.city:
            stmt = stmt.where(self.model.city_id == sa.bindparam("under_city"))  # type: ignore[attr-defined]
        if shape.cities:
            cities = sa.bindparam("cities", type_=postgresql.ARRAY(sa.BigInteger))
            stmt = stmt.where(self.model.city_id == sa.any_(cities))  # type: ignore[attr-defined]
        since: Any = sa.bindparam("since") if shape.after else None
        limit = sa.bindparam("limit", type_=sa.Integer)
        page_stmt = page_statement(stmt, self.key, since, shape.newest_first, limit)
        joined = [_lateral(edge, t) for edge, t in zip(shape.edges, laterals, strict=True)]
        records = None
        if shape.nodes is not None:
            page = BoundStatement(
                json_statement(stmt, page_stmt, self.key, joined, shape.nodes), dialect
            )
        else:
            records_stmt, models = records_statement(stmt, page_stmt, joined, dialect)
            page = BoundStatement(records_stmt, dialect)
            records = row_records(models, page.compiled, dialect)
        count = BoundStatement(count_statement(stmt), dialect)
        return _Plan(page, count, records)

    def _statement(
        self,
        rule: sa.ColumnElement[bool],
        filters: Sequence[str] | Any,
        literal: Mapping[str, Any] | None = None,
    ) -> sa.Select[Any]:
        """`select(model)` under `rule` with the named filters' conditions, each on its
        parameter (with `literal`, its value)."""
        conditions = [
            self.flags[name]
            if name in self.flags
            else self.conditions[name](
                sa.bindparam(name) if literal is None else sa.bindparam(name, literal[name])
            )
            for name in sorted(filters)
        ]
        return sa.select(self.model).where(rule, *conditions)


@dataclass(frozen=True)
class _Shape:
    """What a list's SQL text depends on, apart from values: the caller's templates (the
    list's rule, then each edge's), the filters given, …"""

    templates: tuple[ReadableTemplate, ...]
    filters: tuple[str, ...]
    under: bool
    city: bool
    cities: bool
    after: bool
    newest_first: bool
    edges: tuple[Edge, ...]
    nodes: Shape | None


@cache
def _own_cities(model: type, own: ReadableTemplate, dialect: Dialect) -> BoundStatement:
    """The cities of the rows a caller sees as who they are (`Spread.own`)."""
    city = model.city_id  # type: ignore[attr-defined]
    return BoundStatement(sa.select(city).where(own.predicate).distinct(), dialect)


def _lateral(edge: Edge, template: ReadableTemplate) -> Any:
    """The edge as resolvers/lookahead.py joins it, under its entity's template."""
    model = edge.model
    visible: sa.Select[Any] = sa.select(model).where(
        model.id == edge.key,  # type: ignore[attr-defined]
        template.predicate,
    )
    return aliased(model, visible.lateral(LATERAL + edge.field))


async def _run(
    ctx: Ctx, plan: _Plan, params: dict[str, Any], shape: _Shape, size: int, after: str | None
) -> Page[Any]:
    session = ctx.session
    rows = await plan.page.fetch(session, params)
    prebuilt = None
    found: list[Any] = []
    others: list[list[Any]] = [[] for _ in shape.edges]
    if plan.records is None:
        keys, prebuilt = json_page(rows, size)
    else:
        made = [plan.records(r) for r in rows]
        found = [r[0] for r in made]
        keys = [r.id for r in found]
        others = [[r[i] for r in made[:size]] for i in range(1, len(shape.edges) + 1)]

    async def count() -> int:
        return int((await plan.count.fetch(session, params))[0][0])

    page = cut(found, size, keys, after=after, count=count, others=others, prebuilt=prebuilt)
    for edge, edge_rows in zip(shape.edges, page.others, strict=True):
        Joined(edge, None).prime(ctx, page.rows, edge_rows)
    return page
