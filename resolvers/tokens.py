"""Access tokens (short-lived JWT) and refresh tokens (random, stored hashed, single use).

Tokens carry who and which session, never roles or grants: those are read per request, so
a revocation holds from the next request on."""

from __future__ import annotations

import hashlib
import secrets
import time
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


# Tokens whose signature was checked, by (secret, token): a client sends the same token on
# every request for its lifetime, and checking it again (base64, JSON, HMAC, claims) was a
# tenth of a small request. Only the expiry is looked at again; whether its session still
# holds is read from the database on every request (load_principal), as before.
_VERIFIED: dict[tuple[str, str], tuple[AccessClaims, int]] = {}
_VERIFIED_MAX = 4096


def read_access(settings: Settings, token: str) -> AccessClaims:
    key = (settings.signing_secret, token)
    known = _VERIFIED.get(key)
    if known is not None:
        claims, expires = known
        if expires > time.time():  # PyJWT's rule: expired once exp <= now
            return claims
        _VERIFIED.pop(key, None)
        raise TokenError("expired")
    claims, expires = _verify(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (claims, expires)
    return claims


def _verify(settings: Settings, token: str) -> tuple[AccessClaims, int]:
    try:
        claims = jwt.decode(
            token,
            settings.signing_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "sid", "typ"]},
        )
        if claims["typ"] != "access":
            raise TokenError("invalid")
        return AccessClaims(int(claims["sub"]), uuid.UUID(claims["sid"])), int(claims["exp"])
    except jwt.ExpiredSignatureError:
        raise TokenError("expired") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise TokenError("invalid") from None


def new_refresh_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_secret(raw)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
