"""Relay conventions: global ids, the Node interface, cursor connections with totalCount."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from authz.errors import BadInput, NotFound
from resolvers.pagination import Page, encode_cursor

T = TypeVar("T")


# The two pagination arguments of every connection, described once.
First = Annotated[
    int | None,
    strawberry.argument(
        description="每页条数：不给为 20，可取 0 到 100（服务配置可调）；超出范围答 BAD_USER_INPUT"
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="游标：从这一条之后取，传上一页的 pageInfo.endCursor；不给则从第一条起"
    ),
]

# The subtree filter of lists across the tenant tree.
Under = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="只看这个团组织及其下级（团组织的全局 ID；看不到的组织答 NOT_FOUND）；不给则为你有权查看的全部范围"
    ),
]
# Lists a manager reads from the latest entry (logs, voices, wishes, flags, plans).
NewestFirst = Annotated[
    bool,
    strawberry.argument(
        description="true：最新的在前（按创建先后倒序，游标同样适用）；默认 false，最早的在前"
    ),
]


# A page names the same few orgs and cadres on many of its nodes, and a client asks for the
# same rows again and again: each id is encoded once (a few hundred bytes per entry).
@lru_cache(maxsize=1 << 16)
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


@strawberry.interface(
    description="全局唯一对象（Relay Node）：凡有 id 的对象都可用 `node(id)` 重新获取"
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="全局 ID（不透明字符串，内含类型与主键）；用于 node(id) 重新获取和各处的 ID 参数"
    )


@strawberry.type(description="分页信息（Relay PageInfo）：本页首尾游标，前后是否还有数据")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="后面是否还有数据：为 true 时以 endCursor 作 after 参数取下一页"
    )
    has_previous_page: bool = strawberry.field(
        description="前面是否还有数据（按 after 翻页时，after 之前有数据即为 true）"
    )
    start_cursor: str | None = strawberry.field(description="本页第一条的游标；本页为空时为 null")
    end_cursor: str | None = strawberry.field(
        description="本页最后一条的游标，作下一页的 after 参数；本页为空时为 null"
    )


@strawberry.type(description="分页列表中的一条（Relay Edge）：节点及其游标")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="这一条的游标（不透明字符串），可作 after 参数从其后续取"
    )
    node: T = strawberry.field(description="这一条的对象")


@strawberry.type(
    description="分页列表（Relay Connection）：用 first（每页条数）和 after（上一页的 endCursor）翻页"
)
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]
    items: strawberry.Private[list[T]]  # the page's nodes, converted once

    # Edges and cursors are built only when asked: most clients read `nodes`, and a cursor
    # per row is not free.
    @strawberry.field(description="本页的各条（带游标）；没有数据时为空列表")
    def edges(self) -> list[Edge[T]]:
        return [
            Edge(cursor=encode_cursor(k), node=n)
            for k, n in zip(self.page.keys, self.items, strict=True)
        ]

    @strawberry.field(description="分页信息：是否还有下一页及游标")
    def page_info(self) -> PageInfo:
        keys = self.page.keys
        return PageInfo(
            has_next_page=self.page.has_next,
            has_previous_page=self.page.has_previous,
            start_cursor=encode_cursor(keys[0]) if keys else None,
            end_cursor=encode_cursor(keys[-1]) if keys else None,
        )

    @strawberry.field(description="满足条件的总数（仅在请求时计算）")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @strawberry.field(description="本页的节点（edges 的简写）")
    def nodes(self) -> list[T]:
        return self.items


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    if page.prebuilt is not None:  # the nodes' JSON, placed as it is (schema/planned.py)
        return Connection(page=page, items=page.prebuilt)  # type: ignore[arg-type]
    return Connection(page=page, items=[convert(r) for r in page.rows])
