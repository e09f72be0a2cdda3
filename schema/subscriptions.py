"""Live updates over WebSocket (graphql-transport-ws). Authorization holds exactly as for
queries: on every event the subscriber's principal is loaded again (a revoked login ends the
subscription) and the object is read through the same resolver, under the same rules."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from enum import Enum
from typing import Any

import strawberry

from authz import errors, load_principal, require_cadre, require_youth
from authz.errors import NotFound, Unauthenticated
from resolvers import reminders, voices, wishes
from resolvers.base import Ctx
from schema.context import Context, Info
from schema.enums import domain_enum
from schema.reminders import Reminder
from schema.youth_services import Voice, Wish


async def _fresh(context: Context) -> Ctx:
    """A new session, loaders and principal for one event; the previous session is closed
    as soon as its payload has gone out, so an idle subscription holds no connection."""
    old = context.ctx
    session = old.sessionmaker()  # type: ignore[misc]
    p = old.principal
    principal = await load_principal(session, p.user_id, p.session_id)  # type: ignore[arg-type]
    if not principal.is_authenticated:
        await session.close()
        raise Unauthenticated("登录已失效，订阅结束", reason=errors.TOKEN_REVOKED)
    context.ctx = Ctx(
        opened=session,
        principal=principal,
        policy=old.policy,
        settings=old.settings,
        sessionmaker=old.sessionmaker,
        request_id=old.request_id,
        limits=old.limits,
    )
    return context.ctx


async def _stream(
    info: Info,
    kinds: set[str],
    wanted: Callable[[dict[str, Any]], bool],
    load: Callable[[Ctx, dict[str, Any]], Awaitable[Any]],
) -> AsyncGenerator[Any, None]:
    context = info.context
    async with context.hub.subscribe() as queue:
        while True:
            event = await queue.get()
            if event.get("kind") not in kinds or not wanted(event):
                continue
            ctx = await _fresh(context)
            try:
                try:
                    item = await load(ctx, event)
                except NotFound:  # no longer theirs to see
                    continue
                yield item  # its fields resolve on this session while it is sent
            finally:
                # Also when the client goes away at this event (a phone leaves the page): the
                # generator is closed at the yield and must give its connection back.
                await ctx.close_session()


class InboxKind(Enum):
    VOICE = "VOICE"
    WISH = "WISH"
    REMINDER = "REMINDER"


domain_enum(
    InboxKind, "InboxKind", "收件箱条目类别", VOICE="青年之声", WISH="微心愿", REMINDER="到期提醒"
)


@strawberry.type(description="团干部收件箱的一条：新的或有变化的青年之声、心愿，或到期提醒")
class InboxItem:
    kind: InboxKind = strawberry.field(description="条目类别：青年之声、微心愿或到期提醒")
    voice: Voice | None = strawberry.field(description="kind 为 VOICE 时的青年之声，否则为 null")
    wish: Wish | None = strawberry.field(description="kind 为 WISH 时的微心愿，否则为 null")
    reminder: Reminder | None = strawberry.field(
        default=None, description="kind 为 REMINDER 时的到期提醒，否则为 null"
    )


@strawberry.type(
    description="订阅入口（GraphQL over WebSocket，graphql-transport-ws 协议）：实时推送变化"
)
class Subscription:
    @strawberry.subscription(description="小伙伴：我的心愿状态变化（在任一实例上发生都会送达）")
    async def my_wish_updates(self, info: Info) -> AsyncGenerator[Wish, None]:
        youth_id = require_youth(info.context.ctx.principal)

        async def load(ctx: Ctx, event: dict[str, Any]) -> Wish:
            return Wish.of(await wishes.get(ctx, event["id"]))

        async for item in _stream(info, {"wish"}, lambda e: e.get("youth_id") == youth_id, load):
            yield item

    @strawberry.subscription(description="团干部：发给我的新青年之声、心愿及其变化，和到期提醒")
    async def my_inbox(self, info: Info) -> AsyncGenerator[InboxItem, None]:
        cadre_id = require_cadre(info.context.ctx.principal)

        async def load(ctx: Ctx, event: dict[str, Any]) -> InboxItem:
            if event["kind"] == "reminder":
                row = await reminders.get(ctx, event["id"])
                return InboxItem(
                    kind=InboxKind.REMINDER, voice=None, wish=None, reminder=Reminder.of(row)
                )
            if event["kind"] == "voice":
                return InboxItem(
                    kind=InboxKind.VOICE,
                    voice=Voice.of(await voices.get(ctx, event["id"])),
                    wish=None,
                )
            return InboxItem(
                kind=InboxKind.WISH, voice=None, wish=Wish.of(await wishes.get(ctx, event["id"]))
            )

        async for item in _stream(
            info, {"voice", "wish", "reminder"}, lambda e: e.get("cadre_id") == cadre_id, load
        ):
            yield item
