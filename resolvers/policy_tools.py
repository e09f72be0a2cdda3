"""What the provincial committee needs beyond grants: who can, what can, a preview of a
change before it is made, delegation (代管), field exceptions, and the policy as a file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from authz import Act, GrantRef, Obj, PolicyStore, is_in_subtree, require_user
from authz.decide import minimal_roots
from authz.errors import BadInput, Conflict, NotFound
from authz.escalation import (
    FieldRuleLine,
    Line,
    require_delegate_inside,
    require_may_give,
    require_no_widening,
)
from authz.principal import active_grant
from authz.sync import notify_policy_changed
from models import (
    AuditEntry,
    Cadre,
    FieldGrant,
    FieldRule,
    Grant,
    Nomination,
    Org,
    Post,
    Rating,
    Report,
    Resource,
    Role,
    RolePermission,
    User,
    Voice,
    Wish,
    WorkingGroup,
    WorkLog,
    Youth,
)
from resolvers import orgs, policy
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page, after_key, cut, known_count, paginate_rows

# ---------------------------------------------------------------- lookups


@dataclass(frozen=True)
class Holder:
    user_id: int
    name: str
    grant_id: int
    role: str
    grant_org_id: int
    delegated_by: int | None


@dataclass(frozen=True)
class WhoCan:
    holders: Page[Holder]  # a page by grant id of the holders the caller may see
    held_above: bool  # others hold it through grants above the caller's level (not named)


async def who_can(
    ctx: Ctx, act: Act, obj: Obj, org_id: int, *, first: int | None, after: str | None
) -> WhoCan:
    """Every principal allowed (act, obj) at the org, and the grant through which: one
    indexed statement (grants at the org or an ancestor, with a role casbin says allows it).
    Only grants the caller may see are named; those above are reported, not shown."""
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.GRANT, org.path)
    roles = sorted(ctx.policy.roles_allowing(obj.value, act.value))
    base = (
        sa.select(
            Grant.id, Grant.user_id, User.display_name, Grant.role, Grant.org_id, Grant.delegated_by
        )
        .join(User, User.id == Grant.user_id)
        .where(
            Grant.org_path.ancestor_of(org.path),
            Grant.role.in_(roles),
            active_grant(Grant),
            User.is_active,
        )
    )
    visible = ctx.readable(Grant)
    held_above = bool(await ctx.session.scalar(sa.select(base.where(~visible).exists())))
    page = await paginate_rows(
        ctx.session,
        base.where(visible),
        Grant.id,
        lambda r: r.id,
        size=ctx.page_size(first),
        after=after,
    )
    page.rows = [
        Holder(r.user_id, r.display_name, r.id, r.role, r.org_id, r.delegated_by) for r in page.rows
    ]
    return WhoCan(page, held_above)


async def _grants_of(ctx: Ctx, user_id: int) -> tuple[GrantRef, ...]:
    rows = await ctx.session.execute(
        sa.select(Grant.id, Grant.role, Grant.org_id, Grant.org_path, Grant.delegated_by).where(
            Grant.user_id == user_id, active_grant(Grant)
        )
    )
    return tuple(GrantRef(*r) for r in rows)


# The records that stand for each object type in a subtree (global objects have none).
RECORDS: dict[Obj, Any] = {
    Obj.ORG: Org.path,
    Obj.CADRE: Cadre.org_path,
    Obj.YOUTH: Youth.org_path,
    Obj.GRANT: Grant.org_path,
    Obj.AUDIT: AuditEntry.org_path,
    Obj.WORK: WorkLog.org_path,
    Obj.REPORT: Report.org_path,
    Obj.GROUP: WorkingGroup.org_path,
    Obj.VOICE: Voice.org_path,
    Obj.WISH: Wish.org_path,
    Obj.RESOURCE: Resource.org_path,
    Obj.RATING: Rating.org_path,
    Obj.POST: Post.org_path,
    Obj.CAMPAIGN: Nomination.org_path,
}


@dataclass(frozen=True)
class Reach:
    org: Org
    orgs: int  # orgs in the subtree
    objects: int | None  # records of the object type in it; None for a global object
    held_above: bool = False  # reached through a grant above the caller's level (not named)


async def what_can(
    ctx: Ctx, user_id: int, act: Act, obj: Obj, *, first: int | None, after: str | None
) -> Page[Reach]:
    """The subtrees where `user` may do (act, obj), a page of their roots by org id, each
    with how many orgs and records of `obj` it holds; only what lies in the caller's own
    `grant:view` subtrees is shown. Where the user's right comes from a grant above the
    caller's level, the caller's own subtree is shown as reached, marked so, unnamed."""
    scope = ctx.scope(Act.VIEW, Obj.GRANT)
    if await ctx.session.get(User, user_id) is None:
        raise NotFound()
    grants = await _grants_of(ctx, user_id)
    roots = minimal_roots(
        [g.org_path for g in grants if ctx.policy.allows(g.role, obj.value, act.value)]
    )
    if user_id == ctx.principal.user_id:
        shown, above = list(roots), set()
    else:
        shown = [r for r in roots if scope.covers(r)]
        above = {s for s in scope.roots for r in roots if r != s and is_in_subtree(s, r)}
    visible = minimal_roots(shown + sorted(above))
    if not visible:
        return cut([], 0, [], after=after, count=known_count(0))
    stmt = sa.select(Org, _count_under(Org.path), _count_under(RECORDS.get(obj))).where(
        Org.path.in_(visible)
    )
    size = ctx.page_size(first)
    since = after_key(after)
    paged = stmt if since is None else stmt.where(Org.id > since)
    rows = (await ctx.session.execute(paged.order_by(Org.id).limit(size + 1))).all()
    reach = [Reach(o, int(n), m, o.path in above) for o, n, m in rows]
    return cut(reach, size, [r.org.id for r in reach], after=after, count=known_count(len(visible)))


def _count_under(path_column: Any) -> Any:
    """How many rows of path_column's table lie under the outer query's org."""
    if path_column is None:
        return sa.null()
    inner = path_column.table.alias()
    column = inner.c[path_column.key]
    return (
        sa.select(sa.func.count())
        .select_from(inner)
        .where(column.op("<@")(Org.path))
        .scalar_subquery()
    )


# ---------------------------------------------------------------- preview and apply


@dataclass(frozen=True)
class Change:
    kind: str  # ADD_GRANT | REVOKE_GRANT | ADD_PERMISSION | REMOVE_PERMISSION
    user_id: int | None = None
    role: str | None = None
    org_id: int | None = None
    grant_id: int | None = None
    obj: str | None = None
    act: str | None = None


Right = tuple[int, str, str, str]  # (user, action, object, subtree root path)


@dataclass(frozen=True)
class Diff:
    gained: list[Right]
    lost: list[Right]
    hidden: int = 0  # rights that change outside the caller's grant:view subtrees (not shown)


class _Sim:
    """The policy as it would be: templates and grants after the changes, in memory."""

    def __init__(self, store: PolicyStore, lines: set[tuple[str, str, str]]) -> None:
        self.lines = lines
        self.store = store

    def allows(self, role: str, obj: str, act: str) -> bool:
        return (role, obj, act) in self.lines


ALL_PAIRS = [(obj.value, act.value) for obj in Obj for act in Act]


def _rights(
    allows,
    grants: dict[int, list[GrantRef]],
    pairs: dict[int, list[tuple[str, str]]] | None = None,
) -> set[Right]:
    """Each user's subtree roots for each (object, action) — all pairs, or only `pairs[user]`."""
    out: set[Right] = set()
    for user_id, gs in grants.items():
        for obj, act in (pairs or {}).get(user_id, ALL_PAIRS):
            roots = minimal_roots([g.org_path for g in gs if allows(g.role, obj, act)])
            out.update((user_id, act, obj, r) for r in roots)
    return out


