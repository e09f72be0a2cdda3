"""Logging in and out: cadres by username + password, youth by mobile + one-time code.

Unknown accounts and wrong secrets get the same answer, and both count toward the same
lockout, so the API tells nobody which usernames or numbers exist."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NoReturn

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert

from authz import Act, Obj, errors, require_user
from authz.errors import BadInput, RateLimited, Unauthenticated
from models import (
    AuthSession,
    ClientKind,
    Grant,
    LoginThrottle,
    OtpCode,
    RefreshToken,
    User,
    Youth,
)
from resolvers.base import Ctx, clean_mobile
from resolvers.sms import load_provider
from resolvers.tokens import hash_secret, issue_access, new_refresh_token

WRONG_LOGIN = "用户名或密码错误"
WRONG_CODE = "手机号或验证码错误"


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, the library's current recommended parameters


@lru_cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


async def hash_password(ctx: Ctx, password: str) -> str:
    """argon2id costs tens of milliseconds of CPU by design: in a worker thread, so the event
    loop goes on answering meanwhile."""
    if len(password or "") < 8 or password.isdigit() or password.isalpha():
        raise BadInput("密码至少 8 位，且须同时包含字母和数字", field="password")
    if len(password) > 128:
        raise BadInput("密码不能超过 128 位", field="password")
    return await asyncio.to_thread(_hasher().hash, password)


async def _verify(password_hash: str | None, password: str) -> bool:
    """In a worker thread, like hashing."""
    return await asyncio.to_thread(_verify_now, password_hash, password)


def _verify_now(password_hash: str | None, password: str) -> bool:
    try:
        # An unknown user is checked against a dummy hash: the same work, the same time.
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AuthResult:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: int
    session_id: uuid.UUID


# ---------------------------------------------------------------- throttling


async def _check_lock(ctx: Ctx, identifier: str) -> None:
    locked_until = await ctx.session.scalar(
        sa.select(LoginThrottle.locked_until).where(LoginThrottle.identifier == identifier)
    )
    now = datetime.now(UTC)
    if locked_until and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise RateLimited(f"尝试次数过多，请 {minutes} 分钟后再试", retry_after=minutes * 60)


async def _record_failure(ctx: Ctx, identifier: str) -> None:
    """Committed on its own: the failed login's transaction is rolled back."""
    s = ctx.settings
    lock = sa.case(
        (
            LoginThrottle.failures + 1 >= s.login_max_failures,
            sa.func.now() + sa.text(f"interval '{int(s.login_lock_minutes)} minutes'"),
        ),
        else_=None,
    )
    stmt = insert(LoginThrottle).values(
        identifier=identifier, failures=1, last_failure_at=sa.func.now()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.identifier],
        set_={
            # After a lock has run out, counting starts again.
            "failures": sa.case(
                (LoginThrottle.locked_until < sa.func.now(), 1), else_=LoginThrottle.failures + 1
            ),
            "locked_until": sa.case((LoginThrottle.locked_until < sa.func.now(), None), else_=lock),
            "last_failure_at": sa.func.now(),
        },
    )
    async with ctx.independent() as side:
        await side.execute(stmt)
        await side.commit()


def _address(ctx: Ctx) -> str:
    return f"login-failures:{ctx.client_ip or 'unknown'}"


async def _check_locks(ctx: Ctx, identifier: str) -> None:
    """The account (or number) has a lock (login_throttle, lifted by a success); the client
    address a window of failures whatever the username, in the shared limits."""
    await _check_lock(ctx, identifier)
    s = ctx.settings
    if ctx.limits is not None:
        wait = await ctx.limits.exceeded(
            _address(ctx), s.login_failures_per_address, s.login_lock_minutes * 60
        )
        if wait is not None:
            minutes = max(1, -(-wait // 60))
            raise RateLimited(f"尝试次数过多，请 {minutes} 分钟后再试", retry_after=wait)


async def _record_failures(ctx: Ctx, identifier: str) -> None:
    await _record_failure(ctx, identifier)
    s = ctx.settings
    if ctx.limits is not None:
        await ctx.limits.hit(_address(ctx), s.login_failures_per_address, s.login_lock_minutes * 60)


async def _clear_failures(ctx: Ctx, identifier: str) -> None:
    await ctx.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.identifier == identifier)
    )


# ---------------------------------------------------------------- sessions


async def _open_session(ctx: Ctx, user: User, client: ClientKind) -> AuthResult:
    session = AuthSession(id=uuid.uuid4(), user_id=user.id, client=client)
    ctx.session.add(session)
    user.last_login_at = datetime.now(UTC)
    await ctx.session.flush()
    return await _issue(ctx, user.id, session.id)


