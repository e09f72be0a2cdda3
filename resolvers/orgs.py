"""The tenant tree: read it within scope; the province builds, renames, moves and retires it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from app.partitions import PARTITIONED
from app.records import RecordStatement
from authz import Act, Obj
from authz.errors import BadInput, Conflict, NotFound
from authz.visibility import ReadableTemplate, template_for
from models import Cadre, Org, OrgKind, OrgLevel, Youth
from models.base import Base, TenantOwned
from resolvers.base import Ctx, clean_text, containing
from resolvers.pagination import Page, decode_cursor, page_size

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def snapshot(org: Org) -> dict[str, Any]:
    return {
        "code": org.code,
        "zhtj_code": org.zhtj_code,
        "name": org.name,
        "level": org.level.value,
        "kind": org.kind.value,
        "parent_id": org.parent_id,
        "path": org.path,
        "is_leading_organ": org.is_leading_organ,
        "is_active": org.is_active,
    }


async def root_path(ctx: Ctx) -> str:
    path = await ctx.session.scalar(sa.select(Org.path).where(Org.parent_id.is_(None)).limit(1))
    if path is None:
        raise NotFound("组织树尚未建立")
    return path


async def load(ctx: Ctx, org_id: int, *, for_update: bool = False) -> Org:
    """The org row, unchecked: callers authorize before returning it to anyone."""
    stmt = sa.select(Org).where(Org.id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    org = await ctx.session.scalar(stmt)
    if org is None:
        raise NotFound()
    return org


async def get(ctx: Ctx, org_id: int, *, ahead: Ahead | None = None) -> Org:
    """An org the caller may see; any other is NOT_FOUND. With `ahead`, the edges the
    selection asks for (its parent, its first page of children) come in the same statement."""
    if ahead is not None and (ahead.parent or ahead.children is not None):
        await _look_ahead(ctx, org_id, ahead)
    return await ctx.load(Org, org_id, Act.VIEW, Obj.ORG)


@dataclass(frozen=True)
class Ahead:
    """What a selection of one org asks for beyond the org: its parent, and a page of its
    children as (first, after, include inactive)."""

    parent: bool = False
    children: tuple[int | None, str | None, bool] | None = None


# The org `org_id` and its parent, built once (the id is a parameter of the execution): an
# alias's columns cost more to make than the rest of the look-ahead statement (cProfile on
# `make bench-peer`'s org shape).
_ABOVE = Org.__table__.alias("above")
_THE_ORG = Org.id == sa.bindparam("org_id")
_ITS_PARENT = Org.id == (
    sa.select(_ABOVE.c.parent_id).where(_ABOVE.c.id == sa.bindparam("org_id")).scalar_subquery()
)


async def _look_ahead(ctx: Ctx, org_id: int, ahead: Ahead) -> None:
    """The org, its parent and a page of its children by one statement (look-ahead, see
    resolvers/lookahead.py), each under the Org rule, primed into the loaders the nested
    fields read: `visible(Org)` and `_children`."""
    template = template_for(ctx.subject, Org)
    assert template is not None  # the Org rule reads the caller's scopes only
    params: dict[str, Any] = {"org_id": org_id, **template.bind(ctx.subject)}
    key: ChildrenKey | None = None
    if ahead.children is not None:
        first, after, inactive = ahead.children
        try:
            size = page_size(first, ctx.settings.page_size_default, ctx.settings.page_size_max)
            key = (org_id, size + 1, decode_cursor(after) if after else 0, inactive)
        except BadInput:
            key = None  # the field itself refuses it, as it would without look-ahead
        else:
            params.update(after=key[2], limit=key[1])
    shown = None if key is None else key[3]
    rows = await _ahead_fetch(ctx, ahead, shown, template, params)
    loader = ctx.visible(Org)
    me = next((r for r in rows if r.id == org_id), None)
    loader.prime(org_id, me)
    if me is None:
        return
    if ahead.parent and me.parent_id is not None:
        loader.prime(me.parent_id, next((r for r in rows if r.id == me.parent_id), None))
    if key is not None:
        kids = sorted((r for r in rows if r.parent_id == org_id), key=lambda r: r.id)
        ctx.loader(_children).prime(key, kids)


async def _ahead_fetch(
    ctx: Ctx,
    ahead: Ahead,
    inactive_children: bool | None,
    template: ReadableTemplate,
    params: dict[str, Any],
) -> list[Any]:
    """The look-ahead's rows: records on the driver in a query (app/records.py: its readers
    of the primed loaders never change, refresh or relate what they read), else entities."""
    if ctx.querying:
        dialect = ctx.session.get_bind().dialect
        statement = _ahead_records(ahead.parent, inactive_children, template, dialect)
        return await statement.records(ctx.session, params)
    stmt = _ahead_statement(ahead.parent, inactive_children, template)
    return list(await ctx.session.scalars(stmt, params))


@cache
def _ahead_statement(
    parent: bool, inactive_children: bool | None, template: ReadableTemplate
) -> sa.Select[Any]:
    """The look-ahead statement of one selection shape, for the ORM (`_ahead_rows`)."""
    rows = _ahead_rows(parent, inactive_children, template)
    if isinstance(rows, sa.Select):
        return rows
    return sa.select(Org).from_statement(rows)  # type: ignore[return-value]


@cache
def _ahead_records(
    parent: bool, inactive_children: bool | None, template: ReadableTemplate, dialect: Dialect
) -> RecordStatement:
    """The look-ahead statement of one selection shape compiled once for the driver, its
    rows read as records."""
    return RecordStatement(_ahead_rows(parent, inactive_children, template), Org, dialect)


def _ahead_rows(
    parent: bool, inactive_children: bool | None, template: ReadableTemplate
) -> sa.Select[Any] | sa.CompoundSelect:
    """The look-ahead statement of one selection shape (its parent asked or not; a page of
    children, inactive ones included or not, or none): the org, the caller's roots and the
    page are parameters."""
    wanted = [_THE_ORG, _ITS_PARENT] if parent else [_THE_ORG]
    me: sa.Select[Any] = sa.select(Org).where(sa.or_(*wanted), template.predicate)
    if inactive_children is None:
        return me
    of_org = Org.parent_id == sa.bindparam("org_id")
    page = _page_of_children(of_org, sa.bindparam("after"), template.predicate, inactive_children)
    page = page.limit(sa.bindparam("limit"))
    return sa.union_all(me, page)


async def within(
    ctx: Ctx, stmt: sa.Select[Any], path_column: Any, under: int | None
) -> sa.Select[Any]:
    """Narrow a list to the subtree of `under` (an org the caller must be able to see)."""
    if under is None:
        return stmt
    root = await get(ctx, under)
    return stmt.where(path_column.descendant_of(root.path), *same_city(path_column, root))


def same_city(path_column: Any, root: Org) -> list[sa.ColumnElement[bool]]:
    """For a hot table (partitioned by city, app/partitions.py) and a subtree below the
    province: `city_id = <the root's city>`, which the planner prunes to that city's
    partition. It only restates the path test (a row's city_id is its org's city, kept by
    moveOrg); the province's own subtree spans every city and gets nothing."""
    city = same_city_of(path_column, root)
    if city is None:
        return []
    return [path_column.class_.city_id == city]