async def _plan(
    ctx: Ctx, changes: list[Change]
) -> tuple[dict[int, list[GrantRef]], dict[int, list[GrantRef]], set[tuple[str, str, str]]]:
    """Grants of the affected users before and after, and the templates after."""
    await _require_policy_admin(ctx)
    lines = {(p.role, p.object, p.action) for p in ctx.policy.lines()}
    after_lines = set(lines)
    roles_touched: set[str] = set()
    users: set[int] = set()
    adds: list[tuple[int, str, Org]] = []
    revokes: set[int] = set()
    for c in changes:
        if c.kind in ("ADD_PERMISSION", "REMOVE_PERMISSION"):
            if not c.role or not c.obj or not c.act or await ctx.session.get(Role, c.role) is None:
                raise BadInput("权限变更须给出存在的角色、对象和操作", field="changes")
            line = (c.role, Obj(c.obj).value, Act(c.act).value)
            (after_lines.add if c.kind == "ADD_PERMISSION" else after_lines.discard)(line)
            roles_touched.add(c.role)
        elif c.kind == "ADD_GRANT":
            if c.user_id is None or c.role is None or c.org_id is None:
                raise BadInput("授权须给出账号、角色和组织", field="changes")
            org = await orgs.load(ctx, c.org_id)
            ctx.authorize(Act.MANAGE, Obj.GRANT, org.path)
            if (
                await ctx.session.get(Role, c.role) is None
                or await ctx.session.get(User, c.user_id) is None
            ):
                raise NotFound("角色或账号不存在")
            require_may_give(ctx.policy, ctx.principal, c.role, org.path, c.user_id)
            adds.append((c.user_id, c.role, org))
            users.add(c.user_id)
        elif c.kind == "REVOKE_GRANT":
            g = await ctx.session.get(Grant, c.grant_id) if c.grant_id else None
            if g is None or g.revoked_at is not None:
                raise NotFound("授权不存在或已撤销")
            ctx.authorize(Act.MANAGE, Obj.GRANT, g.org_path)
            revokes.add(g.id)
            users.add(g.user_id)
        else:
            raise BadInput(f"未知的变更类型：{c.kind}", field="changes")
    if roles_touched:
        users |= set(
            await ctx.session.scalars(
                sa.select(Grant.user_id)
                .where(Grant.role.in_(roles_touched), active_grant(Grant))
                .distinct()
            )
        )
    before: dict[int, list[GrantRef]] = defaultdict(list)
    rows = await ctx.session.execute(
        sa.select(
            Grant.user_id, Grant.id, Grant.role, Grant.org_id, Grant.org_path, Grant.delegated_by
        ).where(Grant.user_id.in_(users), active_grant(Grant))
    )
    for r in rows:
        before[r.user_id].append(GrantRef(r.id, r.role, r.org_id, r.org_path, r.delegated_by))
    after = {u: [g for g in gs if g.id not in revokes] for u, gs in before.items()}
    for user_id, role, org in adds:
        after.setdefault(user_id, []).append(GrantRef(0, role, org.id, org.path))
    for u in users:
        before.setdefault(u, [])
    return before, after, after_lines


