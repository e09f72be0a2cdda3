"""The hot tables are partitioned by city (migration 0027, docs/scale.md): a city's or a
county's lists and dashboard, as the server issues them, read that city's partitions and no
other; the province's fan out; rows follow their org to another city's partition."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.partitions import PARTITIONED, split_cities
from authz.sync import asyncpg_dsn
from models import CadreKind
from tests.helpers import add_user, gid, standard_tree
from tests.work.conftest import ACTIVITY, hours_ago, make_cadre

DASHBOARD = """query($o: ID!) { dashboard(orgId: $o) {
  cadres activeCadres youthInContact youthInvited logs
  logsByKind { key count } logsByChannel { key count }
  mobileUse { cadresSignedIn logs logsFromMobile }
  industryMix { name youth industries mix { key count } }
  fiveOnesByChild { cadres done } learnAndDoByChild { cadres done } weekly { logs } } }"""
LISTS = """query($o: ID!) {
  workLogs(under: $o, first: 50) { totalCount nodes { id kind content occurredAt } }
  youths(under: $o, first: 50) { totalCount nodes { id name industry } }
  contacts(under: $o, first: 50) { totalCount nodes { id status } } }"""
CONTACT = """mutation($y: ID!, $at: DateTime!) {
  logContact(input: {youthId: $y, channel: PHONE, content: "谈心", occurredAt: $at}) { id } }"""
MOVE = "mutation($o: ID!, $p: ID!) { moveOrg(id: $o, newParentId: $p) { id } }"


class Statements:
    """The statements (and parameters) the server runs while in the block."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.seen = engine.sync_engine, []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        self.seen.append((statement, tuple(parameters or ())))


def relations(plan: dict[str, Any], *, executed: bool) -> set[str]:
    """Relations the plan reads (with `executed`: those EXPLAIN ANALYZE saw run at least once:
    a partition pruned while running shows, never executed)."""
    found = set()
    if "Relation Name" in plan and (not executed or plan.get("Actual Loops", 0) > 0):
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= relations(child, executed=executed)
    return found


async def partitions_read(services: Any, query: str, org_id: int, token: str, api: Any) -> dict:
    """Run the query over HTTP, then EXPLAIN (FORMAT JSON) each hot-table statement it ran:
    the partitions in each plan, and those that ran under EXPLAIN ANALYZE."""
    with Statements(services.engine) as rec:
        r = await api.gql(query, {"o": gid("Org", org_id)}, token=token)
        assert r.data
    hot = [
        (sql, params)
        for sql, params in rec.seen
        if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        and any(f" {t} " in f" {sql} ".replace("\n", " ") for t in PARTITIONED)
    ]
    assert hot, "the query read no hot table"
    conn = await asyncpg.connect(asyncpg_dsn(services.engine))
    try:
        await conn.execute(f"SET timezone = '{services.settings.timezone}'")
        planned: list[set[str]] = []
        ran: set[str] = set()
        for sql, params in hot:
            (plan,) = json.loads(await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *params))
            planned.append({n for n in relations(plan["Plan"], executed=False) if _is_part(n)})
            (done,) = json.loads(
                await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *params)
            )
            ran |= {n for n in relations(done["Plan"], executed=True) if _is_part(n)}
    finally:
        await conn.close()
    return {"planned": planned, "ran": ran, "statements": [s for s, _ in hot]}


def _is_part(name: str) -> bool:
    return name.startswith(tuple(f"{t}_" for t in PARTITIONED)) and not name.endswith("_keys")


def of_city(city: int) -> set[str]:
    return {f"{t}_city_{city}" for t in PARTITIONED}


@pytest.fixture
async def split(api) -> Any:
    """Two cities with cadres, youth, links and logs; then each city its own partitions."""
    tree = await standard_tree(api.services)
    for name, county, start in (("a1", "A1", 0), ("a2", "A2", 100), ("b1", "B1", 200)):
        _user, token, youth = await make_cadre(api, tree, name, county, 2, start)
        for y in youth:
            await api.gql(CONTACT, {"y": y, "at": hours_ago(1)}, token=token)
    async with api.services.engine.begin() as conn:
        made = await split_cities(conn)
    # Partitions outlive a test (the suite empties tables, never drops them): only the
    # cities of this tree need be made here.
    assert set(made) <= of_city(tree["A"].id) | of_city(tree["B"].id)
    return tree


async def where_rows_are(api: Any, table: str) -> dict[str, int]:
    async with api.services.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")
        )
        return dict(rows.all())


async def test_rows_live_in_their_citys_partition(api, split) -> None:
    a, b = split["A"].id, split["B"].id
    assert await where_rows_are(api, "work_logs") == {
        f"work_logs_city_{a}": 4,
        f"work_logs_city_{b}": 2,
    }
    assert await where_rows_are(api, "contacts") == {
        f"contacts_city_{a}": 4,
        f"contacts_city_{b}": 2,
    }
    assert await where_rows_are(api, "youth") == {f"youth_city_{a}": 4, f"youth_city_{b}": 2}


