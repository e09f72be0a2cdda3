"""Idempotency keys: a client retrying a mutation (a flaky mobile network) with the same
`Idempotency-Key` header gets the first answer back, and nothing is written twice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from authz.errors import BadInput, Conflict
from models import IdempotencyKey
from resolvers.base import Ctx

HEADER = "idempotency-key"


def clean_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not 8 <= len(key) <= 100 or not key.isprintable():
        raise BadInput("Idempotency-Key 应为 8–100 个可打印字符", field="Idempotency-Key")
    return key


def request_hash(query: str, variables: dict[str, Any] | None) -> str:
    payload = json.dumps({"q": query, "v": variables or {}}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


async def lookup(ctx: Ctx, key: str, digest: str) -> dict[str, Any] | None:
    row = await ctx.session.get(IdempotencyKey, (ctx.principal.user_id or 0, key))
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("该 Idempotency-Key 已用于另一个请求")
    return row.response


async def remember(ctx: Ctx, key: str, digest: str, data: dict[str, Any]) -> None:
    """In the mutation's own transaction: the answer is kept exactly when the writes are.
    A concurrent duplicate blocks on the key until this commits, then fails and replays."""
    await ctx.session.execute(
        insert(IdempotencyKey).values(
            user_id=ctx.principal.user_id or 0, key=key, request_hash=digest, response=data
        )
    )


async def replay_after_race(
    sessionmaker: Any, user_id: int | None, key: str, digest: str
) -> dict[str, Any] | None:
    """The answer committed under this key for this same request, if any."""
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.select(IdempotencyKey.request_hash, IdempotencyKey.response).where(
                    IdempotencyKey.user_id == (user_id or 0), IdempotencyKey.key == key
                )
            )
        ).one_or_none()
        return row.response if row is not None and row.request_hash == digest else None