async def preview(ctx: Ctx, changes: list[Change]) -> Diff:
    """The rights (user, action, object, subtree) gained and lost, without applying anything."""
    before, after, after_lines = await _plan(ctx, changes)
    # Only what can change is computed: every pair for users whose grants change, and for
    # the holders of a changed role only the (object, action) pairs of the changed lines.
    changed_lines = {
        (o, a)
        for _, o, a in {(p.role, p.object, p.action) for p in ctx.policy.lines()} ^ after_lines
    }
    regranted = {c.user_id for c in changes if c.kind == "ADD_GRANT"} | {
        u for u in before if {g.id for g in before[u]} != {g.id for g in after.get(u, []) if g.id}
    }
    pairs = {u: ALL_PAIRS if u in regranted else sorted(changed_lines) for u in before}
    was = _rights(ctx.policy.allows, before, pairs)
    will = _rights(lambda r, o, a: (r, o, a) in after_lines, after, pairs)
    return _shown(ctx, sorted(will - was), sorted(was - will))


def _shown(ctx: Ctx, gained: list[Right], lost: list[Right]) -> Diff:
    """Only rights in subtrees where the caller may see grants (or the caller's own) are
    listed; the others are counted, never named."""
    scope = ctx.scope(Act.VIEW, Obj.GRANT, required=False)

    def named(r: Right) -> bool:
        return r[0] == ctx.principal.user_id or scope.covers(r[3])

    show_g, show_l = [r for r in gained if named(r)], [r for r in lost if named(r)]
    return Diff(show_g, show_l, len(gained) + len(lost) - len(show_g) - len(show_l))


