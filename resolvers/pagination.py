"""Keyset pagination for Relay connections: ordered by id, a cursor is the last id seen."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz.errors import BadInput

T = TypeVar("T")


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "k":
            raise ValueError
        return int(key)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("分页游标无效", field="after") from None


@dataclass
class Page(Generic[T]):
    rows: Sequence[T]
    keys: Sequence[int]
    has_next: bool
    has_previous: bool
    _count: Callable[[], Awaitable[int]]
    others: Sequence[Sequence[Any]] = ()  # rows of look-ahead edges, one list per edge

    async def total_count(self) -> int:
        """Counted only when the client asks for it."""
        return await self._count()


def page_size(first: int | None, default: int, maximum: int) -> int:
    size = default if first is None else first
    if size < 0 or size > maximum:
        raise BadInput(f"first 取值应在 0 到 {maximum} 之间", field="first")
    return size


async def paginate(
    session: AsyncSession,
    stmt: sa.Select[Any],
    key: sa.ColumnElement[int],
    *,
    first: int | None,
    after: str | None,
    default: int,
    maximum: int,
    joined: Sequence[Any] = (),
) -> Page[Any]:
    """One page of entities of `stmt` (a `select(Model)`), ordered by `key` (its id). Each
    of `joined` (lateral entities, resolvers/lookahead.py) comes along, outer-joined: the
    page's `others` holds, per joined entity, its row (or None) for each of the page's rows."""
    size = page_size(first, default, maximum)
    page_stmt = stmt if after is None else stmt.where(key > decode_cursor(after))
    page_stmt = page_stmt.order_by(key).limit(size + 1)
    others: list[list[Any]] = []
    if joined:
        left = stmt.column_descriptions[0]["entity"]
        for target in joined:
            page_stmt = page_stmt.outerjoin_from(left, target, sa.true()).add_columns(target)
        found = (await session.execute(page_stmt)).all()
        rows = [r[0] for r in found]
        others = [[r[i] for r in found[:size]] for i in range(1, len(joined) + 1)]
    else:
        rows = list((await session.scalars(page_stmt)).all())

    async def count() -> int:  # built only when totalCount is asked for
        count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        return int((await session.execute(count_stmt)).scalar_one())

    return Page(
        rows=rows[:size],
        keys=[r.id for r in rows[:size]],
        has_next=len(rows) > size,
        has_previous=after is not None,
        _count=count,
        others=others,
    )
