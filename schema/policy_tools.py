"""Who can, what can, previews, delegation, guarded fields, policy documents."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from authz import Act, Obj
from models import PolicyChangeRequest as ChangeRequestRow
from models import User as UserRow
from resolvers import policy_approval, policy_tools
from resolvers.policy import ABOVE_YOUR_LEVEL
from resolvers.policy_tools import Change, Diff
from schema.context import Info
from schema.orgs import Org
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    connection,
    from_global_id,
    opt_pk,
    pk,
    to_global_id,
)


@strawberry.type(description="持有某项权限的人，及其依据的授权")
class RightHolder:
    user_id: strawberry.ID
    name: str
    grant_id: strawberry.ID
    role: str
    grant_org_id: strawberry.ID
    delegated_by: strawberry.ID | None = strawberry.field(description="代管：代表哪位委托人")


ABOVE = "高于你管理层级的授权：只说有，不显示姓名、授权和角色"


@strawberry.type
class WhoCanPage:
    total_count: int = strawberry.field(description="你可查看的持有人数")
    holders: list[RightHolder]
    end_cursor: str | None
    held_above: bool = strawberry.field(
        description="另有高于你管理层级的授权也允许此操作（" + ABOVE + "）"
    )
    held_above_note: str | None = strawberry.field(description="held_above 的中文说明")


@strawberry.type(description="某人可及的子树")
class ReachableSubtree:
    org: Org
    orgs: int = strawberry.field(description="子树中的组织数")
    objects: int | None = strawberry.field(
        description="子树中该类对象的记录数（角色与权限、指标等全局对象为空）"
    )
    held_above: bool = strawberry.field(
        description="此人在该子树的权限来自高于你管理层级的授权（" + ABOVE + "）"
    )


@strawberry.type(description="某人可及的子树，按组织分页")
class WhatCanPage:
    total_count: int
    subtrees: list[ReachableSubtree]
    end_cursor: str | None


@strawberry.type(description="一项权利：账号 × 操作 × 对象 × 子树")
class RightChange:
    user_id: strawberry.ID
    action: Act
    object: Obj
    subtree: Org | None
    user_pk: strawberry.Private[int]

    @strawberry.field(description="该账号的显示名（客户端显示“谁”获得或失去）")
    async def user_name(self, info: Info) -> str | None:
        user = await info.context.ctx.visible(UserRow).load(self.user_pk)
        return user.display_name if user else None


@strawberry.type(description="策略变更的影响：获得与失去的权利")
class PolicyDiff:
    gained_count: int
    lost_count: int
    gained: list[RightChange]
    lost: list[RightChange]
    hidden_count: int = strawberry.field(
        description="在你可查看授权的范围之外（高于你的管理层级）变化的权利数，不逐项显示"
    )
    hidden_note: str | None = strawberry.field(description="hidden_count 的中文说明")


@strawberry.enum(description="变更类型")
class ChangeKind(Enum):
    ADD_GRANT = "ADD_GRANT"
    REVOKE_GRANT = "REVOKE_GRANT"
    ADD_PERMISSION = "ADD_PERMISSION"
    REMOVE_PERMISSION = "REMOVE_PERMISSION"


@strawberry.input(description="一项拟议的变更")
class PolicyChangeInput:
    kind: ChangeKind
    user_id: strawberry.ID | None = None
    role: str | None = None
    org_id: strawberry.ID | None = None
    grant_id: strawberry.ID | None = None
    object: Obj | None = None
    action: Act | None = None


def _changes(items: list[PolicyChangeInput]) -> list[Change]:
    if not 1 <= len(items) <= 200:
        from authz.errors import BadInput

        raise BadInput("一次预览 1–200 项变更", field="changes")
    return [
        Change(
            kind=c.kind.value,
            user_id=opt_pk(c.user_id, "User"),
            role=c.role,
            org_id=opt_pk(c.org_id, "Org"),
            grant_id=opt_pk(c.grant_id, "Grant"),
            obj=c.object.value if c.object else None,
            act=c.action.value if c.action else None,
        )
        for c in items
    ]


async def _diff(info: Info, d: Diff, limit: int = 500) -> PolicyDiff:
    from sqlalchemy import select

    from models import Org as OrgRow

    paths = {r[3] for r in d.gained[:limit] + d.lost[:limit]}
    rows = (
        (await info.context.ctx.session.scalars(select(OrgRow).where(OrgRow.path.in_(paths)))).all()
        if paths
        else []
    )
    by_path = {o.path: o for o in rows}

    def conv(r):
        o = by_path.get(r[3])
        return RightChange(
            user_id=to_global_id("User", r[0]),
            user_pk=r[0],
            action=Act(r[1]),
            object=Obj(r[2]),
            subtree=Org.of(o) if o else None,
        )

    return PolicyDiff(
        gained_count=len(d.gained),
        lost_count=len(d.lost),
        gained=[conv(r) for r in d.gained[:limit]],
        lost=[conv(r) for r in d.lost[:limit]],
        hidden_count=d.hidden,
        hidden_note=f"另有 {d.hidden} 项权利变化在你可查看授权的范围之外，不逐项显示"
        if d.hidden
        else None,
    )


@strawberry.enum(description="变更申请的类型")
class PolicyChangeRequestKind(Enum):
    ADD_PERMISSION = "ADD_PERMISSION"
    SET_FIELD_RULE = "SET_FIELD_RULE"
    GRANT_FIELD_ACCESS = "GRANT_FIELD_ACCESS"
    IMPORT_POLICY = "IMPORT_POLICY"


@strawberry.enum(description="变更申请的状态")
class PolicyChangeRequestStatus(Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.input(description="一项会扩大提出人自身权限、须由另一位权限管理员批准的变更")
class PolicyChangeRequestInput:
    kind: PolicyChangeRequestKind
    role: str | None = None
    object: Obj | None = None
    action: Act | None = None
    field: str | None = None
    max_distance: int | None = None
    minors: bool = False
    user_id: strawberry.ID | None = None
    org_id: strawberry.ID | None = None
    reason: str | None = None
    ends_at: datetime | None = None
    document: JSON | None = None

    def payload(self) -> dict:
        return {
            "role": self.role,
            "object": self.object.value if self.object else None,
            "action": self.action.value if self.action else None,
            "field": self.field,
            "max_distance": self.max_distance,
            "minors": self.minors,
            "user_id": opt_pk(self.user_id, "User"),
            "org_id": opt_pk(self.org_id, "Org"),
            "reason": self.reason,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "document": self.document,
        }


@strawberry.type(description="策略变更申请（双人复核）：另一位权限管理员批准后才生效")
class PolicyChangeRequest(Node):
    kind: PolicyChangeRequestKind
    summary: str
    payload: JSON
    status: PolicyChangeRequestStatus
    requested_by: strawberry.ID
    requested_at: datetime
    decided_by: strawberry.ID | None
    decided_at: datetime | None
    note: str

    @classmethod
    def of(cls, r: ChangeRequestRow) -> PolicyChangeRequest:
        return cls(
            id=to_global_id("PolicyChangeRequest", r.id),
            kind=PolicyChangeRequestKind(r.kind),
            summary=r.summary,
            payload=JSON(r.payload),
            status=PolicyChangeRequestStatus(r.status),
            requested_by=to_global_id("User", r.requested_by),
            requested_at=r.requested_at,
            decided_by=to_global_id("User", r.decided_by) if r.decided_by else None,
            decided_at=r.decided_at,
            note=r.note,
        )


@strawberry.type
class PolicyToolsQuery:
    @strawberry.field(description="策略变更申请（需要根组织的 policy:view），默认只列待批准的")
    async def policy_change_requests(
        self,
        info: Info,
        status: PolicyChangeRequestStatus | None = PolicyChangeRequestStatus.PENDING,
        first: First = None,
        after: After = None,
    ) -> Connection[PolicyChangeRequest]:
        page = await policy_approval.list_requests(
            info.context.ctx, status=status.value if status else None, first=first, after=after
        )
        return connection(page, PolicyChangeRequest.of)

    @strawberry.field(description="谁能在某组织对某对象执行某操作，及依据的授权（需要 grant:view）")
    async def who_can(
        self,
        info: Info,
        action: Act,
        object: Obj,
        org_id: strawberry.ID,
        first: First = None,
        after: After = None,
    ) -> WhoCanPage:
        page = await policy_tools.who_can(
            info.context.ctx,
            action,
            object,
            pk(org_id, "Org"),
            first=first,
            after=from_global_id(after, "Grant")[1] if after else None,
        )
        holders = page.holders
        return WhoCanPage(
            total_count=page.total,
            holders=[
                RightHolder(
                    user_id=to_global_id("User", h.user_id),
                    name=h.name,
                    grant_id=to_global_id("Grant", h.grant_id),
                    role=h.role,
                    grant_org_id=to_global_id("Org", h.grant_org_id),
                    delegated_by=to_global_id("User", h.delegated_by) if h.delegated_by else None,
                )
                for h in holders
            ],
            end_cursor=to_global_id("Grant", holders[-1].grant_id) if holders else None,
            held_above=page.held_above,
            held_above_note=ABOVE_YOUR_LEVEL + "也允许此操作" if page.held_above else None,
        )

    @strawberry.field(
        description="某账号能在哪些子树对某对象执行某操作（只显示你可查看授权的范围）"
    )
    async def what_can(
        self,
        info: Info,
        user_id: strawberry.ID,
        action: Act,
        object: Obj,
        first: First = None,
        after: After = None,
    ) -> WhatCanPage:
        reach, total = await policy_tools.what_can(
            info.context.ctx,
            pk(user_id, "User"),
            action,
            object,
            first=first,
            after=from_global_id(after, "Org")[1] if after else None,
        )
        return WhatCanPage(
            total_count=total,
            subtrees=[
                ReachableSubtree(
                    org=Org.of(r.org), orgs=r.orgs, objects=r.objects, held_above=r.held_above
                )
                for r in reach
            ],
            end_cursor=to_global_id("Org", reach[-1].org.id) if reach else None,
        )

    @strawberry.field(description="预览一组策略或授权变更：谁获得、谁失去哪些权利，不做任何修改")
    async def preview_policy_change(
        self, info: Info, changes: list[PolicyChangeInput]
    ) -> PolicyDiff:
        return await _diff(info, await policy_tools.preview(info.context.ctx, _changes(changes)))

    @strawberry.field(description="导出当前策略（角色、权限、字段规则），可审阅、备份、迁移")
    async def export_policy(self, info: Info) -> JSON:
        from authz import require_user

        require_user(info.context.ctx.principal)
        await policy_tools._require_policy_admin(info.context.ctx)
        return JSON(await policy_tools.export_policy(info.context.ctx.session))


async def _decided(
    info: Info, id: strawberry.ID, *, approve: bool, note: str
) -> PolicyChangeRequest:
    ctx = info.context.ctx
    row = await policy_approval.decide(
        ctx, pk(id, "PolicyChangeRequest"), approve=approve, note=note
    )
    return PolicyChangeRequest.of(row)


@strawberry.type
class PolicyToolsMutation:
    @strawberry.mutation(
        description="提交策略变更申请：会扩大你自己权限的变更须由另一位权限管理员批准"
    )
    async def request_policy_change(
        self, info: Info, input: PolicyChangeRequestInput
    ) -> PolicyChangeRequest:
        row = await policy_approval.request(info.context.ctx, input.kind.value, input.payload())
        return PolicyChangeRequest.of(row)

    @strawberry.mutation(description="批准他人的策略变更申请（即刻生效，以你的名义执行并审计）")
    async def approve_policy_change(
        self, info: Info, id: strawberry.ID, note: str = ""
    ) -> PolicyChangeRequest:
        return await _decided(info, id, approve=True, note=note)

    @strawberry.mutation(description="驳回他人的策略变更申请")
    async def reject_policy_change(
        self, info: Info, id: strawberry.ID, note: str = ""
    ) -> PolicyChangeRequest:
        return await _decided(info, id, approve=False, note=note)

    @strawberry.mutation(description="一次应用一组变更（同一事务），返回与预览相同的差异")
    async def apply_policy_change(self, info: Info, changes: list[PolicyChangeInput]) -> PolicyDiff:
        return await _diff(info, await policy_tools.apply(info.context.ctx, _changes(changes)))

    @strawberry.mutation(
        description="代管：把自己在某组织持有的某角色权限临时委托给他人，到期自动失效"
    )
    async def delegate_role(
        self,
        info: Info,
        to_user_id: strawberry.ID,
        role: str,
        org_id: strawberry.ID,
        starts_at: datetime,
        ends_at: datetime,
        note: str = "",
    ) -> strawberry.ID:
        g = await policy_tools.delegate(
            info.context.ctx,
            to_user_id=pk(to_user_id, "User"),
            role=role,
            org_id=pk(org_id, "Org"),
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
        )
        return to_global_id("Grant", g.id)

    @strawberry.mutation(
        description="设置某角色对受保护字段的可见范围（层级距离、是否含未成年人）；maxDistance 为空则删除"
    )
    async def set_field_rule(
        self,
        info: Info,
        role: str,
        object: Obj,
        field: str,
        max_distance: int | None = None,
        minors: bool = False,
    ) -> bool:
        row = await policy_tools.set_field_rule(
            info.context.ctx,
            role=role,
            obj=object,
            field=field,
            max_distance=max_distance,
            minors=minors,
        )
        return row is not None

    @strawberry.mutation(
        description="例外授权：允许某人在某子树查看某受保护字段（须说明理由，留审计）"
    )
    async def grant_field_access(
        self,
        info: Info,
        user_id: strawberry.ID,
        object: Obj,
        field: str,
        org_id: strawberry.ID,
        reason: str,
        minors: bool = False,
        ends_at: datetime | None = None,
    ) -> strawberry.ID:
        fg = await policy_tools.grant_field(
            info.context.ctx,
            user_id=pk(user_id, "User"),
            obj=object,
            field=field,
            org_id=pk(org_id, "Org"),
            minors=minors,
            reason=reason,
            ends_at=ends_at,
        )
        return to_global_id("FieldGrant", fg.id)

    @strawberry.mutation(description="撤销例外授权")
    async def revoke_field_access(self, info: Info, id: strawberry.ID) -> bool:
        return (
            await policy_tools.revoke_field_grant(info.context.ctx, pk(id, "FieldGrant"))
        ).revoked_at is not None

    @strawberry.mutation(
        description="导入策略文件（替换权限与字段规则；需要根组织的 policy:manage）"
    )
    async def import_policy(self, info: Info, document: JSON) -> JSON:
        return JSON(await policy_tools.import_document(info.context.ctx, document))