async def apply(ctx: Ctx, changes: list[Change]) -> Diff:
    """Make the changes in one transaction; returns the same diff the preview gave."""
    diff = await preview(ctx, changes)
    # preview() refused every change that lacks the fields its kind needs.
    for c in changes:
        if c.kind == "ADD_GRANT":
            assert c.user_id is not None and c.role is not None and c.org_id is not None
            await policy.grant(ctx, user_id=c.user_id, role=c.role, org_id=c.org_id)
        elif c.kind == "REVOKE_GRANT":
            assert c.grant_id is not None
            await policy.revoke(ctx, c.grant_id)
        else:
            assert c.role is not None and c.obj is not None and c.act is not None
            await policy.set_permission(
                ctx,
                role=c.role,
                obj=Obj(c.obj),
                act=Act(c.act),
                allowed=c.kind == "ADD_PERMISSION",
            )
    return diff


async def _require_policy_admin(ctx: Ctx) -> None:
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.VIEW, Obj.POLICY, root)


# ---------------------------------------------------------------- delegation


async def delegate(
    ctx: Ctx,
    *,
    to_user_id: int,
    role: str,
    org_id: int,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
) -> Grant:
    """Someone who holds a role's rights at an org passes them on for a while: only rights
    they hold (every line of the role), only within their subtree, ending by itself."""
    me = ctx.principal
    require_user(me)
    org = await orgs.load(ctx, org_id)
    if not any(is_in_subtree(org.path, g.org_path) for g in me.grants):
        raise NotFound()  # outside every subtree of the delegator
    if starts_at.tzinfo is None or ends_at.tzinfo is None or ends_at <= starts_at:
        raise BadInput("须给出带时区的开始与结束时间，且结束晚于开始", field="endsAt")
    if ends_at <= datetime.now(UTC):
        raise BadInput("结束时间已过", field="endsAt")
    if (ends_at - starts_at).days > 366:
        raise BadInput("代管最长一年", field="endsAt")
    if await ctx.session.get(Role, role) is None:
        raise NotFound(f"角色 {role} 不存在")
    require_may_give(ctx.policy, me, role, org.path, to_user_id)
    require_delegate_inside(me, org.path, await _places_of(ctx, to_user_id))
    g = Grant(
        user_id=to_user_id,
        role=role,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
        granted_by=me.user_id,
        delegated_by=me.user_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    ctx.session.add(g)
    await ctx.flush_or_conflict("受托人在此组织已有该角色")
    await ctx.audit(
        "grant.delegate",
        "Grant",
        g.id,
        org.path,
        after={
            "to_user_id": to_user_id,
            "role": role,
            "org_id": org.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "note": clean_text(note, "说明", max_len=500, required=False),
        },
    )
    return g


async def _places_of(ctx: Ctx, user_id: int) -> list[str]:
    """Where an active account belongs: its cadre and youth records and its own grants."""
    own = sa.select(Grant.org_path.label("path")).where(
        Grant.user_id == user_id, Grant.delegated_by.is_(None), active_grant(Grant)
    )
    cadre = sa.select(Cadre.org_path).where(Cadre.user_id == user_id, Cadre.is_active)
    youth = sa.select(Youth.org_path).where(Youth.user_id == user_id)
    active = sa.exists().where(User.id == user_id, User.is_active)
    stmt = sa.union_all(own, cadre, youth).subquery()
    rows = await ctx.session.scalars(sa.select(stmt.c.path).where(active))
    return [str(p) for p in rows]


# ---------------------------------------------------------------- guarded fields


GUARDED = {("youth", "mobile"), ("youth", "birth_date")}


async def set_field_rule(
    ctx: Ctx,
    *,
    role: str,
    obj: Obj,
    field: str,
    max_distance: int | None,
    minors: bool,
    approved: bool = False,
) -> FieldRule | None:
    """Set (or with `max_distance` null, remove) a role's rule for a guarded field. Widening
    the rule of a role the caller holds needs a second admin (`approved`)."""
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.POLICY, root)
    if (obj.value, field) not in GUARDED:
        raise BadInput("不是受保护字段", field="field")
    if await ctx.session.get(Role, role) is None:
        raise NotFound(f"角色 {role} 不存在")
    if max_distance is not None and not approved:
        rule = (role, obj.value, field, max_distance, minors)
        require_no_widening(ctx.policy, ctx.principal, field_rules=[rule])
    existing = await ctx.session.scalar(
        sa.select(FieldRule).where(
            FieldRule.role == role, FieldRule.object == obj.value, FieldRule.field == field
        )
    )
    before = (
        {"max_distance": existing.max_distance, "minors": existing.minors} if existing else None
    )
    if max_distance is None:
        if existing:
            await ctx.session.delete(existing)
        row = None
    else:
        if not 0 <= max_distance <= 99:
            raise BadInput("层级距离应在 0–99 之间", field="maxDistance")
        row = existing or FieldRule(role=role, object=obj.value, field=field, max_distance=0)
        row.max_distance, row.minors = max_distance, minors
        ctx.session.add(row)
    await ctx.session.flush()
    await ctx.audit(
        "policy.field_rule",
        "FieldRule",
        f"{role}:{obj.value}:{field}",
        root,
        before,
        {"max_distance": max_distance, "minors": minors} if max_distance is not None else None,
    )
    await notify_policy_changed(ctx.session, "field_rule")
    return row


