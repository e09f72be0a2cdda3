"""A query's list whose nodes ask only for columns and look-ahead edges gets its nodes' JSON
from PostgreSQL (resolvers/prebuilt.py, schema/prebuilt.py), and that JSON is what the usual
path answers.

- Every field of the listed node types that SQL writes, on rows made from the columns'
  types (each enum member, text with quotes, backslashes, control characters and emoji,
  times with and without microseconds, every nullable column empty), is written as
  graphql-core serializes the value the node type holds. A plain column field the SQL does
  not write must be named in NOT_WRITTEN with its reason: a new field is covered or refused
  on purpose.
- Over HTTP, the lists answer the same with it on and off, for a caller who sees every
  edge and for one who sees none, page by page; the selections it does not take (a masked
  field, `edges`) take the usual path. tests/authz/test_edges.py walks every edge both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from graphql import GraphQLObjectType, get_named_type

from app.records import fetch_records
from models import Cadre as CadreRow
from models import WorkLog as WorkLogRow
from models import Youth as YouthRow
from resolvers.prebuilt import Shape, node_json
from schema import build_schema
from schema import prebuilt as compiled
from schema.people import CADRE_EDGES, YOUTH_EDGES
from schema.worklogs import WORK_LOG_EDGES
from tests.authz.test_records_by_id import filled
from tests.helpers import add_user, statements_sent
from tests.work.conftest import World, make_cadre

SCHEMA = build_schema()._schema
# The lists that may have PostgreSQL write their nodes: root field, node type, model, edges.
LISTS = {
    "workLogs": ("WorkLog", WorkLogRow, WORK_LOG_EDGES),
    "cadres": ("Cadre", CadreRow, CADRE_EDGES),
    "youths": ("Youth", YouthRow, YOUTH_EDGES),
}


def _types() -> dict[str, type]:
    """Every type whose fields SQL may write, with its model: the lists' node types, and
    the types at the other end of each of their look-ahead edges."""
    found: dict[str, type] = {}
    for type_name, model, edges in LISTS.values():
        found[type_name] = model
        gtype = SCHEMA.get_type(type_name)
        assert isinstance(gtype, GraphQLObjectType)
        for e in edges:
            found[get_named_type(gtype.fields[e.field].type).name] = e.model
    return found


TYPES = _types()
# Plain fields over a column of the same name that SQL does not write, and why.
NOT_WRITTEN = {
    ("Cadre", "userId"): "a global id of another type (User)",
}
TRICKY = [
    "",
    'a"b\\c',
    "行\n一\t二\r",
    "\x01\x1f控制",
    "😀 表情 中文",
    "单'引号",
    "</script>",
    "\u2028",
]


def written(type_name: str) -> list[Any]:
    """Every field of the type that SQL writes, as leaves; fails on a plain column field
    that is neither written nor in NOT_WRITTEN."""
    gtype = SCHEMA.get_type(type_name)
    assert isinstance(gtype, GraphQLObjectType)
    model = TYPES[type_name]
    columns = {p.key for p in sa.inspect(model).column_attrs}
    leaves = []
    for name, definition in gtype.fields.items():
        sf = definition.extensions["strawberry-definition"]
        leaf = compiled._leaf(name, name, gtype, definition, sf, model)
        plain = getattr(definition.resolve, "_is_default", False)
        if leaf is not None:
            leaves.append(leaf)
        elif plain and sf.python_name in columns:
            assert (type_name, name) in NOT_WRITTEN, f"{type_name}.{name}: written or named?"
    return leaves


def row_values(table: sa.Table, i: int, enums: dict[str, list[str]]) -> dict[str, Any]:
    """The i-th made row: each enum column its i-th member (in turn; `enums`: text columns
    holding an enum's values), text its i-th tricky string, times with microseconds on odd
    rows only; row 0 has every nullable column empty."""
    row: dict[str, Any] = {}
    for c in table.columns:
        kind = c.type
        python = compiled._python_type(kind)
        if i == 0 and c.nullable:
            row[c.name] = None
        elif c.name in enums:
            row[c.name] = enums[c.name][i % len(enums[c.name])]
        elif isinstance(kind, sa.Enum):
            members = list(kind.enum_class) if kind.enum_class else list(kind.enums)
            row[c.name] = members[i % len(members)]
        elif python is str:
            text = f"{i}{TRICKY[i % len(TRICKY)]}{c.name}"  # unique where the column is
            row[c.name] = text[: getattr(kind, "length", None) or len(text)]
        elif python is datetime:
            micro = 0 if i % 2 == 0 else 7 * i
            row[c.name] = datetime(2026, 1 + i % 12, 1 + i, 23, 59, i, micro, tzinfo=UTC)
        elif python is date:
            row[c.name] = date(2025, 12, 1 + i)
        elif python is bool:
            row[c.name] = i % 2 == 1
        else:
            row[c.name] = filled(c, 1 + i)
    row["id"] = 900_100 + i
    return row


@pytest.mark.parametrize("type_name", list(TYPES))
async def test_every_written_field_is_what_graphql_serializes(api, type_name: str) -> None:
    model = TYPES[type_name]
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    gtype = SCHEMA.get_type(type_name)
    assert isinstance(gtype, GraphQLObjectType)
    leaves = written(type_name)
    assert len(leaves) >= 5, leaves
    enums = {leaf.attr: [stored for stored, _ in leaf.names] for leaf in leaves if leaf.names}
    longest = max([len(v) for v in enums.values()] + [len(TRICKY)])
    rows = [row_values(table, i, enums) for i in range(longest + 2)]
    of = gtype.extensions["strawberry-definition"].origin.of
    async with api.services.sessionmaker() as s:
        # Checks that tie columns together (a contact's channel …) would refuse rows made
        # column by column: dropped in this transaction only, rolled back at the end.
        await s.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for check in table.constraints:
            if isinstance(check, sa.CheckConstraint) and check.name:
                await s.execute(sa.text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{check.name}"'))
        await s.execute(table.insert().values(rows))
        made = model.id.in_([r["id"] for r in rows])  # type: ignore[attr-defined]
        sql = sa.select(model.id, node_json(Shape(tuple(leaves)), model)).where(made)  # type: ignore[attr-defined]
        by_sql = {k: orjson.loads(text) for k, text in (await s.execute(sql)).all()}
        records = await fetch_records(s, sa.select(*sa.inspect(model).columns).where(made), [model])
        await s.rollback()
    compared = 0
    for (record,) in records:
        node = of(record)
        for leaf in leaves:
            field = gtype.fields[leaf.key]
            python = getattr(node, field.extensions["strawberry-definition"].python_name)
            expected = (
                None if python is None else get_named_type(field.type).coerce_output_value(python)
            )
            assert by_sql[record.id][leaf.key] == expected, (type_name, leaf.key, python)
            compared += 1
    assert compared == len(rows) * len(leaves)


@pytest.fixture
async def callers(world: World) -> dict[str, str]:
    """The worker; a city admin of 甲市 (sees every log and edge); a cadre of A2 (sees no
    youth of the worker's: every youth edge hidden)."""
    api, tree = world.api, world.tree
    texts = ['a"b\\c', "😀 表情 中文", "单'引号", "</script>"]  # what a contact may hold
    for i, youth in enumerate(world.youth_ids):
        await world.contact(youth, text=f"第{i}次 {texts[i % len(texts)]}")
    await world.activity("HEART_TALK")  # no youth: that edge is absent
    city = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    _, other, _ = await make_cadre(api, tree, "other", "A2", 1, 50)
    return {"worker": world.token, "city": await api.token_for(city.id), "other": other}


def everything(root: str) -> str:
    """Every written field of the list's nodes and of each of its edges."""
    type_name, _, edges = LISTS[root]
    gtype = SCHEMA.get_type(type_name)
    assert isinstance(gtype, GraphQLObjectType)
    inner = [leaf.key for leaf in written(type_name)] + ["__typename"]
    for e in edges:
        target = get_named_type(gtype.fields[e.field].type).name
        inner.append(f"{e.field} {{ __typename {' '.join(x.key for x in written(target))} }}")
    return f"""query($after: String) {{ {root}(first: 2, after: $after) {{ totalCount
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} nodes {{ {" ".join(inner)} }} }} }}"""


async def pages(api: Any, query: str, root: str, token: str, *, on: bool) -> tuple[list, int]:
    """Every page of the list (two nodes a page), and how many statements had PostgreSQL
    write nodes."""
    api.services.settings.prebuilt_json = on
    answers, after, built = [], None, 0
    try:
        while True:
            with statements_sent(api) as sent:
                r = await api.gql(query, {"after": after}, token=token)
            built += sum("json_build_object" in s for s in sent)
            answers.append(r.body)
            page = (r.body["data"] or {}).get(root)
            if not page or not page["pageInfo"]["hasNextPage"]:
                return answers, built
            after = page["pageInfo"]["endCursor"]
    finally:
        api.services.settings.prebuilt_json = True


@pytest.mark.parametrize("root", list(LISTS))
async def test_lists_answer_the_same_with_postgresql_writing_nodes(
    world: World, callers: dict[str, str], root: str
) -> None:
    query, shown = everything(root), 0
    for who, token in callers.items():
        theirs, none = await pages(world.api, query, root, token, on=False)
        mine, built = await pages(world.api, query, root, token, on=True)
        assert mine == theirs, who
        assert none == 0
        refused = mine[0]["data"] is None  # FORBIDDEN (a cadre asking for cadres)
        assert built == (0 if refused else len(mine)), who
        shown += sum(len(a["data"][root]["nodes"]) for a in mine if not refused)
    assert shown


@pytest.mark.parametrize(
    "selection",
    [
        "nodes { id mobile }",  # masked, and its whole reads are logged: a resolver
        "edges { node { id name } }",  # cursors per node
        "nodes { id org { id parent { id } } }",  # an edge of an edge
        "nodes { id name @include(if: true) }",
    ],
)
async def test_what_sql_does_not_write_takes_the_usual_path(
    world: World, callers: dict[str, str], selection: str
) -> None:
    query = f"{{ youths(first: 5) {{ {selection} }} }}"
    with statements_sent(world.api) as sent:
        r = await world.api.gql(query, token=callers["city"])
    assert r.data["youths"], r.body
    assert not any("json_build_object" in s for s in sent)


async def test_a_page_after_the_last_and_an_empty_list(
    world: World, callers: dict[str, str]
) -> None:
    for query in (
        "{ workLogs(first: 0) { nodes { id } pageInfo { hasNextPage endCursor } } }",
        '{ workLogs(search: "没有这段文字") { totalCount nodes { id content } } }',
    ):
        answers = {}
        for on in (True, False):
            world.api.services.settings.prebuilt_json = on
            answers[on] = (await world.api.gql(query, token=callers["city"])).body
        world.api.services.settings.prebuilt_json = True
        assert answers[True] == answers[False], query
        assert answers[True]["data"]["workLogs"]["nodes"] == []
