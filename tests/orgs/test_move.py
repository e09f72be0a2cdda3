"""Moving a subtree that holds everything: points (an append-only ledger) and their
snapshots, a published bulletin, escalated wishes, grants, a delegation and audit rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from models import AuditEntry, Bulletin, Org, PointEntry, PointSnapshot, Wish
from resolvers.orgs import tenant_tables
from resolvers.points import take_snapshot
from tests.helpers import add_user, gid, league_today
from tests.work.conftest import make_cadre
from tests.youth.conftest import linked_youth

MOVE = "mutation($id: ID!, $to: ID!) { moveOrg(id: $id, newParentId: $to) { id parent { name } } }"
ACTIVITY = """mutation($k: ActivityKind!, $at: DateTime!) {
  logActivity(input: {kind: $k, content: "活动记录", occurredAt: $at, place: "社区", participantIds: []}) { id } }"""
SUBMIT_WISH = """mutation($c: ID!) { submitWish(cadreId: $c, category: LIFE, title: "冬衣", description: "需要一件棉衣") { id } }"""
ESCALATE = "mutation($id: ID!) { actOnWish(id: $id, action: ESCALATE) { status } }"
DELEGATE = """mutation($to: ID!, $o: ID!, $s: DateTime!, $e: DateTime!) {
  delegateRole(toUserId: $to, role: "county_admin", orgId: $o, startsAt: $s, endsAt: $e, note: "出差期间代管") }"""


async def escalated_wish(api, tree, cadre_token: str, cadre_gid: str, mobile: str, org: str) -> int:
    youth_token, _ = await linked_youth(api, tree, cadre_token, "小明" + mobile[-1], mobile, org)
    wish = (await api.gql(SUBMIT_WISH, {"c": cadre_gid}, token=youth_token)).data["submitWish"]
    assert (await api.gql(ESCALATE, {"id": wish["id"]}, token=cadre_token)).data
    async with api.services.sessionmaker() as s:
        return int(await s.scalar(sa.select(sa.func.max(Wish.id))))


async def a_subtree_with_everything(api, tree) -> dict:
    """County A1 with its branch A1x: a cadre with points and a snapshot, a published
    bulletin, an escalated wish, grants, a delegation, and the audit rows all that wrote."""
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    admin_t = await api.token_for(admin.id)
    _, worker_t, _ = await make_cadre(api, tree, "worker", "A1", 2, 0)
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    for kind in ("VOLUNTEER", "HEART_TALK"):
        assert (await api.gql(ACTIVITY, {"k": kind, "at": at}, token=worker_t)).data
    async with api.services.sessionmaker() as s:
        await take_snapshot(s, league_today(api.services))
        await s.commit()
    branch_cadre = await add_user(api.services, "branchc", org=tree["A1x"], roles=("cadre",))
    bc_t = await api.token_for(branch_cadre.id)
    from tests.helpers import cadre_id_of

    bc_gid = gid("Cadre", await cadre_id_of(api.services, branch_cadre))
    wish = await escalated_wish(api, tree, bc_t, bc_gid, "13200000001", "A1x")
    today = league_today(api.services)
    bulletin = (
        await api.gql(
            "mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) { id } }",
            {"o": gid("Org", tree["A1"].id), "y": today.year, "q": (today.month - 1) // 3 + 1},
            token=admin_t,
        )
    ).data["generateBulletin"]["id"]
    assert (
        await api.gql(
            "mutation($id: ID!) { publishBulletin(id: $id) { published } }",
            {"id": bulletin},
            token=admin_t,
        )
    ).data
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A1x"], roles=("cadre",))
    now = datetime.now(UTC)
    window = {
        "s": (now - timedelta(minutes=1)).isoformat(),
        "e": (now + timedelta(days=7)).isoformat(),
    }
    delegated = await api.gql(
        DELEGATE,
        {"to": gid("User", deputy.id), "o": gid("Org", tree["A1"].id), **window},
        token=await api.token_for(county.id),
    )
    assert delegated.data["delegateRole"]
    return {"admin": admin_t, "wish": wish}


async def frozen_columns(api) -> dict[str, list]:
    """What a move must leave alone: every column of the ledger and of published bulletins
    except their paths, and the audit log whole."""
    async with api.services.sessionmaker() as s:
        points = (
            await s.execute(
                sa.select(
                    PointEntry.id, PointEntry.points, PointEntry.source, PointEntry.cadre_id
                ).order_by(PointEntry.id)
            )
        ).all()
        bulletins = (
            await s.execute(
                sa.select(
                    Bulletin.id, Bulletin.rows, Bulletin.published, Bulletin.published_at
                ).order_by(Bulletin.id)
            )
        ).all()
        audit = (
            (await s.execute(sa.text("SELECT a::text FROM audit_log a ORDER BY id")))
            .scalars()
            .all()
        )
    return {"points": list(points), "bulletins": list(bulletins), "audit": list(audit)}


async def test_moving_a_subtree_that_holds_everything(api) -> None:
    from tests.helpers import standard_tree

    tree = await standard_tree(api.services)
    made = await a_subtree_with_everything(api, tree)
    before = await frozen_columns(api)
    assert before["points"] and before["bulletins"][0].published and before["audit"]

    r = await api.gql(
        MOVE, {"id": gid("Org", tree["A1"].id), "to": gid("Org", tree["B"].id)}, token=made["admin"]
    )
    assert r.data["moveOrg"]["parent"]["name"] == "乙市"

    after = await frozen_columns(api)
    assert after["points"] == before["points"] and after["bulletins"] == before["bulletins"]
    assert after["audit"][: len(before["audit"])] == before["audit"]  # history is not rewritten
    async with api.services.sessionmaker() as s:
        orgs = {o.id: (o.path, o.city_id) for o in (await s.scalars(sa.select(Org))).all()}
        assert orgs[tree["A1x"].id] == (
            f"{tree['B'].path}.{tree['A1'].id}.{tree['A1x'].id}",
            tree["B"].id,
        )
        for model in tenant_tables():  # every tenant-owned row, append-only ones included
            rows = (await s.execute(sa.select(model.org_id, model.org_path, model.city_id))).all()
            assert all((path, city) == orgs[org] for org, path, city in rows), model.__name__
        cadre_paths = dict(
            (await s.execute(sa.text("SELECT id, org_path::text FROM cadres"))).all()
        )
        snaps = (await s.execute(sa.select(PointSnapshot.cadre_id, PointSnapshot.org_path))).all()
        assert snaps and all(path == cadre_paths[c] for c, path in snaps)
        wish = await s.get(Wish, made["wish"])
        assert wish.pool_org_id == tree["A1"].id  # the county's pool moved with the county
        assert wish.pool_org_path == orgs[tree["A1"].id][0]
        move = await s.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "org.move")
            .order_by(AuditEntry.id.desc())
        )
    rewritten = move.after["rewritten"]
    for table in ("point_entries", "point_snapshots", "bulletins", "grants", "wishes", "work_logs"):
        assert rewritten.get(table, 0) >= 1, (table, rewritten)
    assert rewritten["wishes.pool_org_path"] == 1

    # Outside a move the ledger and the published bulletin refuse even a path change (on a
    # fresh connection too, where the move's setting was never made).
    fresh = sa.ext.asyncio.create_async_engine(api.services.engine.url, poolclass=sa.pool.NullPool)
    async with fresh.connect() as conn:
        for statement in (
            "UPDATE point_entries SET org_path = org_path",
            "UPDATE bulletins SET org_path = org_path",
            "UPDATE point_entries SET points = points + 1",
        ):
            try:
                await conn.execute(sa.text(statement))
            except sa.exc.DBAPIError as exc:
                assert "append-only" in str(exc) or "published" in str(exc)
                await conn.rollback()
            else:
                raise AssertionError(statement)
        # And during one, only the path columns may change.
        await conn.execute(sa.text("SELECT set_config('youthlink.org_move', 'on', true)"))
        try:
            await conn.execute(sa.text("UPDATE point_entries SET points = points + 1"))
        except sa.exc.DBAPIError as exc:
            assert "append-only" in str(exc)
            await conn.rollback()
        else:
            raise AssertionError("a move let a point's value change")
    await fresh.dispose()

    # The new city's admin now sees the moved county's work and its ranking by points.
    b_admin = await add_user(api.services, "adminB", org=tree["B"], roles=("city_admin",))
    seen = await api.gql(
        "query($o: ID!) { dashboard(orgId: $o) { logs } cadreRanking(orgId: $o, source: LIVE) { nodes { name points } } }",
        {"o": gid("Org", tree["B"].id)},
        token=await api.token_for(b_admin.id),
    )
    assert seen.data["dashboard"]["logs"] == 2
    ranked = seen.data["cadreRanking"]["nodes"]
    assert sum(r["points"] for r in ranked) == sum(p.points for p in before["points"]) > 0


async def test_a_wish_waiting_in_a_pool_follows_its_branch_to_the_new_county(api) -> None:
    from tests.helpers import cadre_id_of, standard_tree

    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    cadre = await add_user(api.services, "branchc", org=tree["A1x"], roles=("cadre",))
    ct = await api.token_for(cadre.id)
    wish_id = await escalated_wish(
        api, tree, ct, gid("Cadre", await cadre_id_of(api.services, cadre)), "13200000005", "A1x"
    )
    async with api.services.sessionmaker() as s:
        assert (await s.get(Wish, wish_id)).pool_org_id == tree["A1"].id
    r = await api.gql(
        MOVE,
        {"id": gid("Org", tree["A1x"].id), "to": gid("Org", tree["A2"].id)},
        token=await api.token_for(admin.id),
    )
    assert r.data["moveOrg"]["parent"]["name"] == "甲二县"
    async with api.services.sessionmaker() as s:
        wish = await s.get(Wish, wish_id)
        a2 = await s.get(Org, tree["A2"].id)
    assert (wish.pool_org_id, wish.pool_org_path) == (a2.id, a2.path)