async def grant_field(
    ctx: Ctx,
    *,
    user_id: int,
    obj: Obj,
    field: str,
    org_id: int,
    minors: bool,
    reason: str,
    ends_at: datetime | None,
    approved: bool = False,
) -> FieldGrant:
    """An audited exception: one person may see one guarded field in a subtree. One for
    oneself needs a second admin (`approved`)."""
    if (obj.value, field) not in GUARDED:
        raise BadInput("不是受保护字段", field="field")
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.POLICY, org.path)
    if not approved:
        require_no_widening(ctx.policy, ctx.principal, field_grant_to=user_id)
    if await ctx.session.get(User, user_id) is None:
        raise NotFound("账号不存在")
    if ends_at is not None and ends_at <= datetime.now(UTC):
        raise BadInput("结束时间已过", field="endsAt")
    fg = FieldGrant(
        user_id=user_id,
        object=obj.value,
        field=field,
        minors=minors,
        reason=clean_text(reason, "理由", max_len=1000),
        granted_by=ctx.principal.user_id,
        ends_at=ends_at,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(fg)
    await ctx.session.flush()
    await ctx.audit(
        "policy.field_grant",
        "FieldGrant",
        fg.id,
        org.path,
        after={
            "user_id": user_id,
            "field": f"{obj.value}.{field}",
            "minors": minors,
            "reason": fg.reason,
        },
    )
    return fg


async def list_field_grants(
    ctx: Ctx,
    *,
    under: int | None,
    user_id: int | None,
    include_revoked: bool,
    first: int | None,
    after: str | None,
) -> Page[FieldGrant]:
    """Field exceptions in subtrees where the caller may view the policy."""
    ctx.scope(Act.VIEW, Obj.POLICY)
    stmt = sa.select(FieldGrant).where(ctx.readable(FieldGrant))
    stmt = await orgs.within(ctx, stmt, FieldGrant.org_path, under)
    if user_id is not None:
        stmt = stmt.where(FieldGrant.user_id == user_id)
    if not include_revoked:
        stmt = stmt.where(FieldGrant.revoked_at.is_(None))
    return await ctx.page(stmt, FieldGrant.id, first, after)


async def revoke_field_grant(ctx: Ctx, field_grant_id: int) -> FieldGrant:
    fg = await ctx.load(FieldGrant, field_grant_id, Act.MANAGE, Obj.POLICY, for_update=True)
    if fg.revoked_at is not None:
        raise Conflict("该例外授权已撤销")
    fg.revoked_at = datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "policy.field_grant_revoke",
        "FieldGrant",
        fg.id,
        fg.org_path,
        before={"user_id": fg.user_id},
    )
    return fg


