"""Roles, permissions and grants: how the provincial committee decides who may do what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import schema.enums  # noqa: F401
from authz import Act, GrantRef, Obj, PolicyLine
from models import Grant as GrantRow
from models import User as UserRow
from resolvers import policy
from resolvers.policy import RoleView
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


@strawberry.type(description="策略行 p, role, object, action：角色在被授予的组织子树内可做的事")
class Permission:
    object: Obj = strawberry.field(description="权限对象")
    action: Act = strawberry.field(description="操作")
    line: str = strawberry.field(description="策略行原文，形如 p, county_admin, work, view")

    @classmethod
    def of(cls, p: PolicyLine) -> Permission:
        return cls(object=Obj(p.object), action=Act(p.action), line=str(p))


@strawberry.type(description="角色模板")
class Role:
    name: str = strawberry.field(
        description="角色名（英文标识，如 county_admin），授权与策略行用它"
    )
    title: str = strawberry.field(description="角色的中文名称（如“县级团委管理员”）")
    description: str = strawberry.field(description="角色说明（可为空字符串）")
    is_builtin: bool = strawberry.field(description="是否为内置角色（内置角色不能删除）")
    permissions: list[Permission] = strawberry.field(description="角色拥有的权限")

    @classmethod
    def of(cls, r: RoleView) -> Role:
        return cls(
            name=r.name,
            title=r.title,
            description=r.description,
            is_builtin=r.is_builtin,
            permissions=[Permission.of(p) for p in r.permissions],
        )


@strawberry.type(
    name="Grant",
    description="授权 g, user, role, org：角色在该组织及其全部下级有效，不及上级与同级",
)
class Grant(Node):
    row: strawberry.Private[GrantRow]
    role: str = strawberry.field(description="角色名")
    user_id: strawberry.ID = strawberry.field(description="获得授权的账号的全局 ID")
    created_at: datetime = strawberry.field(description="授予时间")
    revoked_at: datetime | None = strawberry.field(description="撤销时间；有效的授权为 null")

    @classmethod
    def of(cls, row: GrantRow) -> Grant:
        return cls(
            id=to_global_id("Grant", row.id),
            row=row,
            role=row.role,
            user_id=to_global_id("User", row.user_id),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )

    @strawberry.field(description="授予所在的团组织")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="代管（委托）的开始时间；自有授权为空")
    def starts_at(self) -> datetime | None:
        return self.row.starts_at

    @strawberry.field(description="代管（委托）的结束时间，到期自动失效；自有授权为空")
    def ends_at(self) -> datetime | None:
        return self.row.ends_at

    @strawberry.field(description="代管时，委托人的账号 ID；自有授权为空")
    async def delegated_by(self, info: Info) -> strawberry.ID | None:
        by = self.row.delegated_by
        if by is None or await info.context.ctx.visible(UserRow).load(by) is None:
            return None  # a delegator the caller may not name
        return to_global_id("User", by)

    @strawberry.field(description="该账号的显示名")
    async def user_name(self, info: Info) -> str | None:
        user = await info.context.ctx.visible(UserRow).load(self.row.user_id)
        return user.display_name if user else None


@strawberry.type(description="覆盖目标组织的一项授权")
class GrantSummary:
    grant_id: strawberry.ID = strawberry.field(description="授权的全局 ID")
    role: str = strawberry.field(description="角色名")
    org_id: strawberry.ID = strawberry.field(description="授权所在团组织的全局 ID")

    @classmethod
    def of(cls, g: GrantRef) -> GrantSummary:
        return cls(
            grant_id=to_global_id("Grant", g.id), role=g.role, org_id=to_global_id("Org", g.org_id)
        )


@strawberry.type(description="权限判定的解释：是否允许，以及起决定作用的授权和策略行")
class Explanation:
    allowed: bool = strawberry.field(description="是否允许")
    reason: str = strawberry.field(description="中文说明：允许的依据，或不允许的原因")
    grant_id: strawberry.ID | None = strawberry.field(
        description="起决定作用的授权的全局 ID；不允许或你无权查看该授权时为 null"
    )
    policy_line: str | None = strawberry.field(
        description="起决定作用的策略行原文；不允许时为 null"
    )
    covering_grants: list[GrantSummary] = strawberry.field(description="覆盖该组织、你可查看的授权")
    held_above: bool = strawberry.field(
        description="另有高于你管理层级的授权覆盖该组织（只说有，不显示姓名、授权和角色）"
    )


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="全部角色模板及其权限（需要 policy:view）")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.of(r) for r in await policy.list_roles(info.context.ctx)]

    @strawberry.field(description="一项授权")
    async def grant(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="授权的全局 ID")],
    ) -> Grant:
        return Grant.of(await policy.get_grant(info.context.ctx, pk(id, "Grant")))

    @strawberry.field(description="你有权查看的授权，可限定子树、账号、角色")
    async def grants(
        self,
        info: Info,
        under: Under = None,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="只看这个账号的（全局 ID）；不给则全部"),
        ] = None,
        role: Annotated[
            str | None, strawberry.argument(description="只看这个角色的（角色名）；不给则全部")
        ] = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="true 连同已撤销的一起列；默认 false 只列有效的")
        ] = False,
        first: First = None,
        after: After = None,
        delegated: Annotated[
            bool | None,
            strawberry.argument(description="true 只列代管（委托）授权，false 只列自有授权"),
        ] = None,
    ) -> Connection[Grant]:
        page = await policy.list_grants(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            user_id=opt_pk(user_id, "User"),
            role=role,
            include_revoked=include_revoked,
            delegated=delegated,
            first=first,
            after=after,
        )
        return connection(page, Grant.of)

    @strawberry.field(
        description="解释：某账号能否在某组织对某对象执行某操作，由哪项授权和策略行决定"
    )
    async def explain(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="要解释的账号（全局 ID）")
        ],
        action: Annotated[Act, strawberry.argument(description="操作")],
        object: Annotated[Obj, strawberry.argument(description="权限对象")],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="在哪个团组织（全局 ID）执行")
        ],
    ) -> Explanation:
        e = await policy.explain(
            info.context.ctx,
            user_id=pk(user_id, "User"),
            act=action,
            obj=object,
            org_id=pk(org_id, "Org"),
        )
        return Explanation(
            allowed=e.allowed,
            reason=e.reason,
            grant_id=to_global_id("Grant", e.grant_id) if e.grant_id else None,
            policy_line=str(e.line) if e.line else None,
            covering_grants=[GrantSummary.of(g) for g in e.considered],
            held_above=e.held_above,
        )


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="新建角色模板（需要在根组织的 policy:manage）")
    async def create_role(
        self,
        info: Info,
        name: Annotated[
            str,
            strawberry.argument(
                description="角色名：3–40 个小写英文字母、数字或下划线，以字母开头，全局唯一"
            ),
        ],
        title: Annotated[str, strawberry.argument(description="角色的中文名称")],
        description: Annotated[str, strawberry.argument(description="角色说明（可选）")] = "",
    ) -> Role:
        return Role.of(
            await policy.create_role(
                info.context.ctx, name=name, title=title, description=description
            )
        )

    @strawberry.mutation(description="删除未被使用的自定义角色")
    async def delete_role(
        self,
        info: Info,
        name: Annotated[
            str, strawberry.argument(description="角色名（内置角色和仍有有效授权的角色不能删除）")
        ],
    ) -> bool:
        return await policy.delete_role(info.context.ctx, name)

    @strawberry.mutation(description="给角色加一条权限 p, role, object, action；立即对所有实例生效")
    async def add_permission(
        self,
        info: Info,
        role: Annotated[str, strawberry.argument(description="角色名")],
        object: Annotated[Obj, strawberry.argument(description="权限对象")],
        action: Annotated[Act, strawberry.argument(description="操作")],
    ) -> Role:
        return Role.of(
            await policy.set_permission(
                info.context.ctx, role=role, obj=object, act=action, allowed=True
            )
        )

    @strawberry.mutation(description="从角色去掉一条权限")
    async def remove_permission(
        self,
        info: Info,
        role: Annotated[str, strawberry.argument(description="角色名")],
        object: Annotated[Obj, strawberry.argument(description="权限对象")],
        action: Annotated[Act, strawberry.argument(description="操作")],
    ) -> Role:
        return Role.of(
            await policy.set_permission(
                info.context.ctx, role=role, obj=object, act=action, allowed=False
            )
        )

    @strawberry.mutation(
        description="在某组织授予账号一个角色（覆盖该组织整个子树；需要 grant:manage）"
    )
    async def grant_role(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="获得授权的账号（全局 ID）")
        ],
        role: Annotated[str, strawberry.argument(description="角色名")],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="授权所在的团组织（全局 ID）")
        ],
    ) -> Grant:
        row = await policy.grant(
            info.context.ctx, user_id=pk(user_id, "User"), role=role, org_id=pk(org_id, "Org")
        )
        return Grant.of(row)

    @strawberry.mutation(description="撤销授权；从下一次请求起生效")
    async def revoke_grant(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="授权的全局 ID")],
    ) -> Grant:
        return Grant.of(await policy.revoke(info.context.ctx, pk(id, "Grant")))
