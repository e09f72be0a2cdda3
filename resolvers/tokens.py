"""Access tokens (short-lived JWT) and refresh tokens (random, stored hashed, single use).

Tokens carry who and which session, never roles or grants: those are read per request, so
a revocation holds from the next request on."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import jwt

if TYPE_CHECKING:
    from app.settings import Settings

ALGORITHM = "HS256"


class TokenError(Exception):
    def __init__(self, reason: str) -> None:  # "expired" | "invalid"
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: uuid.UUID


def issue_access(settings: Settings, user_id: int, session_id: uuid.UUID) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "typ": "access",
        "iat": now,
        "exp": expires,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, settings.signing_secret, algorithm=ALGORITHM), expires


def read_access(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.signing_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "sid", "typ"]},
        )
        if claims["typ"] != "access":
            raise TokenError("invalid")
        return AccessClaims(int(claims["sub"]), uuid.UUID(claims["sid"]))
    except jwt.ExpiredSignatureError:
        raise TokenError("expired") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise TokenError("invalid") from None


def new_refresh_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_secret(raw)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
