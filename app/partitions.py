"""The hot tables' partitions by city (migration 0027, docs/scale.md).

`youth`, `contacts` and `work_logs` are LIST-partitioned on `city_id`: one partition per city
(`<table>_city_<id>`) and `<table>_default` for the rest: the province's own organs, whose
rows carry the province's id, and a city made after the last `youthlink partitions` run,
whose rows wait there (read correctly, just not pruned) until it is given its own.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

PARTITIONED = ("youth", "contacts", "work_logs")
_PARTITION = re.compile(rf"^({'|'.join(PARTITIONED)})_(default|city_\d+)$")


def is_partition(table: str) -> bool:
    """A partition of a hot table: made here, not by the models."""
    return _PARTITION.match(table) is not None


async def split_cities(conn: AsyncConnection) -> list[str]:
    """Give every city without one its own partition of each hot table, moving its rows out
    of the default partition; returns the partitions made. Takes the default partitions'
    ACCESS EXCLUSIVE lock while it runs (ATTACH checks that none of the city's rows is left
    there), so it is an operator's command (`youthlink partitions`, the owner's role), not a
    request's work; a city is made a few times a decade."""
    made = []
    for table in PARTITIONED:
        cities = await conn.scalars(
            sa.text(
                "SELECT o.id FROM orgs o WHERE o.level = 'CITY' AND NOT EXISTS ("
                "  SELECT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                "  WHERE i.inhparent = CAST(:t AS regclass)"
                "  AND c.relname = :t || '_city_' || o.id) ORDER BY o.id"
            ),
            {"t": table},
        )
        for city in cities.all():
            name = f"{table}_city_{int(city)}"
            await conn.execute(
                sa.text(
                    f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
                    f" CONSTRAINT {name}_bound CHECK (city_id IS NOT NULL AND city_id = {int(city)}))"
                )
            )
            await conn.execute(
                sa.text(f"INSERT INTO {name} SELECT * FROM {table}_default WHERE city_id = :c"),
                {"c": city},
            )
            # Straight from the partition: the parent's key-table triggers do not fire (the
            # rows keep their ids; youth_keys and work_log_keys stay as they are).
            await conn.execute(
                sa.text(f"DELETE FROM {table}_default WHERE city_id = :c"), {"c": city}
            )
            # The bound check lets ATTACH skip scanning the new partition's rows.
            await conn.execute(
                sa.text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({int(city)})")
            )
            await conn.execute(sa.text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bound"))
            made.append(name)
    return made
