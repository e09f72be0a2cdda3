"""Isolation at every edge (issue 10, item 10).

The queries come from the schema (tests/authz/edges_walk.py): every edge of every object
type, reached from the root fields to the depth limit. Hypothesis builds random worlds
(trees, grants in every state, delegations, cadres, youth, links in every status, logs,
voices, wishes, groups, posts, field rules and field grants: tests/authz/edges_model.py)
and asks as random principals; every returned row, mask, count, reference and exported row
is compared with an independent model of VISIBILITY.md. A new field is walked without
anyone writing a case for it.

`-s` prints how many edges are walked, how many (principal, edge) checks a run makes and
how long it takes."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from authz import visibility
from authz.defaults import default_lines
from models import Nomination as NominationRow
from models import Org as OrgRow
from schema import build_schema
from tests.authz.edges_model import (
    Built,
    CadreW,
    GrantW,
    Model,
    UserW,
    World,
    build,
    worlds,
)
from tests.authz.edges_walk import (
    SKIPPED_ROOTS,
    Checker,
    Plan,
    Violation,
    Walker,
    edges_of,
    fill,
    operation,
)
from tests.conftest import reset_database
from tests.helpers import wait_until

SCHEMA = build_schema()._schema
PLANS, SKIPPED = Walker(SCHEMA).plans()
NODES = {t.name for t in SCHEMA.get_possible_types(SCHEMA.get_type("Node"))}  # type: ignore[arg-type]
# Edges that no query can reach: only under mutations, subscriptions or a skipped root.
UNREACHED = {
    ("ImportReport", "rows"): "returned by the importYouth mutation only",
    ("RosterImportReport", "rows"): "returned by the importOrgs and importCadres mutations only",
    ("InboxItem", "voice"): "the myInbox subscription only",
    ("InboxItem", "wish"): "the myInbox subscription only",
    ("InboxItem", "reminder"): "the myInbox subscription only",
    ("PolicyDiff", "gained"): "previewPolicyChange (skipped) and applyPolicyChange (a mutation)",
    ("PolicyDiff", "lost"): "previewPolicyChange (skipped) and applyPolicyChange (a mutation)",
    ("RightChange", "subtree"): "inside PolicyDiff",
    ("CadreEligibility", "cadre"): "a non-null object under lists only (see DETACHED)",
    ("ReachableSubtree", "org"): "a non-null object under lists only (see DETACHED)",
    ("LearnAndDoGap", "cadre"): "a non-null object under a connection only (see DETACHED)",
    ("ReportVersion", "figures"): "a non-null object under a connection only; no rows of its own",
    ("Query", "missingReports"): SKIPPED_ROOTS["missingReports"],
    ("Query", "previewPolicyChange"): SKIPPED_ROOTS["previewPolicyChange"],
}
# Violations main still shows (15:30 UTC, 27 Nov, after authz/visibility.py landed), one
# concrete edge and kind each. Take an entry out when its edge holds; a run prints the
# entries it did not see.
KNOWN_OPEN: set[str] = set()  # every edge answers as the contract says
STATS: Counter[str] = Counter()
SEEN: set[str] = set()
SAMPLES = {"node": 10}  # ids tried per principal for a lookup root field; others take 3


def test_the_walk_covers_every_edge_of_the_schema() -> None:
    """The skipped root fields and the unreached edges are exactly the listed ones."""
    walked = set().union(*(p.edges for p in PLANS))
    everything = set(edges_of(SCHEMA))
    assert {k: v for k, v in SKIPPED.items()}.keys() == SKIPPED_ROOTS.keys(), SKIPPED
    assert everything - walked == UNREACHED.keys(), sorted(everything - walked)
    assert len(walked) > 150  # the schema has about 200 edges; most are walked


def _picker(rnd: random.Random, root: str):  # type: ignore[no-untyped-def]
    def pick(choices: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
        for _ in range(SAMPLES.get(root, 3)):
            yield {a: rnd.choice(c) for a, c in choices.items()}

    return pick


async def walk(api: Any, world: World, built: Built, u: int, rnd: random.Random) -> Checker:
    """Every plan as principal `u`; the checker holds what differed from the model."""
    checker = Checker(Model(world, u), built)
    token = await api.token_for(built.users[u])
    walked: set[tuple[str, str]] = set()
    for plan in PLANS:
        seen: set[str] = set()
        for variables, target in fill(plan, built, _picker(rnd, plan.root), NODES):
            if repr(variables) in seen:
                continue
            seen.add(repr(variables))
            walked |= plan.edges
            for k, sel in enumerate(plan.selections):  # the first selection holds the row's id
                await one(api, token, checker, plan, sel, variables, target if k == 0 else None)
    for under in [None, *rnd.sample(built.orgs, min(2, len(built.orgs)))]:
        r = await api.gql(
            "query($u: ID) { exportYouth(format: CSV, under: $u) { contentBase64 } }",
            {"u": None if under is None else _gid("Org", under)},
            token=token,
        )
        STATS["queries"] += 1
        if r.body.get("data"):
            checker.export(r.body["data"]["exportYouth"]["contentBase64"], ["exportYouth"])
    STATS["pairs"] += len(walked)  # (principal, edge) pairs asked
    return checker


def _gid(type_name: str, pk: int) -> str:
    from tests.helpers import gid

    return gid(type_name, pk)


async def one(api, token, checker, plan: Plan, sel, variables, target) -> None:  # type: ignore[no-untyped-def]
    try:
        r = await api.gql(operation(plan, sel), variables, token=token)
    except asyncio.CancelledError:  # escaped the app (see DETACHED), unless we are cancelled
        if asyncio.current_task().cancelling():  # type: ignore[union-attr]
            raise
        checker.flag("error", [("Query", plan.root)], [plan.root], "", "CancelledError escaped")
        return
    STATS["queries"] += 1
    checker.errors(r.body, plan.root)
    if not await _pool_returned(api.services.engine.pool):  # see DETACHED in edges_walk.py
        checker.flag(
            "error", [("Query", plan.root)], [plan.root], "", "connection left checked out"
        )
    if r.body.get("data"):
        for k, v in r.body["data"].items():
            checker.walk(v, [k], [("Query", k)])
    if target is not None:
        checker.lookup(r.body, plan.root, *target)


async def _pool_returned(pool: Any) -> bool:
    """Every connection back in the pool: a leaked one never comes back, while one a
    request is still handing back (the answer can reach the client first) does, later on
    a loaded machine; so wait for it, bounded, instead of looking once."""
    try:
        await wait_until(lambda: pool.checkedout() == 0)
    except TimeoutError:
        return False
    return True


def unexpected(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.key not in KNOWN_OPEN]


def report(violations: list[Violation]) -> str:
    by_key: dict[str, Violation] = {}
    for v in violations:
        by_key.setdefault(v.key, v)
    return "\n".join(f"{k}: {v.path} {v.entity} {v.detail}" for k, v in sorted(by_key.items()))


@pytest.fixture(scope="module", autouse=True)
def numbers() -> Iterator[None]:
    yield
    if STATS["worlds"]:
        stale = sorted(KNOWN_OPEN - SEEN)
        if stale:
            print(f"\n[edges] KNOWN_OPEN entries not seen in this run: {stale}")
        walked = len(set().union(*(p.edges for p in PLANS)))
        print(
            f"\n[edges] {walked} edges walked of {len(edges_of(SCHEMA))} in the schema; "
            f"{STATS['worlds']} worlds, {STATS['principals']} principals, "
            f"{STATS['queries']} queries, {STATS['pairs']} (principal, edge) pairs asked, "
            f"{STATS['edge_checks']} of them answered with rows, "
            f"{STATS['checks']} (principal, row/count/mask/reference) comparisons, "
            f"{STATS['seconds']:.1f} s"
        )


# Five worlds from a fixed seed in `make test` (the same examples every run);
# EDGES_EXAMPLES=200 explores fresh random worlds for as long as you like.
EXAMPLES = int(os.environ.get("EDGES_EXAMPLES", "0")) or 5


@settings(
    max_examples=EXAMPLES,
    database=None,  # the same worlds every run (see `seed`): KNOWN_OPEN is what they find
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking re-walks: minutes
)
@given(world=worlds(), seed=st.integers(min_value=0, max_value=2**16))
@hypothesis_seed(None if "EDGES_EXAMPLES" in os.environ else 20261127)
@pytest.mark.parametrize(
    ("lookahead", "planned"),
    [(True, True), (True, False), (False, False)],
    ids=["planned", "lookahead", "field-by-field"],
)
async def test_every_edge_as_the_model_says(
    api, world: World, seed: int, lookahead: bool, planned: bool
) -> None:
    """Every path of a list's edges answers the same worlds as the model says: completed by
    the document's plan (schema/planned.py; a list whose nodes ask only for columns and
    look-ahead edges, as each list's lean selection does, has PostgreSQL write them:
    schema/prebuilt.py), fetched with the page (resolvers/lookahead.py)
    and completed by graphql-core, or loaded field by field after the page."""
    started = time.perf_counter()
    settings = api.services.settings
    settings.lookahead, settings.planned = lookahead, planned
    try:
        found = await walk_world(api, world, seed)
    finally:
        settings.lookahead, settings.planned = True, True
    SEEN.update(v.key for v in found)
    STATS["worlds"] += 1
    STATS["seconds"] += time.perf_counter() - started
    assert not unexpected(found), report(unexpected(found))


async def walk_world(api: Any, world: World, seed: int) -> list[Violation]:
    await reset_database(api.services)
    built = await build(api.services, world)
    rnd = random.Random(seed)
    found: list[Violation] = []
    for u in world.principals:
        checker = await walk(api, world, built, u, rnd)
        found += checker.violations
        STATS["checks"] += checker.checks
        STATS["edge_checks"] += len(checker.edges_seen)
        STATS["principals"] += 1
    return found


def _small_world() -> World:
    """Province 0 with cities 1 and 2; a city admin of city 1, who cannot see city 2."""
    return World(
        parents=[None, 0, 0],
        active=[True, True, True],
        cadres=[],
        youth=[],
        users=[UserW([GrantW("city_admin", 1)])],
        links=[], logs=[], voices=[], wishes=[], groups=[], posts=[], discussions=[], secretaries=[],
        permissions=set(default_lines()),
        field_rules={},
        principals=[0],
    )  # fmt: skip


async def test_a_weakened_org_rule_is_caught(api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove one entity's check (Org's entry in the registry of readable rules in
    authz/visibility.py lets every row through) and the walker reports the rows it then
    shows, each with the edge and path that showed it."""
    before = {v.key for v in await walk_world(api, _small_world(), 0)}
    monkeypatch.setitem(visibility.RULES, OrgRow, lambda subject: sa.true())
    after = await walk_world(api, _small_world(), 0)
    new = [v for v in after if v.key not in before]
    assert new, "the walker saw nothing when Org's rule was removed"
    # Each new violation is city 2 (outside the caller's city 1) or the province, shown or
    # answered by id, with the path that showed it.
    assert all(v.kind in ("shown", "lookup") and v.entity in ("Org#0", "Org#2") for v in new), (
        report(new)
    )
    assert all(v.path for v in new)
    assert {"Query.orgs shown", "Org.parent shown", "Query.org lookup"} <= {v.key for v in new}
    print("\n[edges] with Org's rule removed:\n" + report(new))


async def test_a_weakened_nomination_rule_is_caught(api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cadre of county 3 (under city 2) nominated with materials: the admin of city 1 sees
    neither; with Nomination's rule letting every row through, the walker reports the list
    that shows it (what hangs below a row wrongly shown, its materials, is not walked on)."""
    world = World(
        parents=[None, 0, 0, 2],
        active=[True] * 4,
        cadres=[CadreW(3, True)],
        youth=[],
        users=[UserW([GrantW("city_admin", 1)]), UserW([], cadre=0)],
        links=[], logs=[], voices=[], wishes=[], groups=[], posts=[], discussions=[], secretaries=[],
        permissions=set(default_lines()),
        field_rules={},
        principals=[0],
    )  # fmt: skip
    assert world.nominations() == [(0, 3)]
    assert unexpected(await walk_world(api, world, 0)) == []
    monkeypatch.setitem(visibility.RULES, NominationRow, lambda subject: sa.true())
    new = {v.key for v in await walk_world(api, world, 0)}
    assert "Query.nominations shown" in new, new