async def _issue(ctx: Ctx, user_id: int, session_id: uuid.UUID) -> AuthResult:
    raw, digest = new_refresh_token()
    refresh_expires = datetime.now(UTC) + timedelta(days=ctx.settings.refresh_token_days)
    ctx.session.add(
        RefreshToken(session_id=session_id, token_hash=digest, expires_at=refresh_expires)
    )
    await ctx.session.flush()
    access, access_expires = issue_access(ctx.settings, user_id, session_id)
    return AuthResult(access, access_expires, raw, refresh_expires, user_id, session_id)


async def login(ctx: Ctx, username: str, password: str, client: ClientKind) -> AuthResult:
    username = (username or "").strip().lower()
    if not username or not password:
        raise BadInput("请输入用户名和密码")
    identifier = f"u:{username[:60]}"
    await _check_locks(ctx, identifier)
    user = await ctx.session.scalar(
        sa.select(User).where(User.username == username, User.is_active)
    )
    if not await _verify(user.password_hash if user else None, password) or user is None:
        await _record_failures(ctx, identifier)
        raise Unauthenticated(WRONG_LOGIN, reason=errors.BAD_CREDENTIALS)
    await _clear_failures(ctx, identifier)
    return await _open_session(ctx, user, client)


async def request_login_code(ctx: Ctx, mobile: str) -> int:
    """Send a code if the number belongs to someone; answer the same either way.
    Returns the seconds before another code may be asked for."""
    mobile = clean_mobile(mobile)
    s = ctx.settings
    last = await ctx.session.scalar(
        sa.select(sa.func.max(OtpCode.created_at)).where(OtpCode.mobile == mobile)
    )
    now = datetime.now(UTC)
    if last and (now - last).total_seconds() < s.otp_resend_seconds:
        wait = s.otp_resend_seconds - int((now - last).total_seconds())
        raise RateLimited(f"验证码发送过于频繁，请 {wait} 秒后再试", retry_after=wait)
    await _cap_codes(ctx, mobile)
    code = "".join(secrets.choice("0123456789") for _ in range(s.otp_length))
    ctx.session.add(
        OtpCode(
            mobile=mobile,
            code_hash=hash_secret(f"{mobile}:{code}"),
            expires_at=now + timedelta(minutes=s.otp_ttl_minutes),
            address=ctx.client_ip or None,
        )
    )
    known = await ctx.session.scalar(
        sa.select(sa.literal(True)).where(
            sa.or_(
                sa.exists().where(Youth.mobile == mobile),
                sa.exists().where(User.mobile == mobile, User.is_active),
            )
        )
    )
    if known:
        text = f"【共青团1+100】您的登录验证码是 {code}，{s.otp_ttl_minutes} 分钟内有效。请勿泄露。"
        params = (code, str(s.otp_ttl_minutes))  # the template's {1} and {2}
        await load_provider(s).send(ctx.session, mobile, text, params)
    await ctx.session.flush()
    return s.otp_resend_seconds


async def _cap_codes(ctx: Ctx, mobile: str) -> None:
    """Codes cost money and pester people: capped per number a day and per address an hour,
    in the shared limits (every instance counts the same windows)."""
    s = ctx.settings
    if ctx.limits is None:
        return
    # The number is personal data: its window is kept under a keyed digest of it.
    number = hmac.new(s.signing_secret.encode(), mobile.encode(), "sha256").hexdigest()[:32]
    if wait := await ctx.limits.hit(f"otp-mobile:{number}", s.otp_per_mobile_per_day, 86_400):
        raise RateLimited("该号码今天获取验证码的次数已达上限", retry_after=wait)
    address = ctx.client_ip
    if address and (
        wait := await ctx.limits.hit(f"otp-address:{address}", s.otp_per_address_per_hour, 3600)
    ):
        raise RateLimited("获取验证码过于频繁，请稍后再试", retry_after=wait)


