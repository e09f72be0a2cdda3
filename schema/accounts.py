"""Logging in and out, and `me`."""

from __future__ import annotations

from datetime import datetime

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
    id: strawberry.ID
    display_name: str
    username: str | None
    last_login_at: datetime | None

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
    id: strawberry.ID
    role: str
    org_id: strawberry.ID
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
    user: User
    grants: list[MyGrant]
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
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime

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
    retry_after_seconds: int


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
        self, info: Info, username: str, password: str, client: ClientKind = ClientKind.WEB
    ) -> AuthPayload:
        return AuthPayload.of(await accounts.login(info.context.ctx, username, password, client))

    @strawberry.mutation(description="向手机号发送登录验证码")
    async def request_login_code(self, info: Info, mobile: str) -> LoginCodeRequested:
        wait = await accounts.request_login_code(info.context.ctx, mobile)
        return LoginCodeRequested(retry_after_seconds=wait)

    @strawberry.mutation(description="小伙伴用手机号和验证码登录")
    async def login_with_code(
        self, info: Info, mobile: str, code: str, client: ClientKind = ClientKind.MOBILE
    ) -> AuthPayload:
        return AuthPayload.of(
            await accounts.login_with_code(info.context.ctx, mobile, code, client)
        )

    @strawberry.mutation(
        description="用刷新令牌换一对新令牌；旧刷新令牌随即失效，重复使用将注销整个登录"
    )
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthPayload:
        return AuthPayload.of(await accounts.refresh(info.context.ctx, refresh_token))

    @strawberry.mutation(
        description="退出当前登录（everywhere=true 时退出所有设备）；返回注销的会话数"
    )
    async def logout(self, info: Info, everywhere: bool = False) -> int:
        return await accounts.logout(info.context.ctx, everywhere=everywhere)
