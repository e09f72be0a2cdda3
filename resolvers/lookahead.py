"""Look-ahead: a list and the object edges its nodes ask for, fetched by one statement.

Field by field, `youths { nodes { org { name } } }` loads the page, then the orgs through the
request's `visible(Org)` loader: a second statement and a second round trip. With look-ahead
the page statement also carries each edge the selection asks for, as a LEFT JOIN LATERAL of
the edge entity's own readable statement (`readable_one`, authz/visibility.py: the same rule,
not a copy), and the rows it brings prime the `visible(Model)` loader. The nested field then
resolves exactly as before, from the loader: the row if the caller may see it on its own,
else null. Which edges a selection asks for is read in schema/lookahead.py;
`LOOKAHEAD=false` turns it off (the edge-walking test runs both ways).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from authz.visibility import readable_one

if TYPE_CHECKING:
    from resolvers.base import Ctx


# The name of an edge's lateral in the page statement: this, then the edge's field.
LATERAL = "ahead_"


@dataclass(frozen=True)
class Edge:
    """An object field of a list's nodes (`field`), the list model's column holding the id
    of the row at the other end (`key`), and that row's entity (`model`)."""

    field: str
    key: Any
    model: type


@dataclass(frozen=True)
class Joined:
    """An edge as the page statement carries it: the lateral entity and where its id is."""

    edge: Edge
    target: Any

    def prime(self, ctx: Ctx, rows: Sequence[Any], others: Sequence[Any]) -> None:
        """Each node's edge row (None where it is hidden) into the request's loader."""
        loader = ctx.visible(self.edge.model)
        name = self.edge.key.key
        for row, other in zip(rows, others, strict=True):
            key = getattr(row, name)
            if key is not None:
                loader.prime(key, other)


def join(ctx: Ctx, edges: Sequence[Edge]) -> tuple[Joined, ...]:
    """Each edge as a lateral entity: the edge model's readable statement for this caller,
    narrowed to the row the list's `key` column names."""
    joined = []
    for edge in edges:
        model = edge.model
        visible: sa.Select[Any] = sa.select(model).where(
            model.id == edge.key,  # type: ignore[attr-defined]
            readable_one(ctx.subject, model),
        )
        joined.append(Joined(edge, aliased(model, visible.lateral(LATERAL + edge.field))))
    return tuple(joined)
