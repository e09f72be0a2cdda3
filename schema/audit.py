"""审计日志."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers import audit
from resolvers.audit import EntryView
from schema.context import Info
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, to_global_id


@strawberry.type(name="AuditEntry", description="审计日志条目（只增不改）")
class AuditEntry(Node):
    at: datetime = strawberry.field(description="发生时间")
    actor_user_id: strawberry.ID | None = strawberry.field(
        description="操作人；高于你管理层级（或在你范围之外）的人不显示"
    )
    acting_for_user_id: strawberry.ID | None = strawberry.field(
        description="代管：操作人代表的委托人（同样只显示你范围内的人）"
    )
    request_id: str | None = strawberry.field(
        description="产生这条记录的请求 ID（与响应头 X-Request-ID 相同）；系统任务为 null"
    )
    action: str = strawberry.field(
        description="操作，形如 实体.动作（如 wish.accept、grant.revoke）"
    )
    entity_type: str = strawberry.field(description="被操作对象的类型（如 Wish、Grant）")
    entity_id: str = strawberry.field(description="被操作对象的编号")
    before: JSON | None = strawberry.field(description="操作前的值（JSON 文档）；新建时为 null")
    after: JSON | None = strawberry.field(description="操作后的值（JSON 文档）；删除时可为 null")
    above_your_level: bool = strawberry.field(
        description="条目涉及高于你管理层级的人，其账号已隐去（操作人或前后快照中的账号）"
    )
    above_your_level_note: str | None = strawberry.field(description="above_your_level 的中文说明")

    @classmethod
    def of(cls, v: EntryView) -> AuditEntry:
        r = v.row
        return cls(
            id=to_global_id("AuditEntry", r.id),
            at=r.at,
            actor_user_id=to_global_id("User", v.actor_user_id) if v.actor_user_id else None,
            acting_for_user_id=to_global_id("User", v.acting_for_user_id)
            if v.acting_for_user_id
            else None,
            request_id=r.request_id,
            action=r.action,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            before=None if v.before is None else JSON(v.before),
            after=None if v.after is None else JSON(v.after),
            above_your_level=v.above_your_level,
            above_your_level_note="涉及高于你管理层级的人员，不显示其账号"
            if v.above_your_level
            else None,
        )


@strawberry.type(description="哈希链的一处断裂")
class AuditChainBreak:
    kind: str = strawberry.field(
        description="altered 条目被改 / deleted 条目被删 / link 链接不连续 / unsealed 条目未入链 / head 链尾被截"
    )
    seq: int | None = strawberry.field(description="在链中的位置（按封链顺序）")
    entry_id: strawberry.ID | None = strawberry.field(
        description="断裂处的审计条目全局 ID；条目已不存在时为 null"
    )
    acknowledged_by_seq: int | None = strawberry.field(
        description="已由该位置的新纪元条目确认（youthlink audit-epoch）；为空即未确认"
    )


@strawberry.type(description="审计日志哈希链校验结果")
class AuditChainCheck:
    ok: bool = strawberry.field(description="没有未经确认的断裂")
    checked: int = strawberry.field(description="校验过的条目数")
    first_bad_id: strawberry.ID | None = strawberry.field(description="第一处未确认断裂的条目")
    breaks: list[AuditChainBreak] = strawberry.field(description="每一处断裂，按链中顺序")


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="校验审计日志哈希链（需要根组织的 audit:view）：任何被改动、删除或插入的行都会暴露"
    )
    async def verify_audit_chain(self, info: Info) -> AuditChainCheck:
        c = await audit.verify(info.context.ctx)
        return AuditChainCheck(
            ok=c.ok,
            checked=c.checked,
            first_bad_id=to_global_id("AuditEntry", c.first_bad_id) if c.first_bad_id else None,
            breaks=[
                AuditChainBreak(
                    kind=b.kind,
                    seq=b.seq,
                    entry_id=to_global_id("AuditEntry", b.entry_id) if b.entry_id else None,
                    acknowledged_by_seq=b.acknowledged_by,
                )
                for b in c.breaks
            ],
        )

    @strawberry.field(description="你有权查看的审计日志（需要 audit:view），新的在后")
    async def audit_log(
        self,
        info: Info,
        under: Under = None,
        entity_type: Annotated[
            str | None, strawberry.argument(description="只看这类对象的（如 Wish）；不给则全部")
        ] = None,
        action: Annotated[
            str | None,
            strawberry.argument(description="只看这个操作的（如 wish.accept）；不给则全部"),
        ] = None,
        actor_user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="只看这个账号做的（全局 ID）；不给则全部"),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AuditEntry]:
        page = await audit.list_entries(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            entity_type=entity_type,
            action=action,
            actor_user_id=opt_pk(actor_user_id, "User"),
            first=first,
            after=after,
        )
        return connection(page, AuditEntry.of)
