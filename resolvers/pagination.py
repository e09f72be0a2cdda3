"""Pagination for every Relay connection, with one cursor codec.

A cursor is `k:<n>` (base64): the key of the last row seen. For lists read straight from a
table `n` is the row's id (keyset, `paginate`); for lists ranked or computed as a whole
(rankings, quota progress) it is the row's position in the list (`page_of`, `offset_after`);
for lists keyed by another table's id (a grant, an org) it is that id. Clients treat it as
opaque either way; there is no other scheme."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.records import columns_of, fetch_records, fetch_rows, record_columns
from authz.errors import BadInput
from resolvers.prebuilt import Shape, node_json

T = TypeVar("T")


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The key in a cursor; anything this codec did not make is BAD_USER_INPUT."""
    try:
        kind, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "k":
            raise ValueError
        number = int(key)
        if number < 0:
            raise ValueError
        return number
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
    # The nodes' JSON as PostgreSQL wrote it (resolvers/prebuilt.py), where `rows` is empty.
    prebuilt: orjson.Fragment | None = None

    async def total_count(self) -> int:
        """Counted only when the client asks for it."""
        return await self._count()


def after_key(after: str | None) -> int | None:
    return None if after is None else decode_cursor(after)


def offset_after(after: str | None) -> int:
    """Where a page of a positional list starts: just past the position in the cursor."""
    return 0 if after is None else decode_cursor(after) + 1


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
    newest_first: bool = False,
    records: bool = False,
    nodes: Shape | None = None,
) -> Page[Any]:
    """One page of entities of `stmt` (a `select(Model)`), ordered by `key` (its id, so the
    order of creation; `newest_first`: the other way). Each of `joined` (lateral entities,
    resolvers/lookahead.py) comes along, outer-joined: the page's `others` holds, per joined
    entity, its row (or None) for each of the page's rows. `records`: the rows, the page's
    and the joined ones, are read-only records on the driver (app/records.py), not
    entities: for a query's lists. `nodes`: no rows, but the nodes' JSON (`prebuilt`),
    written by PostgreSQL in the same statement."""
    size = page_size(first, default, maximum)
    since = None if after is None else decode_cursor(after)
    page_stmt = page_statement(stmt, key, since, newest_first, size + 1)
    others: list[list[Any]] = []
    prebuilt = None
    if nodes is not None:  # no rows: their keys and the nodes' JSON
        json_stmt = json_statement(stmt, page_stmt, key, joined, nodes)
        keys, prebuilt = json_page(await fetch_rows(session, json_stmt), size)
        rows: list[Any] = []
        others = [[] for _ in joined]
    elif records:
        records_stmt, models = records_statement(
            stmt, page_stmt, joined, session.get_bind().dialect
        )
        found_records = await fetch_records(session, records_stmt, models)
        rows = [r[0] for r in found_records]
        others = [[r[i] for r in found_records[:size]] for i in range(1, len(joined) + 1)]
    elif joined:
        left = stmt.column_descriptions[0]["entity"]
        for target in joined:
            page_stmt = page_stmt.outerjoin_from(left, target, sa.true()).add_columns(target)
        found = (await session.execute(page_stmt)).all()
        rows = [r[0] for r in found]
        others = [[r[i] for r in found[:size]] for i in range(1, len(joined) + 1)]
    else:
        rows = list((await session.scalars(page_stmt)).all())
    if prebuilt is None:
        keys = [r.id for r in rows]

    async def count() -> int:  # built only when totalCount is asked for
        return int((await session.execute(count_statement(stmt))).scalar_one())

    return cut(rows, size, keys, after=after, count=count, others=others, prebuilt=prebuilt)


def page_statement(
    stmt: sa.Select[Any], key: Any, since: Any, newest_first: bool, limit: Any
) -> sa.Select[Any]:
    """`stmt`'s rows past the key `since` (none: from the start), in `key`'s order (with
    `newest_first`, the other way), `limit` of them. `since` and `limit` are values, or
    parameters of a statement built once (resolvers/listing.py)."""
    if since is not None:
        stmt = stmt.where(key < since if newest_first else key > since)
    return stmt.order_by(key.desc() if newest_first else key).limit(limit)


def count_statement(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())


