"""Rankings read the ledger of the subtree's city (ix_point_entries_city_day, migration 0029)
when the subtree lies in one city: the answers stay the raw ledger's sums, for a city, a
county and the province (which spans every city and keeps the path alone)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.helpers import add_user, gid, standard_tree
from tests.scale.test_partitions import Statements

CADRES = """query($o: ID!) { cadreRanking(orgId: $o, dateFrom: "2026-01-10", dateTo: "2026-01-20", first: 100) {
  totalCount nodes { rank name points } } }"""
ORGS = """query($o: ID!) { orgRanking(orgId: $o, dateFrom: "2026-01-10", dateTo: "2026-01-20") {
  nodes { rank points cadres org { name } } } }"""
# Entries of every cadre on days before, inside and after the period [10, 20 January].
LEDGER = """
INSERT INTO point_entries (cadre_id, source, source_id, points, day, org_id, org_path, city_id)
SELECT c.id, 'CONTACT_LOG', :first + c.id * 100000 + d, 1 + (c.id * 7 + d) % 5,
       DATE '2026-01-01' + d, c.org_id, c.org_path, c.city_id
FROM cadres c, generate_series(0, :days - 1) d WHERE c.city_id <> :skip
"""
# The same sums straight from the ledger rows, by path alone.
RAW_CADRES = """
SELECT c.name, coalesce(sum(p.points), 0) AS points FROM cadres c
LEFT JOIN point_entries p ON p.cadre_id = c.id AND p.day BETWEEN '2026-01-10' AND '2026-01-20'
WHERE c.org_path <@ CAST(:root AS ltree) AND c.is_active GROUP BY c.name
"""
RAW_ORGS = """
SELECT ch.name, coalesce(sum(p.points), 0) AS points FROM orgs ch
LEFT JOIN point_entries p ON p.org_path <@ ch.path AND p.day BETWEEN '2026-01-10' AND '2026-01-20'
WHERE ch.parent_id = :root GROUP BY ch.name
"""


async def _world(api: Any) -> tuple[Any, str]:
    tree = await standard_tree(api.services)
    for code in ("P", "A", "A1", "A1x", "A2", "B", "B1"):
        for i in range(2):
            await add_user(api.services, f"c{code}{i}", org=tree[code], roles=("cadre",))
    async with api.services.engine.begin() as conn:
        await conn.execute(sa.text(LEDGER), {"days": 31, "first": 0, "skip": 0})
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    return tree, await api.token_for(province.id)


async def _raw(api: Any, sql: str, params: dict[str, Any]) -> dict[str, int]:
    async with api.services.engine.connect() as conn:
        return {n: int(p) for n, p in (await conn.execute(sa.text(sql), params)).all()}


async def test_rankings_equal_the_ledgers_sums_in_a_city_a_county_and_the_province(api) -> None:
    tree, token = await _world(api)
    for code in ("P", "A", "A1", "B"):
        root = tree[code]
        ranked = (await api.gql(CADRES, {"o": gid("Org", root.id)}, token=token)).data
        nodes = ranked["cadreRanking"]["nodes"]
        expected = await _raw(api, RAW_CADRES, {"root": root.path})
        assert {n["name"]: n["points"] for n in nodes} == expected, code
        assert ranked["cadreRanking"]["totalCount"] == len(expected)
        assert [n["points"] for n in nodes] == sorted(expected.values(), reverse=True)
        assert any(expected.values())  # the period holds points: a wrong city would show
        orgs = (await api.gql(ORGS, {"o": gid("Org", root.id)}, token=token)).data
        by_child = {n["org"]["name"]: n["points"] for n in orgs["orgRanking"]["nodes"]}
        assert by_child == await _raw(api, RAW_ORGS, {"root": root.id}), code


async def test_a_city_rankings_statement_reads_the_city_index(api) -> None:
    tree, token = await _world(api)
    async with api.services.engine.begin() as conn:  # other cities' ledger outweighs A's
        await conn.execute(sa.text(LEDGER), {"days": 3000, "first": 10**9, "skip": tree["A"].id})
        await conn.execute(sa.text("ANALYZE point_entries"))
    with Statements(api.services.engine) as rec:
        assert (await api.gql(CADRES, {"o": gid("Org", tree["A1"].id)}, token=token)).data
    ((statement, params),) = [(s, p) for s, p in rec.seen if "point_entries" in s]
    async with api.services.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        rows = await raw.driver_connection.fetch(f"EXPLAIN {statement}", *params)  # type: ignore[union-attr]
    text = "\n".join(r[0] for r in rows)
    assert "ix_point_entries_city_day" in text, text
    assert "ix_point_entries_org_path_gist" not in text, text
