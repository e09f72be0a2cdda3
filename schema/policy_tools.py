"""Who can, what can, previews, delegation, guarded fields, policy documents."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from authz import Act, Obj
from models import FieldGrant as FieldGrantRow
from models import PolicyChangeRequest as ChangeRequestRow
from models import User as UserRow
from resolvers import policy_approval, policy_tools
from resolvers.policy import ABOVE_YOUR_LEVEL
from resolvers.policy_tools import Change, Diff
from schema.context import Info
from schema.enums import domain_enum
from schema.orgs import Org, visible_org
from schema.relay import (
    After,
    Connection,
    First,
    Node,
    Under,
    connection,
    opt_pk,
    pk,
    to_global_id,
)


@strawberry.type(description="持有某项权限的人，及其依据的授权")
class RightHolder:
    user_id: strawberry.ID = strawberry.field(description="持有人账号的全局 ID")
    name: str = strawberry.field(description="持有人显示名")
    grant_id: strawberry.ID = strawberry.field(description="依据的授权的全局 ID")
    role: str = strawberry.field(description="授权的角色名（如 county_admin）")
    grant_org_id: strawberry.ID = strawberry.field(
        description="授权所在团组织的全局 ID（权限覆盖它的整个子树）"
    )
    delegated_by: strawberry.ID | None = strawberry.field(description="代管：代表哪位委托人")

    @classmethod
    def of(cls, h: policy_tools.Holder) -> RightHolder:
        return cls(
            user_id=to_global_id("User", h.user_id),
            name=h.name,
            grant_id=to_global_id("Grant", h.grant_id),
            role=h.role,
            grant_org_id=to_global_id("Org", h.grant_org_id),
            delegated_by=to_global_id("User", h.delegated_by) if h.delegated_by else None,
        )


ABOVE = "高于你管理层级的授权：只说有，不显示姓名、授权和角色"


@strawberry.type(
    name="FieldGrant",
    description="字段例外授权：允许某人在某子树查看某受保护字段（如手机号），到期或撤销后失效",
)
class FieldGrant(Node):
    row: strawberry.Private[FieldGrantRow]
    object: Obj = strawberry.field(description="受保护字段所属的对象")
    field: str = strawberry.field(description="受保护字段（如 mobile）")
    minors: bool = strawberry.field(description="是否包括未成年人的该字段")
    reason: str = strawberry.field(description="授予理由")
    created_at: datetime = strawberry.field(description="授予时间")
    ends_at: datetime | None = strawberry.field(description="到期时间；为空则长期有效")
    revoked_at: datetime | None = strawberry.field(description="撤销时间；未撤销为空")

    @classmethod
    def of(cls, r: FieldGrantRow) -> FieldGrant:
        return cls(
            id=to_global_id("FieldGrant", r.id),
            row=r,
            object=Obj(r.object),
            field=r.field,
            minors=r.minors,
            reason=r.reason,
            created_at=r.created_at,
            ends_at=r.ends_at,
            revoked_at=r.revoked_at,
        )

    @strawberry.field(description="例外适用的子树（团组织）")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="获得例外的账号 ID（你可查看该账号时；否则为空）")
    async def grantee_id(self, info: Info) -> strawberry.ID | None:
        user = await info.context.ctx.visible(UserRow).load(self.row.user_id)
        return to_global_id("User", user.id) if user else None

    @strawberry.field(description="获得例外的账号的显示名（你可查看该账号时）")
    async def user_name(self, info: Info) -> str | None:
        user = await info.context.ctx.visible(UserRow).load(self.row.user_id)
        return user.display_name if user else None


@strawberry.type(description="持有某项权限的人（按授权分页；totalCount 为你可查看的持有人数）")
class WhoCanConnection(Connection[RightHolder]):
    held_above: bool = strawberry.field(
        description="另有高于你管理层级的授权也允许此操作（" + ABOVE + "）"
    )
    held_above_note: str | None = strawberry.field(description="held_above 的中文说明")


@strawberry.type(description="某人可及的子树")
class ReachableSubtree:
    org: Org = strawberry.field(description="子树的根组织")
    orgs: int = strawberry.field(description="子树中的组织数")
    objects: int | None = strawberry.field(
        description="子树中该类对象的记录数（角色与权限、指标等全局对象为空）"
    )
    held_above: bool = strawberry.field(
        description="此人在该子树的权限来自高于你管理层级的授权（" + ABOVE + "）"
    )


@strawberry.type(description="一项权利：账号 × 操作 × 对象 × 子树")
class RightChange:
    user_id: strawberry.ID = strawberry.field(description="账号的全局 ID")
    action: Act = strawberry.field(description="操作")
    object: Obj = strawberry.field(description="权限对象")
    subtree: Org | None = strawberry.field(
        description="权利所及子树的根组织；你看不到该组织时为 null"
    )
    user_pk: strawberry.Private[int]

    @strawberry.field(description="该账号的显示名（客户端显示“谁”获得或失去）")
    async def user_name(self, info: Info) -> str | None:
        user = await info.context.ctx.visible(UserRow).load(self.user_pk)
        return user.display_name if user else None


@strawberry.type(description="策略变更的影响：获得与失去的权利")
class PolicyDiff:
    gained_count: int = strawberry.field(description="获得的权利总数（含未逐项列出的）")
    lost_count: int = strawberry.field(description="失去的权利总数（含未逐项列出的）")
    gained: list[RightChange] = strawberry.field(description="获得的权利（最多列 500 项）")
    lost: list[RightChange] = strawberry.field(description="失去的权利（最多列 500 项）")
    hidden_count: int = strawberry.field(
        description="在你可查看授权的范围之外（高于你的管理层级）变化的权利数，不逐项显示"
    )
    hidden_note: str | None = strawberry.field(description="hidden_count 的中文说明")


class ChangeKind(Enum):
    ADD_GRANT = "ADD_GRANT"
    REVOKE_GRANT = "REVOKE_GRANT"
    ADD_PERMISSION = "ADD_PERMISSION"
    REMOVE_PERMISSION = "REMOVE_PERMISSION"


domain_enum(
    ChangeKind,
    "ChangeKind",
    "变更类型",
    ADD_GRANT="授权：在某团组织给某账号某角色",
    REVOKE_GRANT="撤销一项授权",
    ADD_PERMISSION="给角色增加一项权限（操作 × 对象）",
    REMOVE_PERMISSION="从角色去掉一项权限",
)


@strawberry.input(description="一项拟议的变更")
class PolicyChangeInput:
    kind: ChangeKind = strawberry.field(description="变更类型")
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="账号的全局 ID（ADD_GRANT 必填）"
    )
    role: str | None = strawberry.field(
        default=None, description="角色名（ADD_GRANT、ADD_PERMISSION、REMOVE_PERMISSION 必填）"
    )
    org_id: strawberry.ID | None = strawberry.field(
        default=None, description="授权所在团组织的全局 ID（ADD_GRANT 必填）"
    )
    grant_id: strawberry.ID | None = strawberry.field(
        default=None, description="要撤销的授权的全局 ID（REVOKE_GRANT 必填）"
    )
    object: Obj | None = strawberry.field(
        default=None, description="权限对象（ADD_PERMISSION、REMOVE_PERMISSION 必填）"
    )
    action: Act | None = strawberry.field(
        default=None, description="操作（ADD_PERMISSION、REMOVE_PERMISSION 必填）"
    )


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


class PolicyChangeRequestKind(Enum):
    ADD_PERMISSION = "ADD_PERMISSION"
    SET_FIELD_RULE = "SET_FIELD_RULE"
    GRANT_FIELD_ACCESS = "GRANT_FIELD_ACCESS"
    IMPORT_POLICY = "IMPORT_POLICY"


domain_enum(
    PolicyChangeRequestKind,
    "PolicyChangeRequestKind",
    "变更申请的类型",
    ADD_PERMISSION="给角色增加一项权限",
    SET_FIELD_RULE="设置角色对受保护字段的可见范围",
    GRANT_FIELD_ACCESS="受保护字段的例外授权",
    IMPORT_POLICY="导入策略文件",
)


class PolicyChangeRequestStatus(Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


domain_enum(
    PolicyChangeRequestStatus,
    "PolicyChangeRequestStatus",
    "变更申请的状态",
    PENDING="待另一位权限管理员批准",
    APPROVED="已批准并生效",
    REJECTED="已驳回，未生效",
)


@strawberry.input(description="一项会扩大提出人自身权限、须由另一位权限管理员批准的变更")
class PolicyChangeRequestInput:
    kind: PolicyChangeRequestKind = strawberry.field(description="申请的类型，决定下面哪些字段必填")
    role: str | None = strawberry.field(
        default=None, description="角色名（ADD_PERMISSION、SET_FIELD_RULE 用）"
    )
    object: Obj | None = strawberry.field(
        default=None,
        description="权限对象（ADD_PERMISSION、SET_FIELD_RULE、GRANT_FIELD_ACCESS 用）",
    )
    action: Act | None = strawberry.field(default=None, description="操作（ADD_PERMISSION 用）")
    field: str | None = strawberry.field(
        default=None,
        description="受保护字段名，如 mobile、birth_date（SET_FIELD_RULE、GRANT_FIELD_ACCESS 用）",
    )
    max_distance: int | None = strawberry.field(
        default=None,
        description="层级距离 0–99：授权组织以下几级之内可见（SET_FIELD_RULE 用；为空则删除规则）",
    )
    minors: bool = strawberry.field(
        default=False,
        description="是否也可看未成年小伙伴的该字段（SET_FIELD_RULE、GRANT_FIELD_ACCESS 用）",
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="获得例外授权的账号（GRANT_FIELD_ACCESS 用）"
    )
    org_id: strawberry.ID | None = strawberry.field(
        default=None, description="例外授权覆盖的团组织子树（GRANT_FIELD_ACCESS 用）"
    )
    reason: str | None = strawberry.field(
        default=None, description="例外授权的理由（GRANT_FIELD_ACCESS 必填，记入审计）"
    )
    ends_at: datetime | None = strawberry.field(
        default=None,
        description="例外授权的失效时间（GRANT_FIELD_ACCESS 可选；不给则长期有效，直到撤销）",
    )
    document: JSON | None = strawberry.field(
        default=None, description="策略文件（IMPORT_POLICY 用，格式同 exportPolicy 的结果）"
    )

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


@strawberry.type(description="变更申请所申请的内容；只有该类变更用到的字段有值，其余为 null")
class RequestedChange:
    role: str | None = strawberry.field(description="角色（ADD_PERMISSION、SET_FIELD_RULE）")
    object: Obj | None = strawberry.field(description="对象")
    action: Act | None = strawberry.field(description="操作（ADD_PERMISSION）")
    field: str | None = strawberry.field(description="受保护字段（如 mobile、birth_date）")
    max_distance: int | None = strawberry.field(description="字段规则：向下几层内可见")
    minors: bool | None = strawberry.field(description="字段规则或例外授权是否含未成年人")
    user_id: strawberry.ID | None = strawberry.field(description="例外授权给哪个账号")
    org_id: strawberry.ID | None = strawberry.field(description="例外授权所在的团组织")
    reason: str | None = strawberry.field(description="例外授权的理由")
    ends_at: datetime | None = strawberry.field(description="例外授权的到期时间；不限期为 null")
    document: JSON | None = strawberry.field(
        description="IMPORT_POLICY：要导入的策略文件（与 exportPolicy 的格式相同，本身就是 JSON 文档）"
    )

    @classmethod
    def of(cls, p: dict[str, Any]) -> RequestedChange:
        def opt(key: str, make: Any) -> Any:
            return make(p[key]) if p.get(key) is not None else None

        return cls(
            role=p.get("role"),
            object=opt("object", Obj),
            action=opt("action", Act),
            field=p.get("field"),
            max_distance=p.get("max_distance"),
            minors=p.get("minors"),
            user_id=opt("user_id", lambda u: to_global_id("User", u)),
            org_id=opt("org_id", lambda o: to_global_id("Org", o)),
            reason=p.get("reason"),
            ends_at=opt("ends_at", datetime.fromisoformat),
            document=opt("document", JSON),
        )


@strawberry.type(description="导入策略文件的结果：导入后的条数")
class PolicyImportResult:
    roles: int = strawberry.field(description="文件中的角色数（新增或更新）")
    permissions: int = strawberry.field(description="导入后的权限条数")
    field_rules: int = strawberry.field(description="导入后的字段规则条数")


@strawberry.type(description="策略变更申请（双人复核）：另一位权限管理员批准后才生效")
class PolicyChangeRequest(Node):
    kind: PolicyChangeRequestKind = strawberry.field(description="申请的类型")
    summary: str = strawberry.field(description="变更内容的中文摘要")
    change: RequestedChange = strawberry.field(description="申请的内容（按类型给出的各项）")
    status: PolicyChangeRequestStatus = strawberry.field(description="状态：待批准、已批准或已驳回")
    requested_by: strawberry.ID = strawberry.field(description="提出人账号的全局 ID")
    requested_at: datetime = strawberry.field(description="提出时间")
    decided_by: strawberry.ID | None = strawberry.field(
        description="批准或驳回人账号的全局 ID；待批准时为 null"
    )
    decided_at: datetime | None = strawberry.field(description="批准或驳回时间；待批准时为 null")
    note: str = strawberry.field(description="批准或驳回时的说明（可为空字符串）")

    @classmethod
    def of(cls, r: ChangeRequestRow) -> PolicyChangeRequest:
        return cls(
            id=to_global_id("PolicyChangeRequest", r.id),
            kind=PolicyChangeRequestKind(r.kind),
            summary=r.summary,
            change=RequestedChange.of(r.payload),
            status=PolicyChangeRequestStatus(r.status),
            requested_by=to_global_id("User", r.requested_by),
            requested_at=r.requested_at,
            decided_by=to_global_id("User", r.decided_by) if r.decided_by else None,
            decided_at=r.decided_at,
            note=r.note,
        )


@strawberry.type
class PolicyToolsQuery:
    @strawberry.field(description="字段例外授权（需要 policy:view；只列你可查看策略的子树内的）")
    async def field_grants(
        self,
        info: Info,
        under: Under = None,
        user_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="只列该账号的")
        ] = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="是否包括已撤销的")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[FieldGrant]:
        page = await policy_tools.list_field_grants(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            user_id=opt_pk(user_id, "User"),
            include_revoked=include_revoked,
            first=first,
            after=after,
        )
        return connection(page, FieldGrant.of)

    @strawberry.field(description="策略变更申请（需要根组织的 policy:view），默认只列待批准的")
    async def policy_change_requests(
        self,
        info: Info,
        status: Annotated[
            PolicyChangeRequestStatus | None,
            strawberry.argument(description="只看这个状态的；默认 PENDING，传 null 看全部"),
        ] = PolicyChangeRequestStatus.PENDING,
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
        action: Annotated[Act, strawberry.argument(description="操作")],
        object: Annotated[Obj, strawberry.argument(description="权限对象")],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="在哪个团组织（全局 ID）执行")
        ],
        first: First = None,
        after: After = None,
    ) -> WhoCanConnection:
        found = await policy_tools.who_can(
            info.context.ctx, action, object, pk(org_id, "Org"), first=first, after=after
        )
        page = connection(found.holders, RightHolder.of)
        return WhoCanConnection(
            page=page.page,
            items=page.items,
            held_above=found.held_above,
            held_above_note=ABOVE_YOUR_LEVEL + "也允许此操作" if found.held_above else None,
        )

    @strawberry.field(
        description="某账号能在哪些子树对某对象执行某操作（只显示你可查看授权的范围）"
    )
    async def what_can(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="要查看的账号（全局 ID）")
        ],
        action: Annotated[Act, strawberry.argument(description="操作")],
        object: Annotated[Obj, strawberry.argument(description="权限对象")],
        first: First = None,
        after: After = None,
    ) -> Connection[ReachableSubtree]:
        page = await policy_tools.what_can(
            info.context.ctx, pk(user_id, "User"), action, object, first=first, after=after
        )
        return connection(
            page,
            lambda r: ReachableSubtree(
                org=Org.of(r.org), orgs=r.orgs, objects=r.objects, held_above=r.held_above
            ),
        )

    @strawberry.field(description="预览一组策略或授权变更：谁获得、谁失去哪些权利，不做任何修改")
    async def preview_policy_change(
        self,
        info: Info,
        changes: Annotated[
            list[PolicyChangeInput],
            strawberry.argument(description="拟议的变更（1–200 项），按顺序叠加计算"),
        ],
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
        self,
        info: Info,
        input: Annotated[PolicyChangeRequestInput, strawberry.argument(description="申请的内容")],
    ) -> PolicyChangeRequest:
        row = await policy_approval.request(info.context.ctx, input.kind.value, input.payload())
        return PolicyChangeRequest.of(row)

    @strawberry.mutation(description="批准他人的策略变更申请（即刻生效，以你的名义执行并审计）")
    async def approve_policy_change(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="变更申请的全局 ID（不能批准自己提出的）"),
        ],
        note: Annotated[str, strawberry.argument(description="批准说明（可选）")] = "",
    ) -> PolicyChangeRequest:
        return await _decided(info, id, approve=True, note=note)

    @strawberry.mutation(description="驳回他人的策略变更申请")
    async def reject_policy_change(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="变更申请的全局 ID")],
        note: Annotated[str, strawberry.argument(description="驳回理由（可选）")] = "",
    ) -> PolicyChangeRequest:
        return await _decided(info, id, approve=False, note=note)

    @strawberry.mutation(description="一次应用一组变更（同一事务），返回与预览相同的差异")
    async def apply_policy_change(
        self,
        info: Info,
        changes: Annotated[
            list[PolicyChangeInput],
            strawberry.argument(description="要应用的变更（1–200 项），全部成功或全部不生效"),
        ],
    ) -> PolicyDiff:
        return await _diff(info, await policy_tools.apply(info.context.ctx, _changes(changes)))

    @strawberry.mutation(
        description="代管：把自己在某组织持有的某角色权限临时委托给他人，到期自动失效"
    )
    async def delegate_role(
        self,
        info: Info,
        to_user_id: Annotated[
            strawberry.ID, strawberry.argument(description="代管人账号的全局 ID")
        ],
        role: Annotated[
            str, strawberry.argument(description="委托的角色名（须是你在该组织持有的角色）")
        ],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="委托的授权所在团组织（全局 ID）")
        ],
        starts_at: Annotated[datetime, strawberry.argument(description="代管开始时间")],
        ends_at: Annotated[
            datetime,
            strawberry.argument(description="代管结束时间（到期自动失效），须晚于开始时间"),
        ],
        note: Annotated[str, strawberry.argument(description="说明（可选）")] = "",
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
        role: Annotated[str, strawberry.argument(description="角色名")],
        object: Annotated[Obj, strawberry.argument(description="权限对象（如 YOUTH）")],
        field: Annotated[
            str, strawberry.argument(description="受保护字段名，如 mobile、birth_date")
        ],
        max_distance: Annotated[
            int | None,
            strawberry.argument(
                description="层级距离 0–99：授权组织以下几级之内可见；为空则删除这条规则"
            ),
        ] = None,
        minors: Annotated[
            bool, strawberry.argument(description="是否也可看未成年小伙伴的该字段（默认否）")
        ] = False,
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
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="获得例外授权的账号（全局 ID）")
        ],
        object: Annotated[Obj, strawberry.argument(description="权限对象（如 YOUTH）")],
        field: Annotated[
            str, strawberry.argument(description="受保护字段名，如 mobile、birth_date")
        ],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="例外授权覆盖的团组织子树（全局 ID）")
        ],
        reason: Annotated[str, strawberry.argument(description="理由（必填，记入审计）")],
        minors: Annotated[
            bool, strawberry.argument(description="是否也可看未成年小伙伴的该字段（默认否）")
        ] = False,
        ends_at: Annotated[
            datetime | None, strawberry.argument(description="失效时间（可选；不给则直到撤销）")
        ] = None,
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
    async def revoke_field_access(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="例外授权的全局 ID（grantFieldAccess 的返回值）"),
        ],
    ) -> bool:
        return (
            await policy_tools.revoke_field_grant(info.context.ctx, pk(id, "FieldGrant"))
        ).revoked_at is not None

    @strawberry.mutation(
        description="导入策略文件（替换权限与字段规则；需要根组织的 policy:manage）"
    )
    async def import_policy(
        self,
        info: Info,
        document: Annotated[
            JSON, strawberry.argument(description="策略文件，格式同 exportPolicy 的结果")
        ],
    ) -> PolicyImportResult:
        counts = await policy_tools.import_document(info.context.ctx, document)
        return PolicyImportResult(
            roles=counts["roles"],
            permissions=counts["permissions"],
            field_rules=counts["field_rules"],
        )
