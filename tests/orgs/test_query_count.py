"""A leader's nested tree query costs a constant number of SQL statements."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from models import OrgLevel
from tests.helpers import Tree, add_user, gid

NESTED = """query($id: ID!) { org(id: $id) { name childCount cadreCount youthCount
  children(first: 100) { totalCount nodes { name parent { name } childCount descendantCount cadreCount youthCount
    children(first: 100) { nodes { name childCount cadreCount } } } } } }"""


@contextmanager
def counting(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def _count_for(api, children: int) -> int:
    from tests.conftest import reset_database

    await reset_database(api.services)
    tree = Tree(api.services)
    await tree.add("P", None, OrgLevel.PROVINCE)
    await tree.add("A", "P", OrgLevel.CITY)
    for i in range(children):
        await tree.add(f"C{i}", "A", OrgLevel.COUNTY)
        await tree.add(f"C{i}g", f"C{i}", OrgLevel.GRASSROOTS)
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(leader.id)
    with counting(api.services.engine) as statements:
        r = await api.gql(NESTED, {"id": gid("Org", tree["A"].id)}, token=token)
    assert len(r.data["org"]["children"]["nodes"]) == children
    return len(statements)


async def test_statement_count_does_not_grow_with_children(api) -> None:
    few, many = await _count_for(api, 2), await _count_for(api, 12)
    assert few == many, (few, many)
    assert many <= 10