# ---------------------------------------------------------------- policy as data


async def export_policy(session: Any) -> dict[str, Any]:
    """The live policy (roles, templates, field rules) as a reviewable, importable document."""
    roles = (
        await session.execute(
            sa.select(Role.name, Role.title, Role.description, Role.is_builtin).order_by(Role.name)
        )
    ).all()
    lines = (
        await session.execute(
            sa.select(RolePermission.role, RolePermission.object, RolePermission.action).order_by(
                RolePermission.role, RolePermission.object, RolePermission.action
            )
        )
    ).all()
    rules = (
        await session.execute(
            sa.select(
                FieldRule.role,
                FieldRule.object,
                FieldRule.field,
                FieldRule.max_distance,
                FieldRule.minors,
            ).order_by(FieldRule.role, FieldRule.object, FieldRule.field)
        )
    ).all()
    return {
        "version": 1,
        "roles": [{"name": n, "title": t, "description": d, "builtin": b} for n, t, d, b in roles],
        "permissions": [[r, o, a] for r, o, a in lines],
        "field_rules": [
            {"role": r, "object": o, "field": f, "max_distance": d, "minors": m}
            for r, o, f, d, m in rules
        ],
    }


def parse_document(doc: Any) -> tuple[list[tuple[str, str, str]], set[Line], list[FieldRuleLine]]:
    """(roles, template lines, field rules) of a policy document, or BAD_USER_INPUT."""
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise BadInput("不支持的策略文件版本", field="document")
    try:
        roles = [(r["name"], r["title"], r.get("description", "")) for r in doc["roles"]]
        lines = {(r, Obj(o).value, Act(a).value) for r, o, a in doc["permissions"]}
        rules = [
            (
                x["role"],
                Obj(x["object"]).value,
                x["field"],
                int(x["max_distance"]),
                bool(x["minors"]),
            )
            for x in doc.get("field_rules", [])
        ]
    except (KeyError, ValueError, TypeError) as exc:
        raise BadInput(f"策略文件格式有误：{exc}", field="document") from None
    return roles, lines, rules


async def import_document(ctx: Ctx, doc: Any, *, approved: bool = False) -> dict[str, int]:
    """`import_policy` for a request: a root policy admin, audited with what it replaced;
    a document that widens the importer's own rights needs a second admin (`approved`)."""
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.MANAGE, Obj.POLICY, root)
    _, lines, rules = parse_document(doc)
    if not approved:
        require_no_widening(ctx.policy, ctx.principal, lines=lines, field_rules=rules)
    before = await export_policy(ctx.session)
    counts = await import_policy(ctx.session, doc)
    await ctx.audit("policy.import", "Policy", "live", root, before=before, after=doc)
    return counts


async def import_policy(session: Any, doc: dict[str, Any]) -> dict[str, int]:
    """Replace the templates and field rules with the document's (roles are added or
    updated; a role still granted is never removed). One transaction; validated first."""
    roles, lines, rules = parse_document(doc)
    names = {n for n, _, _ in roles}
    if any(r not in names for r, _, _ in lines) or any(r[0] not in names for r in rules):
        raise BadInput("权限或字段规则引用了文件中没有的角色", field="document")
    for name, title, description in roles:
        await session.execute(
            sa.dialects.postgresql.insert(Role)
            .values(name=name, title=title, description=description)
            .on_conflict_do_update(
                index_elements=["name"], set_={"title": title, "description": description}
            )
        )
    await session.execute(sa.delete(RolePermission))
    if lines:
        await session.execute(
            sa.insert(RolePermission), [{"role": r, "object": o, "action": a} for r, o, a in lines]
        )
    await session.execute(sa.delete(FieldRule))
    if rules:
        await session.execute(
            sa.insert(FieldRule),
            [
                {"role": r, "object": o, "field": f, "max_distance": d, "minors": m}
                for r, o, f, d, m in rules
            ],
        )
    await notify_policy_changed(session, "import")
    return {"roles": len(roles), "permissions": len(lines), "field_rules": len(rules)}
