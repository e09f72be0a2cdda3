"""Personal data (PIPL): consent, who holds my data, download, deletion."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from models import ContactStatus, DeletionStatus
from resolvers import privacy
from schema.context import Info
from schema.relay import After, Connection, First, connection, pk, to_global_id


@strawberry.type(description="隐私政策同意记录")
class ConsentRecord:
    policy_version: str = strawberry.field(description="同意的隐私政策版本（如 2026-11）")
    scope: str = strawberry.field(description="同意处理的个人信息范围（中文说明）")
    accepted_at: datetime = strawberry.field(description="同意时间")
    by_guardian: bool = strawberry.field(description="是否由监护人代为同意（未满 14 周岁时）")


@strawberry.type(description="联系我的团干部（持有我的个人信息）")
class HoldingCadre:
    name: str = strawberry.field(description="团干部姓名")
    org_name: str = strawberry.field(description="团干部所在团组织的名称")
    status: ContactStatus = strawberry.field(description="联系状态")


@strawberry.type(description="可查看我完整号码的角色，及其授权所在的团组织")
class HoldingRole:
    role: str = strawberry.field(description="角色名（如 county_admin）")
    org_name: str = strawberry.field(description="授权所在团组织的名称（在我的组织之上）")


@strawberry.type(description="一次对我个人信息的查看")
class PersonalDataReadEntry:
    by: str = strawberry.field(description="查看者的显示名")
    at: datetime = strawberry.field(description="查看时间")


@strawberry.type(description="谁持有我的个人信息")
class MyDataHolders:
    cadres: list[HoldingCadre] = strawberry.field(description="联系我的团干部（联系未结束的）")
    roles: list[HoldingRole] = strawberry.field(
        description="按规则可查看我完整号码的角色（在我的组织及其上级授予的）"
    )
    recent_reads: list[PersonalDataReadEntry] = strawberry.field(
        description="最近的查看记录（最多 50 条，新的在前）"
    )

    @classmethod
    def of(cls, h: privacy.Holders) -> MyDataHolders:
        return cls(
            cadres=[HoldingCadre(name=n, org_name=o, status=s) for n, o, s in h.cadres],
            roles=[HoldingRole(role=r, org_name=o) for r, o in h.roles],
            recent_reads=[PersonalDataReadEntry(by=b, at=at) for b, at in h.reads],
        )


@strawberry.type(description="个人信息删除申请")
class DeletionRequest:
    id: strawberry.ID = strawberry.field(description="删除申请的全局 ID")
    status: DeletionStatus = strawberry.field(description="状态：待处理或已删除")
    reason: str = strawberry.field(description="申请理由（可为空字符串）")
    requested_at: datetime = strawberry.field(description="申请时间")
    done_at: datetime | None = strawberry.field(description="完成删除的时间；待处理时为 null")


def _deletion(r) -> DeletionRequest:
    return DeletionRequest(
        id=to_global_id("DeletionRequest", r.id),
        status=DeletionStatus(r.status),
        reason=r.reason,
        requested_at=r.requested_at,
        done_at=r.done_at,
    )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="当前隐私政策版本")
    def privacy_policy_version(self) -> str:
        return privacy.POLICY_VERSION

    @strawberry.field(description="小伙伴：我对当前隐私政策的同意记录（未同意时为空）")
    async def my_consent(self, info: Info) -> ConsentRecord | None:
        ctx = info.context.ctx
        from authz import require_youth

        c = await privacy.current_consent(ctx.session, require_youth(ctx.principal))
        return (
            ConsentRecord(
                policy_version=c.policy_version,
                scope=c.scope,
                accepted_at=c.accepted_at,
                by_guardian=c.guardian_name is not None,
            )
            if c
            else None
        )

    @strawberry.field(
        description="小伙伴：谁持有我的个人信息（联系我的团干部、可查看完整号码的角色、最近的查看记录）"
    )
    async def my_data_holders(self, info: Info) -> MyDataHolders:
        return MyDataHolders.of(await privacy.holders(info.context.ctx))

    @strawberry.field(description="小伙伴：下载我的全部个人信息（JSON）")
    async def export_my_data(self, info: Info) -> JSON:
        return JSON(await privacy.export(info.context.ctx))

    @strawberry.field(description="个人信息删除申请（需要 youth:manage）")
    async def deletion_requests(
        self,
        info: Info,
        status: Annotated[
            DeletionStatus | None,
            strawberry.argument(description="只看这个状态的；不给则全部"),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[DeletionRequest]:
        page = await privacy.list_deletions(info.context.ctx, status, first=first, after=after)
        return connection(page, _deletion)


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="小伙伴同意隐私政策；未满 14 周岁须填写监护人")
    async def accept_privacy_policy(
        self,
        info: Info,
        policy_version: Annotated[
            str,
            strawberry.argument(
                description="同意的隐私政策版本，须是当前版本（privacyPolicyVersion）"
            ),
        ],
        birth_date: Annotated[
            date | None,
            strawberry.argument(
                description="出生日期（可选；据此判断是否未满 14 周岁，须由监护人同意）"
            ),
        ] = None,
        guardian_name: Annotated[
            str | None, strawberry.argument(description="监护人姓名（未满 14 周岁时必填）")
        ] = None,
        guardian_mobile: Annotated[
            str | None, strawberry.argument(description="监护人手机号（未满 14 周岁时必填）")
        ] = None,
    ) -> ConsentRecord:
        c = await privacy.accept(
            info.context.ctx,
            policy_version=policy_version,
            birth_date=birth_date,
            guardian_name=guardian_name,
            guardian_mobile=guardian_mobile,
        )
        return ConsentRecord(
            policy_version=c.policy_version,
            scope=c.scope,
            accepted_at=c.accepted_at,
            by_guardian=c.guardian_name is not None,
        )

    @strawberry.mutation(description="小伙伴申请删除个人信息")
    async def request_data_deletion(
        self,
        info: Info,
        reason: Annotated[str, strawberry.argument(description="申请理由（可选）")] = "",
    ) -> DeletionRequest:
        return _deletion(await privacy.request_deletion(info.context.ctx, reason))

    @strawberry.mutation(
        description="处理删除申请：匿名化该小伙伴并结束其登录与联系（需要 youth:manage）"
    )
    async def process_data_deletion(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="删除申请的全局 ID")],
    ) -> DeletionRequest:
        return _deletion(
            await privacy.process_deletion(info.context.ctx, pk(id, "DeletionRequest"))
        )
