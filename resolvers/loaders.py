"""DataLoaders, made per request (a module-level loader would cache across users)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from authz import Act, Obj
from models import Cadre, Org, User, Youth

# (parent id, page size + 1, after id or 0, include inactive)
ChildrenKey = tuple[int, int, int, bool]

if TYPE_CHECKING:
    from resolvers.base import Ctx
    from resolvers.dashboards import DashboardLoaders
    from resolvers.orgs import OrgCounts
    from resolvers.quotas import Progress


class Loaders:
    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self.org: DataLoader[int, Org | None] = DataLoader(self._orgs)
        self.org_counts: DataLoader[int, OrgCounts] = DataLoader(self._org_counts)
        self.user: DataLoader[int, User | None] = DataLoader(self._users)
        self.youth: DataLoader[int, Youth | None] = DataLoader(lambda ids: self._by_id(Youth, ids))
        self.cadre: DataLoader[int, Cadre | None] = DataLoader(lambda ids: self._by_id(Cadre, ids))
        # Nested connections: every parent's page of children in one statement.
        self.children: DataLoader[ChildrenKey, list[Org]] = DataLoader(self._children)
        self.children_total: DataLoader[tuple[int, bool], int] = DataLoader(self._children_total)
        self._dashboards: DashboardLoaders | None = None
        # Is this youth on the caller's own live list (their cadre sees the whole number)?
        self.on_my_list: DataLoader[int, bool] = DataLoader(self._on_my_list)
        self.quota_progress: DataLoader[tuple[int, date], Progress | None] = DataLoader(
            self._progress
        )
        # The youth's answer on a contact log the caller already sees (None: not answered).
        self.confirmation: DataLoader[int, bool | None] = DataLoader(self._confirmations)

    @property
    def dashboards(self) -> DashboardLoaders:
        if self._dashboards is None:
            from resolvers.dashboards import DashboardLoaders

            self._dashboards = DashboardLoaders(self._ctx)
        return self._dashboards

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
            OrgCounts(r.children, r.descendants, r.cadres, r.youth)
            if (r := rows.get(i))
            else OrgCounts()
            for i in ids
        ]

    async def _on_my_list(self, youth_ids: Sequence[int]) -> list[bool]:
        from resolvers.contacts import own_contact_youth_ids

        mine = await own_contact_youth_ids(self._ctx, list(youth_ids))
        return [y in mine for y in youth_ids]

    async def _confirmations(self, log_ids: Sequence[int]) -> list[bool | None]:
        from resolvers.truth import confirmations

        found = await confirmations(self._ctx, list(log_ids))
        return [found.get(i) for i in log_ids]

    async def _progress(self, keys: Sequence[tuple[int, date]]) -> list[Progress | None]:
        from resolvers.quotas import cadre_progress

        found: dict[tuple[int, date], Progress] = {}
        for on in {k[1] for k in keys}:
            ids = [k[0] for k in keys if k[1] == on]
            found |= {(i, on): p for i, p in (await cadre_progress(self._ctx, ids, on)).items()}
        return [found.get(k) for k in keys]

    async def _children(self, keys: Sequence[ChildrenKey]) -> list[list[Org]]:
        """Pages of children for many parents: one windowed statement per distinct page shape."""
        scope = self._ctx.scope(Act.VIEW, Obj.ORG)
        found: dict[ChildrenKey, list[Org]] = {}
        shapes = {(limit, after, inactive) for _, limit, after, inactive in keys}
        for limit, after, inactive in shapes:
            parents = [k[0] for k in keys if k[1:] == (limit, after, inactive)]
            ranked = sa.select(
                Org.id,
                sa.func.row_number()
                .over(partition_by=Org.parent_id, order_by=Org.id)
                .label("rank"),
            ).where(Org.parent_id.in_(parents), Org.id > after, scope.predicate(Org.path))
            if not inactive:
                ranked = ranked.where(Org.is_active)
            ranked_sq = ranked.subquery()
            rows = await self._ctx.session.scalars(
                sa.select(Org)
                .join(ranked_sq, ranked_sq.c.id == Org.id)
                .where(ranked_sq.c.rank <= limit)
                .order_by(Org.id)
            )
            for org in rows:
                found.setdefault((org.parent_id, limit, after, inactive), []).append(org)  # type: ignore[arg-type]
        return [found.get(k, []) for k in keys]

    async def _children_total(self, keys: Sequence[tuple[int, bool]]) -> list[int]:
        totals: dict[tuple[int, bool], int] = {}
        for inactive in {k[1] for k in keys}:
            parents = [k[0] for k in keys if k[1] == inactive]
            stmt = sa.select(Org.parent_id, sa.func.count()).where(Org.parent_id.in_(parents))
            if not inactive:
                stmt = stmt.where(Org.is_active)
            for parent_id, n in await self._ctx.session.execute(stmt.group_by(Org.parent_id)):
                totals[(parent_id, inactive)] = n
        return [totals.get(k, 0) for k in keys]