async def login_with_code(ctx: Ctx, mobile: str, code: str, client: ClientKind) -> AuthResult:
    mobile = clean_mobile(mobile)
    identifier = f"m:{mobile}"
    await _check_locks(ctx, identifier)
    otp = await ctx.session.scalar(
        sa.select(OtpCode)
        .where(
            OtpCode.mobile == mobile, OtpCode.used_at.is_(None), OtpCode.expires_at > sa.func.now()
        )
        .order_by(OtpCode.created_at.desc())
        .limit(1)
    )
    ok = (
        otp is not None
        and otp.attempts < ctx.settings.otp_max_attempts
        and hmac.compare_digest(otp.code_hash, hash_secret(f"{mobile}:{(code or '').strip()}"))
    )
    user = await _account_for_mobile(ctx, mobile) if ok else None
    if not ok or user is None:
        if otp is not None:
            async with ctx.independent() as side:
                await side.execute(
                    sa.update(OtpCode)
                    .where(OtpCode.id == otp.id)
                    .values(attempts=OtpCode.attempts + 1)
                )
                await side.commit()
        await _record_failures(ctx, identifier)
        raise Unauthenticated(WRONG_CODE, reason=errors.BAD_CREDENTIALS)
    assert otp is not None
    # Single use, also against a concurrent login with the same code.
    used = await ctx.session.execute(
        sa.update(OtpCode)
        .where(OtpCode.id == otp.id, OtpCode.used_at.is_(None))
        .values(used_at=sa.func.now())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Unauthenticated(WRONG_CODE, reason=errors.BAD_CREDENTIALS)
    await _clear_failures(ctx, identifier)
    return await _open_session(ctx, user, client)


async def _account_for_mobile(ctx: Ctx, mobile: str) -> User | None:
    """The youth's account, made on their first login; or a cadre's account by mobile."""
    youth = await ctx.session.scalar(sa.select(Youth).where(Youth.mobile == mobile))
    if youth is not None and youth.user_id is None:
        user = User(mobile=mobile, display_name=youth.name)
        ctx.session.add(user)
        await ctx.session.flush()
        youth.user_id = user.id
        ctx.session.add(
            Grant(
                user_id=user.id,
                role="youth",
                org_id=youth.org_id,
                org_path=youth.org_path,
                city_id=youth.city_id,
            )
        )
        await ctx.session.flush()
        return user
    if youth is not None:
        return await ctx.session.scalar(
            sa.select(User).where(User.id == youth.user_id, User.is_active)
        )
    return await ctx.session.scalar(sa.select(User).where(User.mobile == mobile, User.is_active))


async def refresh(ctx: Ctx, raw_token: str) -> AuthResult:
    """Rotate: a refresh token works once. A spent one presented again means it leaked:
    the whole session (its token family) is revoked."""
    digest = hash_secret(raw_token or "")
    # Compare-and-set: of two racing refreshes with one token, exactly one gets a row.
    spent = await ctx.session.execute(
        sa.update(RefreshToken)
        .where(
            RefreshToken.token_hash == digest,
            RefreshToken.used_at.is_(None),
            RefreshToken.expires_at > sa.func.now(),
        )
        .values(used_at=sa.func.now())
        .returning(RefreshToken.session_id)
    )
    session_id = spent.scalar_one_or_none()
    if session_id is None:
        await _refuse_refresh(ctx, digest)
    live = await ctx.session.execute(
        sa.update(AuthSession)
        .where(
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.user_id.in_(sa.select(User.id).where(User.is_active)),
        )
        .values(last_seen_at=sa.func.now())
        .returning(AuthSession.user_id)
    )
    user_id = live.scalar_one_or_none()
    if user_id is None:
        raise Unauthenticated("登录已失效，请重新登录", reason=errors.TOKEN_REVOKED)
    return await _issue(ctx, user_id, session_id)


async def _refuse_refresh(ctx: Ctx, digest: str) -> NoReturn:
    known = (
        await ctx.session.execute(
            sa.select(RefreshToken.session_id, RefreshToken.used_at).where(
                RefreshToken.token_hash == digest
            )
        )
    ).one_or_none()
    if known is None:
        raise Unauthenticated("刷新令牌无效，请重新登录", reason=errors.TOKEN_INVALID)
    if known.used_at is not None:
        # Reuse: revoke the family, committed apart from this (failing) request.
        async with ctx.independent() as side:
            await side.execute(
                sa.update(AuthSession)
                .where(AuthSession.id == known.session_id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=sa.func.now(), revoked_reason="refresh_reuse")
            )
            await side.commit()
        raise Unauthenticated(
            "刷新令牌已被使用，为安全起见本次登录已注销，请重新登录", reason=errors.TOKEN_REVOKED
        )
    raise Unauthenticated("登录已失效，请重新登录", reason=errors.TOKEN_REVOKED)


async def logout(ctx: Ctx, *, everywhere: bool = False) -> int:
    """Revoke this session (or all of the user's); returns how many were revoked."""
    user_id = require_user(ctx.principal)
    stmt = sa.update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if not everywhere:
        stmt = stmt.where(AuthSession.id == ctx.principal.session_id)
    result = await ctx.session.execute(
        stmt.values(revoked_at=sa.func.now(), revoked_reason="logout")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def me(ctx: Ctx) -> User:
    user_id = require_user(ctx.principal)
    user = await ctx.visible(User).load(user_id)
    if user is None:
        raise Unauthenticated()
    return user


def role_permissions(ctx: Ctx, role: str) -> list[str]:
    """What a role allows, as `object:action`, as the enforcer answers it: a client shows
    its menus and buttons from these (the server still decides every request)."""
    return sorted(
        f"{obj.value}:{act.value}"
        for obj in Obj
        for act in Act
        if ctx.policy.allows(role, obj.value, act.value)
    )
