"""Operations that only query run without a transaction once their document is known (no BEGIN
and no ROLLBACK round trip: app/db.py ReadSession); anything else keeps the usual one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strawberry
from graphql import parse
from sqlalchemy import event

from app.db import ReadOnlyViolation
from app.replica import ReadRouting
from models import Org
from schema import WRITING_QUERY_FIELDS
from schema.documents import DocumentStore
from schema.writes import WRITES, writing_fields
from tests.helpers import add_user, gid, standard_tree


@contextmanager
def isolation_levels(api: Any) -> Iterator[list[str]]:
    """The isolation level of each connection a request's session began on."""
    seen: list[str] = []

    def began(conn: Any) -> None:
        seen.append(conn.get_execution_options().get("isolation_level", "DEFAULT"))

    engine = api.services.engine.sync_engine
    event.listen(engine, "begin", began)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", began)


async def levels(api: Any, query: str, token: str, **body: Any) -> list[str]:
    with isolation_levels(api) as seen:
        r = await api.client.post(
            "/graphql", json={"query": query, **body}, headers={"authorization": f"Bearer {token}"}
        )
    assert r.status_code == 200 and not r.json().get("errors"), r.json()
    return seen


async def test_a_known_query_runs_without_a_transaction(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "admin", org=tree["P"], roles=("province_admin",))
    token = await api.token_for(admin.id)
    query = "{ orgs(first: 5) { nodes { name parent { name } } } }"
    assert "AUTOCOMMIT" not in await levels(api, query, token)  # first sight: parsed now
    assert set(await levels(api, query, token)) == {"AUTOCOMMIT"}
    rename = 'mutation($o: ID!) { updateOrg(input: {id: $o, name: "新名"}) { name } }'
    both = f"query Read {{ orgs(first: 1) {{ nodes {{ name }} }} }}\n{rename.replace('mutation', 'mutation Write')}"
    variables = {"o": gid("Org", tree["A"].id)}
    for _ in range(2):  # a mutation keeps its transaction, the second time too
        seen = await levels(api, both, token, variables=variables, operationName="Write")
        assert seen and "AUTOCOMMIT" not in seen
    assert set(await levels(api, both, token, operationName="Read")) == {"AUTOCOMMIT"}


async def test_a_query_session_refuses_to_write(api) -> None:
    """Were a query to write, it would fail rather than commit its write at once."""
    async with api.services.reader() as session:
        session.add(Org(code="X", name="不应写入", path="9", level="PROVINCE", kind="REGIONAL"))
        with pytest.raises(ReadOnlyViolation):
            await session.flush()


@strawberry.type
class Declared:
    @strawberry.field(description="读")
    def plain(self) -> int:
        return 1

    @strawberry.field(description="写", metadata=WRITES)
    def written_down(self) -> int:
        return 2


async def test_one_declaration_keeps_a_writing_query_off_both_read_paths() -> None:
    """A field declares it writes; the read-only session and the replica read the one
    declaration, and agree on every shape of document."""
    writing = writing_fields(Declared)
    assert writing == {"writtenDown"}
    store, routing = DocumentStore(writing), ReadRouting(None, 2000, writing)  # type: ignore[arg-type]
    cases = {
        "{ plain }": True,
        "{ writtenDown }": False,
        "{ plain ...f } fragment f on Declared { writtenDown }": False,
        "query A { plain } query B { writtenDown }": False,  # the whole document is judged
        "mutation { plain }": False,
    }
    for text, reads in cases.items():
        name = "A" if "query A" in text else None
        prepared = store.put(text, parse(text))
        assert prepared.only_queries(name) is reads, text
        assert routing._of(text, name)[1] is reads, text
    # Today's schema: nothing writes in a query's own session (side writes go apart).
    assert not WRITING_QUERY_FIELDS