def same_city_of(path_column: Any, root: Org) -> int | None:
    """The city `same_city` restates, or None where it adds nothing."""
    table = getattr(getattr(path_column, "class_", None), "__tablename__", None)
    if table not in PARTITIONED or path_column.key != "org_path":
        return None
    return subtree_city(root)


def subtree_city(root: Org) -> int | None:
    """The one city every tenant-owned row of `root`'s subtree carries in `city_id` (a row's
    city is its org's, kept by moveOrg; an org below the province has its city's): None for
    the province, whose subtree spans every city."""
    return None if root.parent_id is None else root.city_id


def _search(stmt: sa.Select[Any], search: str | None) -> sa.Select[Any]:
    pattern = containing(search)
    if pattern is None:
        return stmt
    return stmt.where(sa.or_(Org.name.ilike(pattern), Org.code == (search or "").strip()))


async def list_orgs(
    ctx: Ctx,
    *,
    search: str | None = None,
    level: OrgLevel | None = None,
    kind: OrgKind | None = None,
    under: int | None = None,
    include_inactive: bool = False,
    below_only: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> Page[Org]:
    """With `under` and `below_only`, the subtree without its root."""
    ctx.scope(Act.VIEW, Obj.ORG)  # none anywhere: FORBIDDEN, not an empty list
    stmt = _search(sa.select(Org).where(ctx.readable(Org)), search)
    stmt = await within(ctx, stmt, Org.path, under)
    if below_only and under is not None:
        stmt = stmt.where(Org.id != under)
    if level is not None:
        stmt = stmt.where(Org.level == level)
    if kind is not None:
        stmt = stmt.where(Org.kind == kind)
    if not include_inactive:
        stmt = stmt.where(Org.is_active)
    return await ctx.page(stmt, Org.id, first, after)


async def children(
    ctx: Ctx, org: Org, *, include_inactive: bool = False, first: int | None, after: str | None
) -> Page[Org]:
    """Batched across all parents in the request (nested connections stay one statement);
    only the children the caller may see, and only those counted."""
    size = page_size(first, ctx.settings.page_size_default, ctx.settings.page_size_max)
    after_id = decode_cursor(after) if after else 0
    rows = await ctx.loader(_children).load((org.id, size + 1, after_id, include_inactive))

    async def total() -> int:
        return await ctx.loader(_children_total).load((org.id, include_inactive))

    return Page(
        rows=rows[:size],
        keys=[r.id for r in rows[:size]],
        has_next=len(rows) > size,
        has_previous=after is not None,
        _count=total,
    )


async def subtree(
    ctx: Ctx,
    org: Org,
    *,
    search: str | None,
    level: OrgLevel | None,
    first: int | None,
    after: str | None,
) -> Page[Org]:
    return await list_orgs(
        ctx, search=search, level=level, under=org.id, below_only=True, first=first, after=after
    )


async def ancestors(ctx: Ctx, org: Org) -> list[Org]:
    """From the top down, only those the principal may see: nothing above their grants."""
    stmt = (
        sa.select(Org)
        .where(Org.path.ancestor_of(org.path), Org.id != org.id, ctx.readable(Org))
        .order_by(sa.func.nlevel(Org.path))
    )
    return list((await ctx.session.scalars(stmt)).all())


@dataclass(frozen=True)
class OrgCounts:
    """What lies below an org, counting only what the caller may see."""

    children: int = 0
    descendants: int = 0
    cadres: int = 0
    youth: int = 0


async def counts(ctx: Ctx, org_id: int) -> OrgCounts:
    return await ctx.loader(_counts).load(org_id)


async def _counts(ctx: Ctx, ids: Sequence[int]) -> list[OrgCounts]:
    """All four counts for a batch of orgs in one statement (GiST on every path)."""
    o = Org.__table__.alias("o")

    def count(model: Any, *where: sa.ColumnExpressionArgument[bool]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(*where, ctx.readable(model))
            .scalar_subquery()
        )

    below = Org.path.op("<@")(o.c.path)
    stmt = sa.select(
        o.c.id,
        count(Org, Org.parent_id == o.c.id, Org.is_active).label("children"),
        count(Org, below, Org.id != o.c.id, Org.is_active).label("descendants"),
        count(Cadre, Cadre.org_path.op("<@")(o.c.path), Cadre.is_active).label("cadres"),
        count(Youth, Youth.org_path.op("<@")(o.c.path)).label("youth"),
    ).where(o.c.id.in_(ids))
    rows = {r.id: r for r in await ctx.session.execute(stmt)}
    return [
        OrgCounts(r.children, r.descendants, r.cadres, r.youth)
        if (r := rows.get(i))
        else OrgCounts()
        for i in ids
    ]


# (parent id, page size + 1, after id or 0, include inactive)
ChildrenKey = tuple[int, int, int, bool]


def _children_page(ctx: Ctx, parents: Sequence[int], after: int, inactive: bool) -> sa.Select[Any]:
    """The visible children of `parents` after id `after`, by id (the page is cut by the caller)."""
    return _page_of_children(Org.parent_id.in_(parents), after, ctx.readable(Org), inactive)


def _page_of_children(
    of_parent: sa.ColumnElement[bool], after: Any, readable: sa.ColumnElement[bool], inactive: bool
) -> sa.Select[Any]:
    """Children after id `after` that the caller may read, by id: `_children_page` for a
    request, `_ahead_statement` once with parameters."""
    stmt = sa.select(Org).where(of_parent, Org.id > after, readable)
    return (stmt if inactive else stmt.where(Org.is_active)).order_by(Org.id)


async def _children(ctx: Ctx, keys: Sequence[ChildrenKey]) -> list[list[Org]]:
    """Pages of visible children for many parents: one windowed statement per page shape."""
    found: dict[ChildrenKey, list[Org]] = {}
    shapes = {(limit, after, inactive) for _, limit, after, inactive in keys}
    for limit, after, inactive in shapes:
        parents = [k[0] for k in keys if k[1:] == (limit, after, inactive)]
        rank = sa.func.row_number().over(partition_by=Org.parent_id, order_by=Org.id)
        ranked_sq = (
            _children_page(ctx, parents, after, inactive)
            .with_only_columns(Org.id, rank.label("rank"))
            .order_by(None)
            .subquery()
        )
        rows = await ctx.session.scalars(
            sa.select(Org)
            .join(ranked_sq, ranked_sq.c.id == Org.id)
            .where(ranked_sq.c.rank <= limit)
            .order_by(Org.id)
        )
        for org in rows:
            found.setdefault((org.parent_id, limit, after, inactive), []).append(org)  # type: ignore[arg-type]
    return [found.get(k, []) for k in keys]


async def _children_total(ctx: Ctx, keys: Sequence[tuple[int, bool]]) -> list[int]:
    totals: dict[tuple[int | None, bool], int] = {}
    for inactive in {k[1] for k in keys}:
        parents = [k[0] for k in keys if k[1] == inactive]
        stmt = sa.select(Org.parent_id, sa.func.count()).where(
            Org.parent_id.in_(parents), ctx.readable(Org)
        )
        if not inactive:
            stmt = stmt.where(Org.is_active)
        for parent_id, n in await ctx.session.execute(stmt.group_by(Org.parent_id)):
            totals[(parent_id, inactive)] = n
    return [totals.get(k, 0) for k in keys]


# ---------------------------------------------------------------- mutations


def _check_level(parent: Org, level: OrgLevel) -> None:
    if level == OrgLevel.PROVINCE or level.depth <= parent.level.depth:
        raise BadInput("下级组织的层级必须低于上级组织", field="level")


def _clean_code(code: str, field: str = "code") -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise BadInput("组织代码只能包含字母、数字、下划线和连字符，长度 1–32", field=field)
    return code


async def create(
    ctx: Ctx,
    *,
    parent_id: int,
    code: str,
    name: str,
    level: OrgLevel,
    kind: OrgKind,
    is_leading_organ: bool = False,
    zhtj_code: str | None = None,
) -> Org:
    parent = await load(ctx, parent_id)
    ctx.authorize(Act.MANAGE, Obj.ORG, parent.path)
    if not parent.is_active:
        raise Conflict("上级组织已停用")
    _check_level(parent, level)
    new_id: int = (
        await ctx.session.execute(sa.select(sa.func.nextval("orgs_id_seq")))
    ).scalar_one()
    org = Org(
        id=new_id,
        parent_id=parent.id,
        path=f"{parent.path}.{new_id}",
        code=_clean_code(code),
        zhtj_code=_clean_code(zhtj_code, "zhtjCode") if zhtj_code else None,
        name=clean_text(name, "组织名称", max_len=100),
        level=level,
        kind=kind,
        is_leading_organ=is_leading_organ,
        is_active=True,
        city_id=new_id if level == OrgLevel.CITY else parent.city_id,
    )
    ctx.session.add(org)
    await ctx.flush_or_conflict("组织代码或智慧团建编码已被使用")
    await ctx.audit("org.create", "Org", org.id, org.path, after=snapshot(org))
    return org


async def update(
    ctx: Ctx,
    org_id: int,
    *,
    name: str | None = None,
    code: str | None = None,
    kind: OrgKind | None = None,
    is_leading_organ: bool | None = None,
) -> Org:
    org = await load(ctx, org_id, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.ORG, org.path)
    before = snapshot(org)
    if name is not None:
        org.name = clean_text(name, "组织名称", max_len=100)
    if code is not None:
        org.code = _clean_code(code)
    if kind is not None:
        org.kind = kind
    if is_leading_organ is not None:
        org.is_leading_organ = is_leading_organ
    await ctx.flush_or_conflict("组织代码已被使用")
    await ctx.audit("org.update", "Org", org.id, org.path, before=before, after=snapshot(org))
    return org


def tenant_tables() -> list[type[TenantOwned]]:
    """Every table that carries org_id/org_path/city_id: all kept in step by a move."""
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)]


