"""Dashboards: the figures of `resolvers.figures` for one org and period, batched across
every org asked for in the request (a leader's nested query stays a constant number of
statements, however many children)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from authz import Act, Obj
from authz.errors import BadInput
from models import Org
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.figures import (
    Activation,
    Breakdown,
    CadreMix,
    Figures,
    Headline,
    MobileUse,
    Period,
    Week,
)
from resolvers.points import today


@dataclass(frozen=True)
class DashboardRef:
    """What a Dashboard field needs: whose, and when. Authorized when made."""

    org: Org
    period: Period


async def dashboard(ctx: Ctx, org_id: int, start: date | None, end: date | None) -> DashboardRef:
    org = await orgs.get(ctx, org_id)
    return for_org(ctx, org, start, end)


def for_org(ctx: Ctx, org: Org, start: date | None, end: date | None) -> DashboardRef:
    ctx.authorize(Act.VIEW, Obj.WORK, org.path)
    end = end or today(ctx)
    start = start or end - timedelta(days=27)
    if start > end or (end - start).days > 366 * 2:
        raise BadInput("统计区间应在两年以内，且开始不晚于结束", field="from")
    return DashboardRef(org, Period(start, end))


@dataclass(frozen=True)
class ChildCompletion:
    org_id: int
    cadres: int
    done: int


Key = tuple[int, Period]


def loaders(ctx: Ctx) -> DashboardLoaders:
    return ctx.per_request(DashboardLoaders, lambda: DashboardLoaders(ctx))


class DashboardLoaders:
    """One loader per figure; keys are (org id, period). Every figure comes from
    `resolvers.figures`, counted within the viewer's `work:view` subtrees."""

    def __init__(self, ctx: Ctx) -> None:
        self.figures = Figures(
            ctx.session, ctx.settings.timezone, ctx.scope(Act.VIEW, Obj.WORK).roots
        )
        f, batched = self.figures, partial(_batched, ctx)
        self.headline: DataLoader[Key, Headline] = DataLoader(batched(f.headline))
        self.breakdown: DataLoader[Key, Breakdown] = DataLoader(batched(f.breakdown))
        self.mobile: DataLoader[Key, MobileUse] = DataLoader(batched(f.mobile))
        self.activation: DataLoader[Key, Activation] = DataLoader(batched(f.activation))
        self.industry: DataLoader[Key, list[CadreMix]] = DataLoader(batched(f.industry))
        self.five_ones: DataLoader[Key, list[ChildCompletion]] = DataLoader(
            batched(self._by_child(f.five_ones))
        )
        self.learn: DataLoader[Key, list[ChildCompletion]] = DataLoader(
            batched(self._by_child(f.learn_and_do))
        )
        self.weeks: DataLoader[Key, list[Week]] = DataLoader(batched(f.weeks))

    def _by_child(self, figure: Figure) -> Figure:
        """A completion figure of each child org instead of the org itself."""

        async def fetch(ids: Sequence[int], period: Period) -> dict[int, list[ChildCompletion]]:
            children = await self.figures.children(ids)
            found = await figure([c for kids in children.values() for c in kids], period)
            return {
                org_id: [
                    ChildCompletion(c, found[c].subjects, found[c].done) for c in children[org_id]
                ]
                for org_id in ids
            }

        return fetch


Figure = Callable[[Sequence[int], Period], Awaitable[Mapping[int, Any]]]


def _batched(ctx: Ctx, fetch: Figure) -> Callable[[Sequence[Key]], Awaitable[list[Any]]]:
    """Group the keys by period: one statement per distinct period (usually one), planned
    for its own subtree and period (`Ctx.plan_for_values`)."""

    async def load(keys: Sequence[Key]) -> list[Any]:
        await ctx.plan_for_values()
        by_period: dict[Period, list[int]] = defaultdict(list)
        for org_id, period in keys:
            by_period[period].append(org_id)
        found: dict[Key, Any] = {}
        for period, ids in by_period.items():
            results = await fetch(ids, period)
            for org_id in ids:
                found[(org_id, period)] = results[org_id]
        return [found[k] for k in keys]

    return load
