"""Logging in and out, and `me`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import schema.enums  # noqa: F401
from models import ClientKind
from models import User as UserRow
from resolvers import accounts, people
from resolvers.accounts import AuthResult
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.people import Cadre, Youth
from schema.relay import to_global_id


@strawberry.type(name="User", description="登录账号")
class User:
    id: strawberry.ID = strawberry.field(description="账号的全局 ID")
    display_name: str = strawberry.field(description="显示名（一般为姓名）")
    username: str | None = strawberry.field(
        description="用户名（团干部以用户名和密码登录）；只用手机号登录的小伙伴为 null"
    )
    last_login_at: datetime | None = strawberry.field(
        description="最近一次登录时间；从未登录为 null"
    )

    @classmethod
    def of(cls, row: UserRow) -> User:
        return cls(
            id=to_global_id("User", row.id),
            display_name=row.display_name,
            username=row.username,
            last_login_at=row.last_login_at,
        )


@strawberry.type(description="当前授权（角色 @ 组织），随请求实时读取")
class MyGrant:
    id: strawberry.ID = strawberry.field(description="授权的全局 ID")
    role: str = strawberry.field(description="角色名（如 county_admin、cadre）")
    org_id: strawberry.ID = strawberry.field(
        description="授权所在团组织的全局 ID",
        deprecation_reason="用 org { id }：org 给出团组织本身（看不到时为 null）",
    )
    org_pk: strawberry.Private[int]
    delegated_by: strawberry.Private[int | None]

    @strawberry.field(description="授权所在的团组织（客户端据此显示“在哪里”）")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_pk)

    @strawberry.field(
        description="该角色在此子树允许的操作，形如 work:view（客户端据此显示菜单与按钮）"
    )
    def permissions(self, info: Info) -> list[str]:
        return accounts.role_permissions(info.context.ctx, self.role)

    @strawberry.field(description="是否为代管（他人临时委托）的授权")
    def delegated(self) -> bool:
        return self.delegated_by is not None


@strawberry.type(description="当前登录者")
class Me:
    user: User = strawberry.field(description="登录账号")
    grants: list[MyGrant] = strawberry.field(description="当前有效的授权（含代管）；小伙伴为空列表")
    cadre_id: strawberry.Private[int | None]
    youth_id: strawberry.Private[int | None]

    @strawberry.field(description="若为团干部，其团干部信息")
    async def cadre(self, info: Info) -> Cadre | None:
        if self.cadre_id is None:
            return None
        return Cadre.of(await people.get_cadre(info.context.ctx, self.cadre_id))

    @strawberry.field(description="若为小伙伴，其本人信息")
    async def youth(self, info: Info) -> Youth | None:
        if self.youth_id is None:
            return None
        return Youth.of(await people.get_youth(info.context.ctx, self.youth_id))


@strawberry.type(
    description="登录结果：访问令牌放在 Authorization: Bearer 头中；刷新令牌只能使用一次"
)
class AuthPayload:
    access_token: str = strawberry.field(
        description="访问令牌（JWT）：请求时放在 Authorization: Bearer 头中"
    )
    access_token_expires_at: datetime = strawberry.field(
        description="访问令牌的失效时间（默认签发后 15 分钟）；失效后用刷新令牌换新"
    )
    refresh_token: str = strawberry.field(
        description="刷新令牌：只能用一次（refreshToken 变更），请妥善保存"
    )
    refresh_token_expires_at: datetime = strawberry.field(
        description="刷新令牌的失效时间（默认 30 天）；失效后须重新登录"
    )

    @classmethod
    def of(cls, r: AuthResult) -> AuthPayload:
        return cls(
            access_token=r.access_token,
            access_token_expires_at=r.access_expires_at,
            refresh_token=r.refresh_token,
            refresh_token_expires_at=r.refresh_expires_at,
        )


@strawberry.type(description="验证码已受理（无论号码是否登记，回答都相同）")
class LoginCodeRequested:
    retry_after_seconds: int = strawberry.field(description="多少秒后才能再次请求验证码（默认 60）")


@strawberry.type
class AccountQuery:
    @strawberry.field(description="当前登录者；未登录时报 UNAUTHENTICATED")
    async def me(self, info: Info) -> Me:
        ctx = info.context.ctx
        user = await accounts.me(ctx)
        p = ctx.principal
        return Me(
            user=User.of(user),
            grants=[
                MyGrant(
                    id=to_global_id("Grant", g.id),
                    role=g.role,
                    org_id=to_global_id("Org", g.org_id),
                    org_pk=g.org_id,
                    delegated_by=g.delegated_by,
                )
                for g in p.grants
            ],
            cadre_id=p.cadre_id,
            youth_id=p.youth_id,
        )


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="团干部用用户名和密码登录；连续失败会被暂时锁定")
    async def login(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="用户名")],
        password: Annotated[str, strawberry.argument(description="密码")],
        client: Annotated[
            ClientKind,
            strawberry.argument(
                description="登录所用的客户端（默认 WEB）；此次登录写入的日志记下它，用于统计手机端使用"
            ),
        ] = ClientKind.WEB,
    ) -> AuthPayload:
        return AuthPayload.of(await accounts.login(info.context.ctx, username, password, client))

    @strawberry.mutation(description="向手机号发送登录验证码")
    async def request_login_code(
        self,
        info: Info,
        mobile: Annotated[
            str,
            strawberry.argument(description="手机号（11 位中国大陆号码，可带 +86、空格或连字符）"),
        ],
    ) -> LoginCodeRequested:
        wait = await accounts.request_login_code(info.context.ctx, mobile)
        return LoginCodeRequested(retry_after_seconds=wait)

    @strawberry.mutation(description="小伙伴用手机号和验证码登录")
    async def login_with_code(
        self,
        info: Info,
        mobile: Annotated[str, strawberry.argument(description="手机号（与请求验证码时相同）")],
        code: Annotated[
            str,
            strawberry.argument(
                description="短信收到的验证码（默认 6 位，5 分钟内有效，最多试 5 次）"
            ),
        ],
        client: Annotated[
            ClientKind, strawberry.argument(description="登录所用的客户端（默认 MOBILE）")
        ] = ClientKind.MOBILE,
    ) -> AuthPayload:
        return AuthPayload.of(
            await accounts.login_with_code(info.context.ctx, mobile, code, client)
        )

    @strawberry.mutation(
        description="用刷新令牌换一对新令牌；旧刷新令牌随即失效，重复使用将注销整个登录"
    )
    async def refresh_token(
        self,
        info: Info,
        refresh_token: Annotated[
            str, strawberry.argument(description="登录或上次刷新得到的刷新令牌")
        ],
    ) -> AuthPayload:
        return AuthPayload.of(await accounts.refresh(info.context.ctx, refresh_token))

    @strawberry.mutation(
        description="退出当前登录（everywhere=true 时退出所有设备）；返回注销的会话数"
    )
    async def logout(
        self,
        info: Info,
        everywhere: Annotated[
            bool,
            strawberry.argument(
                description="true 退出所有设备上的登录；默认 false 只退出当前这一个"
            ),
        ] = False,
    ) -> int:
        return await accounts.logout(info.context.ctx, everywhere=everywhere)
