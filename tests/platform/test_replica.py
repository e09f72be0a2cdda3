"""A real streaming replica (pg_basebackup of the suite's embedded server): queries read
there, writers read their writes from the primary, reads go on while the primary restarts."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from graphql import GraphQLError
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.main import create_app
from app.replica import LSN_HEADER
from schema.extensions import _replay_conflict
from tests.conftest import ROOT, RunningApp, settings_for_tests
from tests.helpers import Api, add_user, standard_tree
from tests.work.conftest import hours_ago, make_cadre

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="base-backs up and restarts the embedded server (TEST_DATABASE_URL is external)",
)

AS_USER = "embedded_postgres" if os.geteuid() == 0 else None
LOG = """mutation($y: ID!, $at: DateTime!, $t: String!) { logContact(input: {youthId: $y,
  channel: PHONE, content: $t, occurredAt: $at}) { id } }"""
LOGS = "{ workLogs { nodes { content } } }"


def _pg(program: str, args: list[str], pgdata: Path | None = None) -> None:
    from embedded_postgres._commands import create_command_function

    create_command_function(program)(args, pgdata=pgdata, user=AS_USER)


def _primary_pgdata(database_url: str) -> Path:
    return Path(sa.engine.make_url(database_url).query["host"])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def replica_url(database_url: str) -> Iterator[str]:
    """A hot standby streaming from the suite's server, on its own socket directory."""
    primary = _primary_pgdata(database_url)
    standby = ROOT / "var" / "test-replica"
    shutil.rmtree(standby, ignore_errors=True)
    standby.parent.mkdir(parents=True, exist_ok=True)
    standby.mkdir(mode=0o700)
    if AS_USER:
        shutil.chown(standby, AS_USER)
    role = sa.engine.make_url(database_url).username or "postgres"
    _pg(
        "pg_basebackup",
        ["-D", str(standby), "-h", str(primary), "-U", role, "-R", "-X", "stream", "-c", "fast"],
    )
    for copied in standby.glob(".s.PGSQL.*"):  # the primary keeps its socket in its data dir
        copied.unlink()
    log = standby / "standby.log"  # a file the server's own user may write
    _pg("pg_ctl", ["-w", "-l", str(log), "-o", f'-h "" -k {standby}', "start"], standby)
    url = sa.engine.make_url(database_url).update_query_dict({"host": str(standby)})
    yield url.render_as_string(hide_password=False)
    _pg("pg_ctl", ["-w", "-m", "immediate", "stop"], standby)
    shutil.rmtree(standby, ignore_errors=True)


@pytest.fixture
async def rapi(running: RunningApp, database_url: str, replica_url: str) -> AsyncIterator[Api]:
    """An instance with DATABASE_REPLICA_URL (`running` empties the database first)."""
    settings = settings_for_tests(database_replica_url=replica_url)
    app = RunningApp(create_app(settings, database_url=database_url))
    async with app, app.client() as client:
        yield Api(client, app.services)


