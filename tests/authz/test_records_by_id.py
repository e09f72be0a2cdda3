"""A query's loaders by id (`ctx.visible(Model)`, resolvers/base.py `_visible_by_id`) read
records on the driver (app/records.py) for every entity whose rule is a readable template:
each record holds what the ORM's entity holds for the same row, in every mapped column, and
the rule decides which rows come back as it does for entities.

The entities come from the rule registry and their rows are made from the columns' types
(every column filled, then every nullable one empty), so a new templated entity or column is
covered without being listed here; a column type this file cannot fill fails the test. The
rows are written with foreign-key triggers off, in a transaction rolled back at the end."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.records import Record
from authz.visibility import RULES, readable_template
from models import Org
from resolvers.base import _by_id, _by_id_records
from tests.helpers import SIGNED_IN, add_user, ctx_of, differ, standard_tree

TEMPLATED = [m for m in RULES if readable_template(m, SIGNED_IN) is not None]
ROOT = "1"  # the caller's root: every row made here is below it


def filled(column: sa.Column[Any], n: int) -> Any:
    """A value of the column's type, other than its default where it matters; the `n`th
    (rows differ in each column that is neither a path nor an enum: unique keys)."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        members = list(kind.enum_class) if kind.enum_class else list(kind.enums)
        return members[-1]
    if type(kind).__name__.lower().startswith("ltree"):
        return f"{ROOT}.{n}"
    if isinstance(kind, postgresql.ARRAY):
        return [n] if kind.item_type.python_type is int else [f"甲{n}"]
    if isinstance(kind, (sa.JSON, postgresql.JSONB)):
        return {"k": [1, "二"], "n": None}
    by_python = {
        bool: False,
        int: n,
        str: f"文字{n}",
        datetime: datetime(2026, 1, n, 3, 4, 5, 678_000, tzinfo=UTC),
        date: date(2026, 1, n),
        uuid.UUID: uuid.UUID(int=n),
    }
    python = kind.python_type
    if python not in by_python:
        pytest.fail(f"{column}: no value for {kind!r}: teach `filled` this type")
    return by_python[python]


@pytest.mark.parametrize("model", TEMPLATED, ids=lambda m: m.__name__)
async def test_records_by_id_hold_what_entities_hold(api, model: type) -> None:
    template = readable_template(model, SIGNED_IN)
    assert template is not None
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    statement = _by_id_records(model, template, api.services.engine.dialect)
    if statement is None:
        numeric = any(isinstance(c.type, sa.Numeric) for c in table.columns)
        assert numeric or any(a.deferred for a in sa.inspect(model).column_attrs)
        return  # numeric or deferred columns: read as entities, as before
    full = {c.name: filled(c, 7) for c in table.columns} | {"id": 900_001}
    sparse = {c.name: None if c.nullable else filled(c, 8) for c in table.columns}
    sparse["id"] = 900_002
    made = table.c.id.in_([900_001, 900_002])
    checks = await _checks(api, table)
    await _unchecked(api, table.insert().values([full, sparse]), drop=checks)
    try:
        # Read on a query's session (the service's pool, its own codecs) and on a
        # mutation's (the session's connection): both equal to the ORM's entities.
        async with api.services.reader() as read, api.services.sessionmaker() as write:
            for on, roots in itertools.product((read, write), ([ROOT], [])):
                params: dict[str, Any] = {"ids": [900_001, 900_002, 900_003]}
                params |= {name: roots for name, _, _ in template.scopes}
                params |= {f"me_{name}": 900_999 for name in template.identity}  # no row
                records = {r.id: r for r in await statement.records(on, params)}
                entities = {e.id: e for e in await write.scalars(_by_id(model, template), params)}
                assert records.keys() == entities.keys(), roots
                # A rule of the row's path alone: the rows are at the root. (An account is
                # seen by its records, a reminder by its cadre, a finding by its check.)
                if "org_path" in table.c and template.scopes and not template.identity:
                    # both rows are at the root (a deleted log, the filled one, is hidden)
                    assert bool(records) == bool(roots)
                for key, entity in entities.items():
                    assert isinstance(records[key], Record)
                    assert differ(records[key], entity) == [], (key, type(on).__name__)
            assert not read._connected  # the query's session read on the service's pool
    finally:
        await _unchecked(api, table.delete().where(made), add=checks)


async def _unchecked(
    api: Any,
    statement: Any,
    *,
    drop: dict[str, str] | None = None,
    add: dict[str, str] | None = None,
) -> None:
    """A write with foreign-key triggers off (the rows made here point nowhere), committed;
    the table's checks that tie columns together (a log's kind and its fields), which rows
    made column by column break, dropped before it (`drop`) or put back after it (`add`)."""
    table = statement.table.name
    async with api.services.sessionmaker() as s:
        await s.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for name in drop or {}:
            await s.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        await s.execute(statement)
        for name, definition in (add or {}).items():
            await s.execute(sa.text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        await s.commit()


async def _checks(api: Any, table: sa.Table) -> dict[str, str]:
    """The table's own CHECK constraints, by name, with their definitions."""
    async with api.services.sessionmaker() as s:
        found = await s.execute(
            sa.text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'c'"
            ),
            {"t": table.name},
        )
        return {name: definition for name, definition in found.all()}


@pytest.mark.parametrize("query", [True, False], ids=["query", "mutation"])
async def test_a_query_loads_records_and_a_mutation_entities(api, query: bool) -> None:
    """What `ctx.visible(Org)` hands a query's resolvers is a record; a mutation's, which
    may change it, an entity of the session."""
    tree = await standard_tree(api.services)
    user = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(user.id)
    async with api.services.sessionmaker() as s:
        ctx = await ctx_of(api, s, token, querying=query)
        mine, other = await ctx.visible(Org).load_many([tree["A1"].id, tree["B"].id])
    assert other is None  # another city: hidden either way
    assert isinstance(mine, Record) is query and isinstance(mine, Org) is not query
    assert mine.name == tree["A1"].name and mine.path == tree["A1"].path