async def move(ctx: Ctx, org_id: int, new_parent_id: int) -> Org:
    """Move a whole subtree under a new parent: every path below, and the org_path and
    city_id of every tenant-owned row in it, change in this one transaction. The audit entry
    counts the rows rewritten in each table."""
    org = await load(ctx, org_id, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.ORG, org.path)
    if org.parent_id is None:
        raise BadInput("不能移动根组织", field="id")
    parent = await load(ctx, new_parent_id, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.ORG, parent.path)
    if parent.id == org.id or parent.path.startswith(org.path + "."):
        raise BadInput("不能把组织移动到其自身或下级组织之下", field="newParentId")
    if not parent.is_active:
        raise Conflict("目标上级组织已停用")
    _check_level(parent, org.level)
    before = snapshot(org)
    old_path, new_path = org.path, f"{parent.path}.{org.id}"
    rewritten: dict[str, int] = {}
    if old_path != new_path:
        rewritten = await _rewrite_paths(ctx, old_path, new_path, parent.city_id)
        await ctx.session.execute(
            sa.update(Org).where(Org.id == org.id).values(parent_id=parent.id)
        )
    await ctx.session.refresh(org)
    await ctx.audit(
        "org.move",
        "Org",
        org.id,
        org.path,
        before=before,
        after={**snapshot(org), "rewritten": rewritten},
    )
    return org


