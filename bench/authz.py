"""Authorization benchmark at provincial scale: ~20k orgs and 100k grants.

Prints, each against its raw-SQL (or raw-Python) floor:
- one decision (`authz.decide`) for a principal with a few grants, and with many;
- the per-request cost of loading a principal (account, session, grants in one statement)
  and turning it into a scope, against the bare asyncpg query for the same grants;
- a scoped list of 50 orgs through SQLAlchemy, against the same SQL through asyncpg;
- the same list through the whole HTTP + GraphQL stack.

Run: `make bench` (embedded PostgreSQL under var/bench, or BENCH_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import create_async_engine

from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from authz import Act, Obj, decide, load_principal, scope
from authz.sync import asyncpg_dsn
from bench.common import database_url, insert_tree, tree_rows
from models import AuthSession, Org, OrgLevel
from resolvers.tokens import issue_access

console = Console()
GRANTS = int(os.environ.get("BENCH_GRANTS", "100000"))
ROLES = ["cadre", "county_admin", "city_admin", "working_group_leader", "auditor"]


async def build(url: str) -> None:
    """Province → 13 cities → 10 counties each → 15 grassroots → 10 branches: ~21k orgs."""
    engine = create_async_engine(url)
    rows = tree_rows(15)
    async with engine.begin() as conn:
        await insert_tree(conn, rows)
        await conn.execute(
            sa.text(
                "INSERT INTO users (username, display_name) "
                "SELECT 'u' || g, 'user ' || g FROM generate_series(1, :n) g"
            ),
            {"n": GRANTS},
        )
        # One grant per user at a pseudo-random org, roles by the org's level.
        await conn.execute(
            sa.text(f"""
            INSERT INTO grants (user_id, role, org_id, org_path, city_id)
            SELECT u.id, (ARRAY{ROLES!r})[1 + (u.id % {len(ROLES)})], o.id, o.path, o.city_id
            FROM users u JOIN orgs o ON o.id = 1 + ((u.id * 7919) % {len(rows)})""")
        )
        await conn.execute(sa.text("ANALYZE"))
    await engine.dispose()
    console.print(f"built {len(rows):,} orgs and {GRANTS:,} grants")


def per_call(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


async def per_call_async(fn: Callable[[], Awaitable[object]], n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def main() -> None:
    url = database_url("youthlink_bench_authz")
    await asyncio.to_thread(upgrade, url)
    await build(url)
    settings = Settings(
        environment="test", rate_limit_per_minute=0, expensive_per_minute=0, database_url=None
    )
    app = create_app(settings, database_url=url)
    services = app.state.services
    table = Table(title=f"authorization at {GRANTS:,} grants (median per call)")
    for col in ("what", "ours", "floor", "ratio"):
        table.add_column(col, justify="right" if col != "what" else "left")

    def row(what: str, ours: float, floor: float) -> None:
        table.add_row(
            what, f"{ours * 1e6:,.1f} µs", f"{floor * 1e6:,.1f} µs", f"{ours / floor:,.1f}×"
        )

    async with app.router.lifespan_context(app):
        async with services.sessionmaker() as s:
            # A county admin (one grant) and a user with 50 grants.
            user_id = await s.scalar(
                sa.text("SELECT user_id FROM grants WHERE role = 'county_admin' LIMIT 1")
            )
            sid = uuid.uuid4()
            s.add(AuthSession(id=sid, user_id=user_id, client="WEB"))
            many = [
                (
                    await s.execute(
                        sa.text(
                            "INSERT INTO grants (user_id, role, org_id, org_path, city_id) "
                            "SELECT :u, 'auditor', id, path, city_id FROM orgs WHERE level = 'COUNTY' "
                            "ORDER BY id LIMIT 50"
                        ),
                        {"u": user_id},
                    )
                )
            ]
            await s.commit()
            assert many
            principal = await load_principal(s, user_id, sid)
            target = await s.scalar(
                sa.select(Org.path)
                .where(Org.level == OrgLevel.BRANCH)
                .order_by(Org.id.desc())
                .limit(1)
            )

        store = services.policy
        few = type(principal)(user_id=user_id, grants=principal.grants[:2])
        paths = [g.org_path for g in principal.grants]

        def floor_decision() -> bool:  # the bare check: is target under any granted path?
            return any(target == p or target.startswith(p + ".") for p in paths[:2])

        row(
            "decide(): 2 grants",
            per_call(lambda: decide(store, few, Act.VIEW, Obj.CADRE, target), 20000),
            per_call(floor_decision, 20000),
        )
        row(
            f"decide(): {len(principal.grants)} grants",
            per_call(lambda: decide(store, principal, Act.VIEW, Obj.AUDIT, target), 5000),
            per_call(lambda: any(target.startswith(p + ".") for p in paths), 5000),
        )
        row(
            "scope(): 51 grants → roots",
            per_call(lambda: scope(store, principal, Act.VIEW, Obj.AUDIT), 5000),
            per_call(lambda: sorted(paths), 5000),
        )

        conn = await asyncpg.connect(asyncpg_dsn(services.engine))
        raw_grants = "SELECT id, role, org_id, org_path::text FROM grants WHERE user_id = $1 AND revoked_at IS NULL"
        async with services.sessionmaker() as s:
            ours = await per_call_async(lambda: load_principal(s, user_id, sid), 300)
        row(
            "load principal + grants (1 statement)",
            ours,
            await per_call_async(lambda: conn.fetch(raw_grants, user_id), 300),
        )

        sc = scope(store, principal, Act.VIEW, Obj.AUDIT)
        stmt = sa.select(Org).where(sc.predicate(Org.path)).order_by(Org.id).limit(50)
        raw_list = "SELECT * FROM orgs WHERE path <@ ANY($1::ltree[]) ORDER BY id LIMIT 50"
        async with services.sessionmaker() as s:
            ours = await per_call_async(lambda: s.scalars(stmt), 300)
        row(
            "scoped list, 50 orgs (SQLAlchemy ORM)",
            ours,
            await per_call_async(lambda: conn.fetch(raw_list, list(sc.roots)), 300),
        )

        token, _ = issue_access(settings, user_id, sid)
        query = {"query": "{ orgs(first: 50) { nodes { id name level parent { name } } } }"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://b"
        ) as client:
            headers = {"authorization": f"Bearer {token}"}
            r = await client.post("/graphql", json=query, headers=headers)
            assert len(r.json()["data"]["orgs"]["nodes"]) == 50, r.text
            ours = await per_call_async(
                lambda: client.post("/graphql", json=query, headers=headers), 200
            )
        raw_joined = (
            "SELECT o.id, o.name, o.level, p.name FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
            "WHERE o.path <@ ANY($1::ltree[]) AND o.is_active ORDER BY o.id LIMIT 51"
        )
        row(
            "GraphQL request: 50 orgs + parents, end to end",
            ours,
            await per_call_async(lambda: conn.fetch(raw_joined, list(sc.roots)), 300),
        )
        started = time.perf_counter()
        await services.listener.reload()
        reload_s = time.perf_counter() - started
        await conn.close()
        tools = await policy_tools_timings(app, settings, f"{GRANTS:,} grants")
    console.print(table)
    console.print(
        f"policy reload (role templates): {reload_s * 1e3:.1f} ms; grants are never loaded whole"
    )
    demo = await demo_policy_tools()
    console.print(_tools_table([tools, demo]))


async def policy_tools_timings(app, settings: Settings, label: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """whoCan at a branch deep in the tree, and previews of a grant and of a template change
    (the latter touches every holder of the role), over HTTP as the province admin."""
    services = app.state.services
    async with services.sessionmaker() as s:
        admin = (
            await s.execute(
                sa.text(
                    "INSERT INTO users (username, display_name) VALUES ('bench_admin', 'bench') RETURNING id"
                )
            )
        ).scalar_one()
        await s.execute(
            sa.text(
                "INSERT INTO grants (user_id, role, org_id, org_path, city_id) "
                "SELECT :u, 'province_admin', id, path, city_id FROM orgs WHERE parent_id IS NULL"
            ),
            {"u": admin},
        )
        sid = uuid.uuid4()
        s.add(AuthSession(id=sid, user_id=admin, client="WEB"))
        branch = await s.scalar(
            sa.select(Org.id).where(Org.level == OrgLevel.BRANCH).order_by(Org.id.desc()).limit(1)
        )
        holders = await s.scalar(
            sa.text("SELECT count(*) FROM grants WHERE role = 'cadre' AND revoked_at IS NULL")
        )
        await s.commit()
    token, _ = issue_access(settings, admin, sid)
    headers = {"authorization": f"Bearer {token}"}
    org = _gid("Org", branch)
    who = {
        "query": "query($o: ID!) { whoCan(action: VIEW, object: CADRE, orgId: $o, first: 100) { totalCount } }",
        "variables": {"o": org},
    }
    what = {
        "query": """query($u: ID!) { whatCan(userId: $u, action: VIEW, object: YOUTH) {
        nodes { orgs objects } } }""",
        "variables": {"u": _gid("User", admin)},
    }
    grant_preview = {
        "query": """query($o: ID!, $u: ID!) { previewPolicyChange(changes: [{kind: ADD_GRANT, userId: $u,
        role: "county_admin", orgId: $o}]) { gainedCount } }""",
        "variables": {"o": org, "u": _gid("User", admin)},
    }
    template_preview = {
        "query": """{ previewPolicyChange(changes: [{kind: ADD_PERMISSION, role: "cadre", object: WORK,
        action: VIEW}]) { gainedCount } }"""
    }
    out: dict[str, object] = {"where": label, "cadre holders": holders}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://b", timeout=600
    ) as client:
        for name, body, n in (
            ("whoCan", who, 50),
            ("whatCan (province, youth counted)", what, 20),
            ("preview: one grant", grant_preview, 20),
            ("preview: template of every cadre", template_preview, 3),
        ):
            r = await client.post("/graphql", json=body, headers=headers)
            assert "errors" not in r.json(), r.text
            out[name] = await per_call_async(
                lambda b=body: client.post("/graphql", json=b, headers=headers), n
            )
    return out


async def demo_policy_tools() -> dict[str, object]:
    """The same over the demo province (Shaanxi: ~2.4k orgs, ~1.3k cadres)."""
    from app.demo import seed_demo

    url = database_url("youthlink_bench_demo")
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        environment="test", rate_limit_per_minute=0, expensive_per_minute=0, database_url=None
    )
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        async with app.state.services.sessionmaker() as s:
            await seed_demo(s)
            await s.commit()
        return await policy_tools_timings(app, settings, "demo province")


def _gid(kind: str, pk: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode()


TOOLS = (
    "whoCan",
    "whatCan (province, youth counted)",
    "preview: one grant",
    "preview: template of every cadre",
)


def _tools_table(rows: list[dict[str, object]]) -> Table:
    t = Table(title="policy tools over HTTP (median per call)")
    for col in (
        "where",
        "cadre holders",
        *TOOLS,
    ):
        t.add_column(col, justify="left" if col == "where" else "right")
    for r in rows:
        t.add_row(
            str(r["where"]),
            f"{r['cadre holders']:,}",
            *(f"{float(r[k]) * 1e3:,.1f} ms" for k in TOOLS),
        )
    return t


if __name__ == "__main__":
    asyncio.run(main())
