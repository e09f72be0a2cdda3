"""The set-up a front-end team relies on: schema file, migrations, GraphiQL offline, health."""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.partitions import is_partition
from app.settings import ROOT
from models import metadata
from schema import sdl


def test_committed_sdl_is_current() -> None:
    committed = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == sdl(), "schema/schema.graphql is stale: run `make schema`"


def test_every_nullable_argument_may_be_omitted() -> None:
    """GraphQL lets a client omit a nullable argument; the resolver must then get a
    default rather than fail with a TypeError (the fuzz test found one that did)."""
    from strawberry.types.base import StrawberryOptional
    from strawberry.types.unset import UNSET

    from schema import build_schema

    missing = [
        f"{name}.{field.python_name}({arg.python_name})"
        for name, gql_type in build_schema().schema_converter.type_map.items()
        for field in getattr(gql_type.definition, "fields", None) or []
        for arg in getattr(field, "arguments", None) or []
        if isinstance(arg.type, StrawberryOptional) and arg.default is UNSET
    ]
    assert missing == []


async def test_migrations_match_models(engine) -> None:
    def diff(conn: sa.Connection) -> list:
        # procrastinate's tables come from its own schema (migration 0019), not the models;
        # the hot tables' partitions from migration 0023 and `youthlink partitions`.
        def ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
            return not (
                type_ == "table"
                and ((name or "").startswith("procrastinate_") or is_partition(name or ""))
            )

        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": ours})
        return compare_metadata(ctx, metadata)

    async with engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], f"models and migrations disagree: {changes}"


async def test_graphiql_is_served_without_a_cdn(api) -> None:
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "unpkg.com" not in page.text and "cdn" not in page.text.lower()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) == 7
    for asset in assets:
        r = await api.client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset


async def test_health_and_readiness(api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] is True


async def test_every_response_carries_a_request_id(api) -> None:
    r = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "trace-42"}
    )
    assert r.headers["x-request-id"] == "trace-42"
    r = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert len(r.headers["x-request-id"]) == 16


async def test_limits_answer_with_codes(api) -> None:
    deep = "{ me { cadre { org " + "{ parent " * 12 + "{ name }" + " }" * 12 + " } } }"
    assert (await api.gql(deep)).codes == ["QUERY_TOO_COMPLEX"]
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    assert (await api.gql(aliases)).codes == ["QUERY_TOO_COMPLEX"]
    r = await api.gql("{ nope }")
    assert r.codes == ["GRAPHQL_VALIDATION_FAILED"]
