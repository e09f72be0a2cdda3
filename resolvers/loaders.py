"""DataLoaders, made per request (a module-level loader would cache across users)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from models import Cadre, Org, User, Youth

if TYPE_CHECKING:
    from resolvers.base import Ctx
    from resolvers.orgs import OrgCounts


class Loaders:
    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self.org: DataLoader[int, Org | None] = DataLoader(self._orgs)
        self.org_counts: DataLoader[int, OrgCounts] = DataLoader(self._org_counts)
        self.user: DataLoader[int, User | None] = DataLoader(self._users)

    async def _by_id(self, model: type, ids: Sequence[int]) -> list:
        rows = await self._ctx.session.scalars(sa.select(model).where(model.id.in_(ids)))
        found = {r.id: r for r in rows}
        return [found.get(i) for i in ids]

    async def _orgs(self, ids: Sequence[int]) -> list[Org | None]:
        return await self._by_id(Org, ids)

    async def _users(self, ids: Sequence[int]) -> list[User | None]:
        return await self._by_id(User, ids)

    async def _org_counts(self, ids: Sequence[int]) -> list[OrgCounts]:
        """All four counts for a batch of orgs in one statement (GiST on every path)."""
        from resolvers.orgs import OrgCounts

        o, child, desc = Org.__table__, Org.__table__.alias("c"), Org.__table__.alias("d")

        def count(where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
            return sa.select(sa.func.count()).where(where).scalar_subquery()

        stmt = sa.select(
            o.c.id,
            count(sa.and_(child.c.parent_id == o.c.id, child.c.is_active)).label("children"),
            sa.select(sa.func.count())
            .select_from(desc)
            .where(desc.c.path.op("<@")(o.c.path), desc.c.id != o.c.id, desc.c.is_active)
            .scalar_subquery()
            .label("descendants"),
            count(sa.and_(Cadre.org_path.op("<@")(o.c.path), Cadre.is_active)).label("cadres"),
            count(Youth.org_path.op("<@")(o.c.path)).label("youth"),
        ).where(o.c.id.in_(ids))
        rows = {r.id: r for r in await self._ctx.session.execute(stmt)}
        return [
            OrgCounts(r.children, r.descendants, r.cadres, r.youth) if (r := rows.get(i)) else OrgCounts()
            for i in ids
        ]
