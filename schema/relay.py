"""Relay conventions: global ids, the Node interface, cursor connections with totalCount."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from authz.errors import BadInput, NotFound
from resolvers.pagination import Page, encode_cursor

T = TypeVar("T")


def to_global_id(type_name: str, pk: int | str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(value: str, expected: str | None = None) -> tuple[str, int]:
    """(type, pk) from a global id; a malformed id is BAD_USER_INPUT, one of another type
    NOT_FOUND (as for any object the caller cannot reach)."""
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("ID 格式无效", field="id") from None
    if expected is not None and type_name != expected:
        raise NotFound()
    return type_name, number


def pk(value: strawberry.ID | str, expected: str) -> int:
    return from_global_id(value, expected)[1]


def opt_pk(value: strawberry.ID | str | None, expected: str) -> int | None:
    return None if value is None else pk(value, expected)


@strawberry.interface(description="全局唯一对象（Relay Node）")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]

    @strawberry.field(description="满足条件的总数（仅在请求时计算）")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @strawberry.field(description="本页的节点（edges 的简写）")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    cursors = [encode_cursor(k) for k in page.keys]
    edges = [Edge(cursor=c, node=convert(r)) for c, r in zip(cursors, page.rows, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        page=page,
    )
