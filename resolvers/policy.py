"""Policy administration: role templates and grants at tree nodes, with `explain`.

Role templates are global (they mean the same everywhere), so changing them needs
`policy:manage` at the root; grants are tenant-owned and need `grant:manage` over the org."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from authz import Act, GrantRef, Obj, PolicyLine, Principal, decide
from authz.errors import BadInput, Conflict, NotFound
from authz.escalation import require_may_give, require_no_widening
from authz.principal import active_grant
from authz.sync import notify_policy_changed
from models import Grant, Role, RolePermission, User
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page

ROLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,39}$")


@dataclass(frozen=True)
class RoleView:
    name: str
    title: str
    description: str
    is_builtin: bool
    permissions: tuple[PolicyLine, ...]


async def _require_policy(ctx: Ctx, act: Act) -> str:
    root = await orgs.root_path(ctx)
    if act == Act.VIEW:
        ctx.scope(Act.VIEW, Obj.POLICY)  # anywhere is enough to read the templates
    else:
        ctx.authorize_global(act, Obj.POLICY, root)
    return root


async def list_roles(ctx: Ctx) -> list[RoleView]:
    await _require_policy(ctx, Act.VIEW)
    roles = (await ctx.session.scalars(sa.select(Role).order_by(Role.name))).all()
    perms = (
        await ctx.session.execute(
            sa.select(RolePermission.role, RolePermission.object, RolePermission.action).order_by(
                RolePermission.object, RolePermission.action
            )
        )
    ).all()
    by_role: dict[str, list[PolicyLine]] = {}
    for p in perms:
        by_role.setdefault(p.role, []).append(PolicyLine(*p))
    return [
        RoleView(r.name, r.title, r.description, r.is_builtin, tuple(by_role.get(r.name, ())))
        for r in roles
    ]


async def _role(ctx: Ctx, name: str) -> Role:
    role = await ctx.session.get(Role, name)
    if role is None:
        raise NotFound(f"角色 {name} 不存在")
    return role


async def create_role(ctx: Ctx, *, name: str, title: str, description: str = "") -> RoleView:
    root = await _require_policy(ctx, Act.MANAGE)
    name = (name or "").strip()
    if not ROLE_NAME_RE.match(name):
        raise BadInput(
            "角色标识须以小写字母开头，由 3–40 位小写字母、数字或下划线组成", field="name"
        )
    role = Role(
        name=name,
        title=clean_text(title, "角色名称", max_len=60),
        description=clean_text(description, "角色说明", max_len=500, required=False),
        is_builtin=False,
    )
    ctx.session.add(role)
    await ctx.flush_or_conflict("角色标识已存在")
    await ctx.audit("role.create", "Role", name, root, after={"title": role.title})
    await notify_policy_changed(ctx.session, f"role.create:{name}")
    return RoleView(role.name, role.title, role.description, False, ())


async def delete_role(ctx: Ctx, name: str) -> bool:
    root = await _require_policy(ctx, Act.MANAGE)
    role = await _role(ctx, name)
    if role.is_builtin:
        raise Conflict("内置角色不能删除")
    in_use = await ctx.session.scalar(
        sa.select(sa.func.count()).where(Grant.role == name, Grant.revoked_at.is_(None))
    )
    if in_use:
        raise Conflict(f"仍有 {in_use} 项授权使用该角色，请先撤销")
    await ctx.session.execute(sa.delete(RolePermission).where(RolePermission.role == name))
    await ctx.session.delete(role)
    await ctx.session.flush()
    await ctx.audit("role.delete", "Role", name, root, before={"title": role.title})
    await notify_policy_changed(ctx.session, f"role.delete:{name}")
    return True


async def set_permission(
    ctx: Ctx, *, role: str, obj: Obj, act: Act, allowed: bool, approved: bool = False
) -> RoleView:
    """Add (`allowed`) or remove the policy line `p, role, obj, act`. Adding to a role the
    caller holds, where it gives them something new, needs a second admin (`approved`)."""
    root = await _require_policy(ctx, Act.MANAGE)
    await _role(ctx, role)
    if allowed and not approved:
        require_no_widening(ctx.policy, ctx.principal, lines=[(role, obj.value, act.value)])
    line = {"role": role, "object": obj.value, "action": act.value}
    if allowed:
        stmt: Any = (
            sa.dialects.postgresql.insert(RolePermission).values(**line).on_conflict_do_nothing()
        )
    else:
        stmt = sa.delete(RolePermission).filter_by(**line)
    # DML answers a CursorResult (the session's signature says only Result).
    changed = cast("sa.CursorResult[Any]", await ctx.session.execute(stmt)).rowcount
    if changed:
        action = "policy.add" if allowed else "policy.remove"
        await ctx.audit(
            action,
            "PolicyLine",
            f"{role}:{obj.value}:{act.value}",
            root,
            before=None if allowed else line,
            after=line if allowed else None,
        )
        await notify_policy_changed(ctx.session, f"{action}:{role}")
    views = [r for r in await list_roles(ctx) if r.name == role]
    return views[0]


# ---------------------------------------------------------------- grants


def _grant_snapshot(g: Grant) -> dict[str, Any]:
    return {"user_id": g.user_id, "role": g.role, "org_id": g.org_id, "org_path": g.org_path}


async def grant(ctx: Ctx, *, user_id: int, role: str, org_id: int) -> Grant:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.GRANT, org.path)
    await _role(ctx, role)
    user = await ctx.session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("用户不存在或已停用")
    require_may_give(ctx.policy, ctx.principal, role, org.path, user_id)
    row = Grant(
        user_id=user_id,
        role=role,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
        granted_by=ctx.principal.user_id,
    )
    ctx.session.add(row)
    await ctx.flush_or_conflict("该用户在此组织已有同一角色")
    await ctx.audit("grant.create", "Grant", row.id, org.path, after=_grant_snapshot(row))
    return row


async def revoke(ctx: Ctx, grant_id: int) -> Grant:
    row = await ctx.load(Grant, grant_id, Act.MANAGE, Obj.GRANT, for_update=True)
    if row.revoked_at is not None:
        raise Conflict("该授权已被撤销")
    row.revoked_at = sa.func.now()
    row.revoked_by = ctx.principal.user_id
    await ctx.session.flush()
    await ctx.session.refresh(row)
    await ctx.audit("grant.revoke", "Grant", row.id, row.org_path, before=_grant_snapshot(row))
    return row


async def get_grant(ctx: Ctx, grant_id: int) -> Grant:
    row = await ctx.load(Grant, grant_id, Act.VIEW, Obj.GRANT)
    return row


async def list_grants(
    ctx: Ctx,
    *,
    under: int | None = None,
    user_id: int | None = None,
    role: str | None = None,
    include_revoked: bool = False,
    first: int | None = None,
    after: str | None = None,
    delegated: bool | None = None,
) -> Page[Grant]:
    ctx.scope(Act.VIEW, Obj.GRANT)
    stmt = sa.select(Grant).where(ctx.readable(Grant))
    stmt = await orgs.within(ctx, stmt, Grant.org_path, under)
    if user_id is not None:
        stmt = stmt.where(Grant.user_id == user_id)
    if role:
        stmt = stmt.where(Grant.role == role)
    if not include_revoked:
        stmt = stmt.where(Grant.revoked_at.is_(None))
    if delegated is not None:  # delegations (代管) are grants given by someone acting for
        is_delegation = Grant.delegated_by.is_not(None)
        stmt = stmt.where(is_delegation if delegated else ~is_delegation)
    return await ctx.page(stmt, Grant.id, first, after)


# ---------------------------------------------------------------- what the caller may name

ABOVE_YOUR_LEVEL = "另有高于你管理层级的授权（不显示姓名、授权和角色）"


def may_name(ctx: Ctx, user_id: int, g: GrantRef) -> bool:
    """The Grant rule of authz/visibility.py, for a grant already in memory."""
    return user_id == ctx.principal.user_id or ctx.scope(
        Act.VIEW, Obj.GRANT, required=False
    ).covers(g.org_path)


@dataclass(frozen=True)
class Explanation:
    allowed: bool
    reason: str
    grant_id: int | None
    line: PolicyLine | None
    considered: tuple[GrantRef, ...]
    held_above: bool  # grants above the caller's level cover the org (not named)


async def explain(ctx: Ctx, *, user_id: int, act: Act, obj: Obj, org_id: int) -> Explanation:
    """Would `user` be allowed (act, obj) at `org`, and which grant and policy line decide it?
    Only grants the caller may see are named; what is held above them is said, not shown."""
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.VIEW, Obj.GRANT, org.path)
    rows = await ctx.session.execute(
        sa.select(Grant.id, Grant.role, Grant.org_id, Grant.org_path, Grant.delegated_by).where(
            Grant.user_id == user_id, Grant.org_path.ancestor_of(org.path), active_grant(Grant)
        )
    )
    covering = tuple(GrantRef(*r) for r in rows)
    shown = tuple(g for g in covering if may_name(ctx, user_id, g))
    above = len(shown) < len(covering)
    decision = decide(ctx.policy, Principal(user_id=user_id, grants=shown), act, obj, org.path)
    if decision.allowed:
        assert decision.grant is not None
        reason = (
            f"授权 #{decision.grant.id}（角色 {decision.grant.role}，授予于组织 "
            f"#{decision.grant.org_id}）覆盖该组织，策略行「{decision.line}」允许此操作"
        )
    elif decide(
        ctx.policy, Principal(user_id=user_id, grants=covering), act, obj, org.path
    ).allowed:
        return Explanation(True, f"允许：由{ABOVE_YOUR_LEVEL}决定", None, None, shown, True)
    elif not covering:
        reason = "该用户没有任何覆盖此组织的授权（授权只覆盖其所在组织及下级，不覆盖上级和同级）"
    else:
        roles = "、".join(sorted({g.role for g in shown})) or "无"
        reason = f"覆盖此组织的角色（{roles}）都没有「{obj.value}:{act.value}」权限" + (
            f"；{ABOVE_YOUR_LEVEL}，也不允许" if above else ""
        )
    return Explanation(
        decision.allowed,
        reason,
        decision.grant.id if decision.grant else None,
        decision.line,
        shown,
        above,
    )