@pytest.fixture
async def standby(replica_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(replica_url, isolation_level="AUTOCOMMIT")
    yield engine
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT pg_wal_replay_resume()"))
    await engine.dispose()


async def caught_up(primary: AsyncEngine, standby: AsyncEngine) -> None:
    """Wait (a condition, bounded) until the standby has replayed all the primary wrote."""
    async with primary.connect() as conn:
        lsn = await conn.scalar(sa.text("SELECT pg_current_wal_insert_lsn()::text"))
    async with standby.connect() as conn:
        for _ in range(600):
            if await conn.scalar(
                sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(CAST(:l AS text) AS pg_lsn)"),
                {"l": lsn},
            ):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {lsn}")


def reads(target: str) -> float:
    return REGISTRY.get_sample_value("youthlink_reads_total", {"target": target}) or 0.0


async def a_cadre_and_a_leader(rapi: Api) -> tuple[str, str, str]:
    tree = await standard_tree(rapi.services)
    _, cadre, youth = await make_cadre(rapi, tree, "rcadre", "A1", 1, 900)
    leader = await add_user(rapi.services, "rcounty", org=tree["A"], roles=("county_admin",))
    return cadre, await rapi.token_for(leader.id), youth[0]


async def test_queries_read_the_replica_and_a_writer_reads_their_writes(
    rapi: Api, standby: AsyncEngine
) -> None:
    cadre, leader, youth = await a_cadre_and_a_leader(rapi)
    await caught_up(rapi.services.engine, standby)
    async with standby.connect() as conn:
        await conn.execute(sa.text("SELECT pg_wal_replay_pause()"))

    wrote = await rapi.client.post(
        "/graphql",
        json={"query": LOG, "variables": {"y": youth, "at": hours_ago(1), "t": "回放暂停时的谈心"}},
        headers={"authorization": f"Bearer {cadre}"},
    )
    assert wrote.json()["data"]["logContact"]["id"] and wrote.headers.get(LSN_HEADER)
    behind, on_replica = reads("primary-behind"), reads("replica")
    # The writer sees their write at once: the replica is behind it, so the primary answers.
    mine = await rapi.gql(LOGS, token=cadre)
    assert mine.data["workLogs"]["nodes"] == [{"content": "回放暂停时的谈心"}]
    assert reads("primary-behind") == behind + 1
    # Someone else's query is answered by the paused replica: the write is not there yet.
    theirs = await rapi.gql(LOGS, token=leader)
    assert theirs.data["workLogs"]["nodes"] == [] and reads("replica") == on_replica + 1

    async with standby.connect() as conn:
        await conn.execute(sa.text("SELECT pg_wal_replay_resume()"))
    await caught_up(rapi.services.engine, standby)
    assert (await rapi.gql(LOGS, token=leader)).data["workLogs"]["nodes"] == [
        {"content": "回放暂停时的谈心"}
    ]
    # Replayed: the writer's queries are the replica's again.
    before = reads("replica")
    assert (await rapi.gql(LOGS, token=cadre)).data["workLogs"]["nodes"]
    assert reads("replica") == before + 1


async def test_an_export_on_the_replica_keeps_its_download_on_the_primary(
    rapi: Api, standby: AsyncEngine
) -> None:
    cadre, _, _ = await a_cadre_and_a_leader(rapi)
    await caught_up(rapi.services.engine, standby)
    before = reads("replica")
    r = await rapi.gql("{ exportYouth(format: CSV) { filename rows downloadUrl } }", token=cadre)
    assert r.data["exportYouth"]["rows"] == 1 and reads("replica") == before + 1
    file = await rapi.client.get(r.data["exportYouth"]["downloadUrl"])
    assert file.status_code == 200 and "1330" in file.content.decode("utf-8-sig")


async def test_a_write_on_the_replica_is_sent_to_the_primary(standby: AsyncEngine) -> None:
    """A query that wrote in its own session meets the standby's refusal (SQLSTATE 25006):
    the operation is run again on the primary, whatever retries for conflicts are left."""
    async with standby.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError) as refused:
            await conn.execute(sa.text("CREATE TABLE written_on_a_standby (x int)"))

    class Ctx:
        on_replica = True

    class Context:
        ctx, retries_left, retry = Ctx(), 0, False

    context = Context()
    assert _replay_conflict(context, [GraphQLError("x", original_error=refused.value)], "r1")
    assert context.retry is True
    Ctx.on_replica = False
    context.retry = False
    assert not _replay_conflict(context, [GraphQLError("x", original_error=refused.value)], "r2")


async def test_the_safety_net_says_loudly_what_was_not_declared(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """A query reaching the replica's refusal did not declare it writes (schema/writes.py):
    it is still run again on the primary, and the log says so as an error, with the field."""
    async with engine.connect() as conn:
        await conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        with pytest.raises(sa.exc.DBAPIError) as refused:  # SQLSTATE 25006, as on a standby
            await conn.execute(sa.text("CREATE TABLE written_read_only (x int)"))

    class Ctx:
        on_replica = True

    class Context:
        ctx, retries_left, retry = Ctx(), 0, False

    error = GraphQLError("x", original_error=refused.value, path=["someQuery", "itsField"])
    with caplog.at_level("INFO", logger="youthlink"):
        assert _replay_conflict(Context(), [error], "r3")
    [record] = [r for r in caplog.records if "r3" in r.getMessage()]
    assert record.levelname == "ERROR" and "someQuery.itsField" in record.getMessage()


async def test_reads_go_on_while_the_primary_is_down(
    rapi: Api, standby: AsyncEngine, database_url: str
) -> None:
    cadre, leader, youth = await a_cadre_and_a_leader(rapi)
    await rapi.gql(LOG, {"y": youth, "at": hours_ago(2), "t": "主库重启前的记录"}, token=cadre)
    await caught_up(rapi.services.engine, standby)
    rapi.services.reads.written.clear()  # as after the replica replayed it, in another instance
    primary = _primary_pgdata(database_url)
    options = shlex.split((primary / "postmaster.opts").read_text())[1:]
    options = [o for i, o in enumerate(options) if o != "-D" and options[i - 1] != "-D"]
    await asyncio.to_thread(_pg, "pg_ctl", ["-w", "-m", "fast", "stop"], primary)
    try:
        for token in (leader, cadre):
            r = await rapi.gql(LOGS, token=token)
            assert r.data["workLogs"]["nodes"] == [{"content": "主库重启前的记录"}], r.body
        # A write cannot be served meanwhile, and says so with a code.
        down = await rapi.gql(LOG, {"y": youth, "at": hours_ago(1), "t": "主库停机时"}, token=cadre)
        assert down.codes == ["SERVICE_UNAVAILABLE"]
    finally:
        start = [
            "-w",
            "-l",
            str(primary / "restart.log"),
            "-o",
            shlex.join(options),
            "start",
        ]
        await asyncio.to_thread(_pg, "pg_ctl", start, primary)
    again = await rapi.gql(LOG, {"y": youth, "at": hours_ago(1), "t": "主库回来后"}, token=cadre)
    assert again.data, again.body
