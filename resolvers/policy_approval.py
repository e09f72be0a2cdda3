"""Four-eyes (双人复核): a policy change that would widen its maker's own rights is refused
with NEEDS_SECOND_APPROVAL; its maker files it as a change request, and another policy admin
approves it (which makes the change, in that admin's name) or rejects it. All audited.

Whether a change widens someone's own rights is decided in `authz.escalation`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj
from authz.errors import NEEDS_SECOND_APPROVAL, BadInput, Conflict, Forbidden, NotFound
from models import PolicyChangeRequest, Role
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.pagination import Page

KINDS = ("ADD_PERMISSION", "SET_FIELD_RULE", "GRANT_FIELD_ACCESS", "IMPORT_POLICY")
STATUSES = ("PENDING", "APPROVED", "REJECTED")


async def _require_admin(ctx: Ctx, act: Act) -> str:
    root = await orgs.root_path(ctx)
    ctx.authorize_global(act, Obj.POLICY, root)
    return root


def _summary(kind: str, p: dict[str, Any]) -> str:
    if kind == "ADD_PERMISSION":
        return f"给角色 {p['role']} 增加权限 {p['object']}:{p['action']}"
    if kind == "SET_FIELD_RULE":
        minors = "含未成年人" if p["minors"] else "不含未成年人"
        return (
            f"角色 {p['role']} 查看 {p['object']}.{p['field']}：下级 {p['max_distance']} 层内，"
            f"{minors}"
        )
    if kind == "GRANT_FIELD_ACCESS":
        return (
            f"例外授权：账号 #{p['user_id']} 在组织 #{p['org_id']} 查看 {p['object']}.{p['field']}"
        )
    return "导入策略文件（替换权限与字段规则）"


def _payload(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Only the keys each kind needs, present and of the right type."""
    need = {
        "ADD_PERMISSION": ("role", "object", "action"),
        "SET_FIELD_RULE": ("role", "object", "field", "max_distance", "minors"),
        "GRANT_FIELD_ACCESS": ("user_id", "object", "field", "org_id", "minors", "reason"),
        "IMPORT_POLICY": ("document",),
    }[kind]
    missing = [k for k in need if raw.get(k) is None]
    if missing:
        raise BadInput(f"此类变更须给出：{'、'.join(missing)}", field="input")
    payload = {k: raw[k] for k in need}
    if kind == "GRANT_FIELD_ACCESS":
        payload["ends_at"] = raw.get("ends_at")
    return payload


async def request(ctx: Ctx, kind: str, raw: dict[str, Any]) -> PolicyChangeRequest:
    """File a change for a second policy admin's approval (nothing changes yet)."""
    root = await _require_admin(ctx, Act.MANAGE)
    if kind not in KINDS:
        raise BadInput(f"未知的变更类型：{kind}", field="kind")
    payload = _payload(kind, raw)
    await _check(ctx, kind, payload)
    row = PolicyChangeRequest(
        kind=kind,
        payload=payload,
        summary=_summary(kind, payload),
        requested_by=ctx.principal.user_id,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    await ctx.audit(
        "policy.change_request",
        "PolicyChangeRequest",
        row.id,
        root,
        after={"kind": kind, "summary": row.summary},
    )
    return row


async def _check(ctx: Ctx, kind: str, p: dict[str, Any]) -> None:
    """What can be told now is told now, not when a second admin approves."""
    from resolvers import policy_tools

    try:
        if kind == "IMPORT_POLICY":
            policy_tools.parse_document(p["document"])
            return
        obj = Obj(p["object"])
        if kind == "ADD_PERMISSION":
            Act(p["action"])
        elif (obj.value, p["field"]) not in policy_tools.GUARDED:
            raise BadInput("不是受保护字段", field="field")
    except ValueError:
        raise BadInput("对象或操作无效", field="input") from None
    if kind != "GRANT_FIELD_ACCESS" and await ctx.session.get(Role, p["role"]) is None:
        raise NotFound(f"角色 {p['role']} 不存在")


async def list_requests(
    ctx: Ctx, *, status: str | None, first: int | None, after: str | None
) -> Page[PolicyChangeRequest]:
    await _require_admin(ctx, Act.VIEW)
    stmt = sa.select(PolicyChangeRequest)
    if status:
        stmt = stmt.where(PolicyChangeRequest.status == status)
    return await ctx.page(stmt, PolicyChangeRequest.id, first, after)


async def _pending(ctx: Ctx, request_id: int) -> tuple[str, PolicyChangeRequest]:
    root = await _require_admin(ctx, Act.MANAGE)
    row = await ctx.session.get(PolicyChangeRequest, request_id, with_for_update=True)
    if row is None:
        raise NotFound("变更申请不存在")
    if row.status != "PENDING":
        raise Conflict("该变更申请已处理")
    if row.requested_by == ctx.principal.user_id:
        raise Forbidden(
            "不能批准或驳回自己提出的变更申请，须由另一位权限管理员处理",
            reason=NEEDS_SECOND_APPROVAL,
        )
    return root, row


async def decide(
    ctx: Ctx, request_id: int, *, approve: bool, note: str = ""
) -> PolicyChangeRequest:
    """Another policy admin approves (and so makes the change, as themself) or rejects."""
    root, row = await _pending(ctx, request_id)
    note = clean_text(note, "意见", max_len=500, required=False)
    if approve:
        await _make(ctx, row.kind, row.payload)
    row.status = "APPROVED" if approve else "REJECTED"
    row.decided_by, row.decided_at, row.note = ctx.principal.user_id, datetime.now(UTC), note
    await ctx.session.flush()
    await ctx.audit(
        f"policy.change_request.{'approve' if approve else 'reject'}",
        "PolicyChangeRequest",
        row.id,
        root,
        before={"status": "PENDING", "requested_by": row.requested_by},
        after={"status": row.status, "note": note},
    )
    return row


async def _make(ctx: Ctx, kind: str, p: dict[str, Any]) -> None:
    from resolvers import policy, policy_tools

    if kind == "ADD_PERMISSION":
        await policy.set_permission(
            ctx,
            role=p["role"],
            obj=Obj(p["object"]),
            act=Act(p["action"]),
            allowed=True,
            approved=True,
        )
    elif kind == "SET_FIELD_RULE":
        await policy_tools.set_field_rule(
            ctx,
            role=p["role"],
            obj=Obj(p["object"]),
            field=p["field"],
            max_distance=p["max_distance"],
            minors=p["minors"],
            approved=True,
        )
    elif kind == "GRANT_FIELD_ACCESS":
        ends = datetime.fromisoformat(p["ends_at"]) if p.get("ends_at") else None
        await policy_tools.grant_field(
            ctx,
            user_id=p["user_id"],
            obj=Obj(p["object"]),
            field=p["field"],
            org_id=p["org_id"],
            minors=p["minors"],
            reason=p["reason"],
            ends_at=ends,
            approved=True,
        )
    else:
        await policy_tools.import_document(ctx, p["document"], approved=True)