# Rows keyed to a cadre rather than an org: they follow their cadre's org.
_BY_CADRE = ("point_snapshots",)


async def _rewrite_paths(
    ctx: Ctx, old_path: str, new_path: str, fallback_city: int
) -> dict[str, int]:
    """Rewrites the path columns of the moved subtree's rows, append-only and published ones
    included: the database lets those change only in their path columns, and only while
    `youthlink.org_move` is on (migration 0007), which it is for this rewrite alone. The
    audit log keeps the paths its entries were written at: its hash chain covers them."""
    s = ctx.session
    counts: dict[str, int] = {}

    async def run(name: str, sql: str, **params: object) -> None:
        result = await s.execute(sa.text(sql), {"new": new_path, **params})
        counts[name] = counts.get(name, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]

    await s.execute(sa.select(sa.func.set_config("youthlink.org_move", "on", True)))
    await run(
        "orgs",
        "UPDATE orgs SET path = CASE WHEN path = CAST(:old AS ltree) THEN CAST(:new AS ltree)"
        " ELSE CAST(:new AS ltree) || subpath(path, :depth) END,"
        " updated_at = now() WHERE path <@ CAST(:old AS ltree)",
        old=old_path,
        depth=old_path.count(".") + 1,
    )
    # The city-level ancestor of each moved org, or the province's id when none.
    await s.execute(
        sa.text(
            "UPDATE orgs o SET city_id = COALESCE(("
            "  SELECT a.id FROM orgs a WHERE a.path @> o.path AND a.level = 'CITY'"
            "  ORDER BY nlevel(a.path) DESC LIMIT 1), :fallback)"
            " WHERE o.path <@ CAST(:new AS ltree)"
        ),
        {"new": new_path, "fallback": fallback_city},
    )
    for model in tenant_tables():
        table = model.__table__.name  # type: ignore[attr-defined]
        await run(
            table,
            f"UPDATE {table} t SET org_path = o.path, city_id = o.city_id "
            "FROM orgs o WHERE o.id = t.org_id AND o.path <@ CAST(:new AS ltree)",
        )
    for table in _BY_CADRE:
        await run(
            table,
            f"UPDATE {table} t SET org_path = c.org_path, city_id = c.city_id "
            "FROM cadres c WHERE c.id = t.cadre_id AND c.org_path <@ CAST(:new AS ltree)",
        )
    # Rows that carry the path of what they are about: a sampled log's, an assessed org's.
    await run(
        "spot_check_items",
        "UPDATE spot_check_items i SET org_path = l.org_path FROM work_logs l"
        " WHERE l.id = i.log_id AND l.org_path <@ CAST(:new AS ltree)",
    )
    await run(
        "assessment_scores",
        "UPDATE assessment_scores a SET org_path = o.path FROM orgs o"
        " WHERE o.id = a.org_id AND o.path <@ CAST(:new AS ltree)",
    )
    await _rewrite_pools(run)
    await s.execute(sa.select(sa.func.set_config("youthlink.org_move", "off", True)))
    return {name: n for name, n in counts.items() if n}


