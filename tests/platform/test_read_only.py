"""Operations that only query run without a transaction once their document is known (no BEGIN
and no ROLLBACK round trip: app/db.py ReadSession); anything else keeps the usual one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from app.db import ReadOnlyViolation
from models import Org
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
    both = f"query Read {{ me {{ user {{ username }} }} }}\n{rename.replace('mutation', 'mutation Write')}"
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