@pytest.mark.parametrize("leader_at", ["A", "A1"])
async def test_a_leaders_subtree_reads_only_its_citys_partitions(api, split, leader_at) -> None:
    """A city leader's and a county leader's dashboard and lists: every partition planned
    and every partition read is their city's; the other city's and the default are not.
    The county leader is a cadre too (as in the demo): the youth they see include those on
    their own list, found in their city's links alone."""
    role, kind = ("city_admin", None) if leader_at == "A" else ("county_admin", CadreKind.FULL_TIME)
    leader = await add_user(
        api.services, "leader", org=split[leader_at], roles=(role,), cadre_kind=kind
    )
    token = await api.token_for(leader.id)
    mine = of_city(split["A"].id)
    for query in (DASHBOARD, LISTS):
        found = await partitions_read(api.services, query, split[leader_at].id, token, api)
        assert found["ran"] and found["ran"] <= mine, found
        for sql, planned in zip(found["statements"], found["planned"], strict=True):
            if "youth_keys" in sql:
                # A listed youth may live in another city: youth_keys names the partition
                # and the others are pruned while running (checked by `ran` above).
                planned = {p for p in planned if not p.startswith("youth_")}
            assert planned <= mine, (sql, planned)
        assert any(found["planned"]), "no statement was planned on a partition"


async def test_the_provinces_dashboard_fans_out(api, split) -> None:
    admin = await add_user(
        api.services, "prov", org=split["P"], roles=("province_admin",), cadre_kind=None
    )
    found = await partitions_read(
        api.services, DASHBOARD, split["P"].id, await api.token_for(admin.id), api
    )
    assert of_city(split["B"].id) & found["ran"] and of_city(split["A"].id) & found["ran"]


async def test_a_moved_county_takes_its_rows_to_the_other_citys_partition(api, split) -> None:
    admin = await add_user(
        api.services, "prov", org=split["P"], roles=("province_admin",), cadre_kind=None
    )
    token = await api.token_for(admin.id)
    a, b = split["A"].id, split["B"].id
    moved = await api.gql(MOVE, {"o": gid("Org", split["A2"].id), "p": gid("Org", b)}, token=token)
    assert moved.data["moveOrg"]
    assert await where_rows_are(api, "work_logs") == {
        f"work_logs_city_{a}": 2,
        f"work_logs_city_{b}": 4,
    }
    assert await where_rows_are(api, "youth") == {f"youth_city_{a}": 2, f"youth_city_{b}": 4}
    async with api.services.engine.connect() as conn:
        # The key table follows (the youth's city names its partition); every link and
        # log kept its id, so nothing that refers to them changed.
        stale = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM youth_keys k JOIN youth y ON y.id = k.id WHERE k.city_id <> y.city_id"
            )
        )
        assert stale == 0
        assert await conn.scalar(sa.text("SELECT count(*) FROM work_log_keys")) == 6
    leader = await add_user(
        api.services, "leaderB", org=split["B"], roles=("city_admin",), cadre_kind=None
    )
    found = await partitions_read(api.services, LISTS, b, await api.token_for(leader.id), api)
    assert found["ran"] <= of_city(b)
    assert (await api.gql(LISTS, {"o": gid("Org", b)}, token=await api.token_for(leader.id))).data[
        "workLogs"
    ]["totalCount"] == 4


async def test_a_new_link_reads_its_youth_in_one_partition(api, split) -> None:
    """cadre_industries' trigger on contacts (migrations 0025, 0028) reads the new links'
    youth through youth_keys: the youth's own city's partition, not one probe per city."""
    a1, a2 = split["A1"], split["A2"]
    conn = await asyncpg.connect(asyncpg_dsn(api.services.engine))
    try:
        # A2's cadre takes on a youth of A1 (the link is the cadre's, in their org).
        youth, cadre = await conn.fetchrow(
            "SELECT y.id, c.id FROM youth y, cadres c WHERE y.org_id = $1 AND c.org_id = $2"
            " LIMIT 1",
            a1.id,
            a2.id,
        ) or (None, None)
        assert youth is not None, "the fixture has a youth in A1 and a cadre in A2"
        plans: list[Any] = []  # the server's LOG messages: auto_explain's plans
        conn.add_log_listener(lambda _c, m: plans.append(m))
        await conn.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;"
            " SET auto_explain.log_analyze = on; SET auto_explain.log_nested_statements = on;"
            " SET auto_explain.log_format = json; SET client_min_messages = log"
        )
        await conn.execute(
            "INSERT INTO contacts (cadre_id, youth_id, status, accepted_at, org_id, org_path,"
            " city_id) VALUES ($1, $2, 'ACTIVE', now(), $3, $4, $5)",
            cadre,
            youth,
            a2.id,
            a2.path,
            a2.city_id,
        )
    finally:
        await conn.close()
    read = set()
    for message in plans:
        text = message.message
        if "FOR SHARE" in text and "youth" in text:
            plan = json.loads(text[text.index("{") :])["Plan"]
            read |= {
                n for n in relations(plan, executed=True) if _is_part(n) and n.startswith("youth")
            }
    assert read == {f"youth_city_{a1.city_id}"}


async def test_a_cadres_own_progress_plans_only_their_citys_partitions(api, split) -> None:
    """A cadre's own 五个一 (`few`): the statement names the cadre's city as a value, so the
    planner plans that city's log partitions only (a join to the cadre prunes only while
    running, after planning every city's: 4× the planning at 52 cities,
    bench/results/scale.md), and the progress is still the cadre's."""
    user = await add_user(api.services, "own", org=split["A1"], roles=("cadre",))
    token = await api.token_for(user.id)
    logged = await api.gql(ACTIVITY, {"k": "VOLUNTEER", "at": hours_ago(1), "p": []}, token=token)
    assert logged.data
    query = "query($o: ID!) { org(id: $o) { id } myQuotaProgress { done subjectId } }"
    found = await partitions_read(api.services, query, split["A1"].id, token, api)
    assert found["planned"] and all(p <= of_city(split["A"].id) for p in found["planned"])
    assert any(found["planned"]), found
    r = await api.gql(query, {"o": gid("Org", split["A1"].id)}, token=token)
    assert r.data["myQuotaProgress"]["done"] == 1