async def _rewrite_pools(run: Any) -> None:
    """A wish pool is a leading organ's: its path follows the organ. A wish still waiting in
    a pool (ESCALATED) that is no longer above it goes to the nearest leading organ above it
    now, as `escalate` would have chosen, and waits there afresh (a claimed one stays with the
    organ that claimed it)."""
    await run(
        "wishes.pool_org_path",
        "UPDATE wishes w SET pool_org_path = o.path FROM orgs o"
        " WHERE o.id = w.pool_org_id AND o.path <@ CAST(:new AS ltree)",
    )
    await run(
        "wishes.pool_org_id",
        "UPDATE wishes w SET (pool_org_id, pool_org_path) = (SELECT a.id, a.path FROM orgs a"
        "   WHERE a.path @> w.org_path AND a.is_leading_organ"
        "   ORDER BY nlevel(a.path) DESC LIMIT 1), updated_at = now(), pooled_at = now()"
        " WHERE w.status = 'ESCALATED' AND w.org_path <@ CAST(:new AS ltree)"
        " AND NOT (w.pool_org_path @> w.org_path)",
    )


async def set_active(ctx: Ctx, org_id: int, active: bool) -> Org:
    org = await load(ctx, org_id, for_update=True)
    ctx.authorize(Act.MANAGE, Obj.ORG, org.path)
    if org.is_active == active:
        return org
    if not active:
        if org.parent_id is None:
            raise BadInput("不能停用根组织", field="id")
        live_children = await ctx.session.scalar(
            sa.select(sa.func.count()).where(Org.parent_id == org.id, Org.is_active)
        )
        if live_children:
            raise Conflict(f"该组织还有 {live_children} 个未停用的下级组织，请先停用或移走")
    else:
        parent = await load(ctx, org.parent_id) if org.parent_id else None
        if parent is not None and not parent.is_active:
            raise Conflict("上级组织已停用，请先启用上级组织")
    before = snapshot(org)
    org.is_active = active
    await ctx.session.flush()
    action = "org.reactivate" if active else "org.deactivate"
    await ctx.audit(action, "Org", org.id, org.path, before=before, after=snapshot(org))
    return org