def json_statement(
    stmt: sa.Select[Any], page_stmt: sa.Select[Any], key: Any, joined: Sequence[Any], nodes: Shape
) -> sa.Select[Any]:
    """The page statement selecting each row's key and its node's JSON, with its edges'
    laterals outer-joined as `records_statement` joins them."""
    left = stmt.column_descriptions[0]["entity"]
    json_stmt = page_stmt.with_only_columns(key)
    for target in joined:
        json_stmt = json_stmt.outerjoin_from(left, sa.inspect(target).selectable, sa.true())
    return json_stmt.add_columns(node_json(nodes, left))


def json_page(rows: Sequence[Any], size: int) -> tuple[list[int], orjson.Fragment]:
    """The page's keys (up to `size + 1`), and its first `size` nodes' JSON as one array,
    from the rows of a `json_statement`."""
    text = "[" + ",".join(r[1] for r in rows[:size]) + "]"
    return [r[0] for r in rows], orjson.Fragment(text)


def records_statement(
    stmt: sa.Select[Any], page_stmt: sa.Select[Any], joined: Sequence[Any], dialect: Any
) -> tuple[sa.Select[Any], list[type]]:
    """The page statement selecting each entity's record columns (app/records.py): the
    list's model, then each lateral entity's, outer-joined as `paginate` joins them; and
    those models, in that order."""
    left = stmt.column_descriptions[0]["entity"]
    models = [left]
    records_stmt = page_stmt.with_only_columns(*record_columns(left))
    for target in joined:
        lateral = sa.inspect(target)
        model = lateral.mapper.class_
        records_stmt = records_stmt.outerjoin_from(left, lateral.selectable, sa.true())
        records_stmt = records_stmt.add_columns(
            *columns_of(model, lateral.selectable.name, dialect)
        )
        models.append(model)
    return records_stmt, models


async def paginate_rows(
    session: AsyncSession,
    stmt: Any,
    key: Any,
    key_of: Callable[[Any], int],
    *,
    size: int,
    after: str | None,
) -> Page[Any]:
    """Like `paginate` for a select of several things (an entity with figures beside it):
    the page's rows are result rows, `key_of(row)` their key."""
    count_stmt = count_statement(stmt)
    since = after_key(after)
    page_stmt = stmt if since is None else stmt.where(key > since)
    rows = (await session.execute(page_stmt.order_by(key).limit(size + 1))).all()

    async def count() -> int:
        return int((await session.execute(count_stmt)).scalar_one())

    return cut(rows, size, [key_of(r) for r in rows], after=after, count=count)


async def paginate_ranked(
    session: AsyncSession, stmt: Any, *, size: int, after: str | None
) -> Page[Any]:
    """A page of an ordered select whose order is not an id (a ranking by score): the
    cursor is a position in that order."""
    start = offset_after(after)
    rows = (await session.execute(stmt.offset(start).limit(size + 1))).all()
    count_stmt = count_statement(stmt)

    async def count() -> int:
        return int((await session.execute(count_stmt)).scalar_one())

    return cut(rows, size, range(start, start + len(rows)), after=after, count=count)


def cut(
    rows: Sequence[T],
    size: int,
    keys: Sequence[int],
    *,
    after: str | None,
    count: Callable[[], Awaitable[int]],
    others: Sequence[Sequence[Any]] = (),
    prebuilt: orjson.Fragment | None = None,
) -> Page[T]:
    """A page from the up to `size + 1` rows fetched past the cursor: the extra row is not
    shown, it only tells that a next page exists. `keys[i]` is the cursor key of `rows[i]`
    (with `prebuilt`, the nodes' JSON, there are keys and no rows)."""
    return Page(
        rows=list(rows[:size]),
        keys=list(keys[:size]),
        has_next=len(keys) > size,
        has_previous=after is not None,
        _count=count,
        others=others,
        prebuilt=prebuilt,
    )


def known_count(n: int) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return n

    return count


def page_of(
    rows: Sequence[T], *, first: int | None, after: str | None, default: int, maximum: int
) -> Page[T]:
    """One page of a list computed as a whole (a ranking, progress against a quota), keyed
    by position: the cursor of the i-th row is i."""
    size = page_size(first, default, maximum)
    start = offset_after(after)
    shown = list(rows[start : start + size])
    return Page(
        rows=shown,
        keys=list(range(start, start + len(shown))),
        has_next=start + size < len(rows),
        has_previous=start > 0,
        _count=known_count(len(rows)),
    )
