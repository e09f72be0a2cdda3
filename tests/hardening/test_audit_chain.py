"""The audit chain: sealed in lock order at commit, every break reported, epochs for old
false alarms (from the first chain's race) without rewriting anything."""

from __future__ import annotations

import asyncio
import os

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import upgrade
from resolvers.audit import verify_chain
from tests.hardening.test_operations import _cli
from tests.helpers import add_user, gid, standard_tree

RENAME = "mutation($id: ID!, $n: String!) { updateOrg(input: {id: $id, name: $n}) { name } }"
CHECK = (
    "{ verifyAuditChain { ok checked firstBadId breaks { kind seq entryId acknowledgedBySeq } } }"
)


async def _as_intruder(api, *statements: str) -> None:
    """What someone with the table owner's rights and the guards switched off could do."""
    async with api.services.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        for statement in statements:
            await conn.execute(sa.text(statement))
        await conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


async def test_every_break_is_reported_not_only_the_first(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin", "auditor"))
    t = await api.token_for(admin.id)
    for name in ("一", "二", "三", "四", "五"):
        await api.gql(RENAME, {"id": gid("Org", tree["A"].id), "n": name}, token=t)
    assert (await api.gql(CHECK, token=t)).data["verifyAuditChain"] == {
        "ok": True,
        "checked": 5,
        "firstBadId": None,
        "breaks": [],
    }
    async with api.services.engine.connect() as conn:
        ids = list(await conn.scalars(sa.text("SELECT entry_id FROM audit_chain ORDER BY seq")))
    await _as_intruder(
        api,
        f"""UPDATE audit_log SET after = '{{"name": "改"}}' WHERE id = {ids[1]}""",
        f"DELETE FROM audit_log WHERE id = {ids[3]}",
    )
    check = (await api.gql(CHECK, token=t)).data["verifyAuditChain"]
    assert check["ok"] is False and check["firstBadId"] == gid("AuditEntry", ids[1])
    assert [(b["kind"], b["seq"], b["entryId"]) for b in check["breaks"]] == [
        ("altered", 2, gid("AuditEntry", ids[1])),
        ("deleted", 4, gid("AuditEntry", ids[3])),
    ]
    # An entry slipped in with the seal switched off, and a cut tail, show as well.
    async with api.services.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_seal"))
        await conn.execute(
            sa.text(
                "INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('x', 'Org', '1')"
            )
        )
        await conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_seal"))
        await conn.execute(sa.text("ALTER TABLE audit_chain DISABLE TRIGGER USER"))
        await conn.execute(sa.text("DELETE FROM audit_chain WHERE seq = 5"))
        await conn.execute(sa.text("ALTER TABLE audit_chain ENABLE TRIGGER USER"))
    async with api.services.sessionmaker() as s:
        kinds = [b.kind for b in (await verify_chain(s)).breaks]
    assert kinds == ["altered", "deleted", "head", "unsealed", "unsealed"]


async def test_the_chain_is_in_seal_order_when_ids_were_handed_out_in_another(api) -> None:
    """An entry whose id was taken before another's but whose transaction commits after it
    is linked after it (the first chain linked by id and broke here by itself)."""
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin", "auditor"))
    early = api.services.sessionmaker()
    first_id = int(await early.scalar(sa.text("SELECT nextval('audit_log_id_seq')")))
    r = await api.gql(
        RENAME, {"id": gid("Org", tree["A"].id), "n": "后封"}, token=await api.token_for(admin.id)
    )
    assert r.data
    await early.execute(
        sa.text(
            "INSERT INTO audit_log (id, action, entity_type, entity_id) VALUES (:i, 'x', 'Org', '1')"
        ),
        {"i": first_id},
    )
    await early.commit()
    await early.close()
    async with api.services.sessionmaker() as s:
        order = list(await s.scalars(sa.text("SELECT entry_id FROM audit_chain ORDER BY seq")))
        check = await verify_chain(s)
    assert order[-1] == first_id and order[0] > first_id
    assert check.ok and check.checked == 2, check.breaks


async def test_an_epoch_acknowledges_old_false_breaks_and_nothing_else(database_url) -> None:
    """An installation whose first chain broke by itself (ids handed out before the lock):
    after migrating, audit-verify lists the false breaks, audit-epoch acknowledges them in
    an audited entry, and a later change at the same place is reported again."""
    admin_url = sa.engine.make_url(database_url).set(database="postgres")
    target = sa.engine.make_url(database_url).set(database=f"epoch_{os.getpid()}")
    url = target.render_as_string(hide_password=False)
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        await conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    engine = create_async_engine(url)
    try:
        await asyncio.to_thread(upgrade, url, "0008")
        insert = "INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('org.update', 'Org', '1')"
        async with engine.begin() as conn:  # the race of the first chain, replayed
            await conn.execute(sa.text(insert))
            early = int(await conn.scalar(sa.text("SELECT nextval('audit_log_id_seq')")))
            await conn.execute(sa.text(insert))
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO audit_log (id, action, entity_type, entity_id) "
                    "VALUES (:i, 'org.update', 'Org', '1')"
                ),
                {"i": early},
            )
            await conn.execute(sa.text(insert))
        await asyncio.to_thread(upgrade, url)

        verified = await asyncio.to_thread(_cli, "audit-verify", url=url)
        assert verified.returncode == 1 and "BROKEN: 2 open breaks" in verified.stdout
        lines = [line.split() for line in verified.stdout.splitlines()[1:]]
        assert [(w[0], w[2]) for w in lines] == [("link", "2"), ("link", "3")], verified.stdout
        assert (await asyncio.to_thread(_cli, "audit-epoch", url=url)).returncode != 0  # a reason
        started = await asyncio.to_thread(
            _cli, "audit-epoch", "--reason", "0006 版哈希链的并发误报", url=url
        )
        assert started.returncode == 0 and "2 breaks acknowledged" in started.stdout, started
        verified = await asyncio.to_thread(_cli, "audit-verify", url=url)
        assert verified.returncode == 0 and "OK (2 acknowledged)" in verified.stdout
        async with engine.connect() as conn:
            epoch = (
                await conn.execute(
                    sa.text(
                        "SELECT actor_user_id, after FROM audit_log WHERE action = 'audit.epoch'"
                    )
                )
            ).one()
        assert epoch.after["reason"] == "0006 版哈希链的并发误报"
        assert len(epoch.after["acknowledged"]) == 2 and epoch.after["operator"]
        again = await asyncio.to_thread(_cli, "audit-epoch", "--reason", "再来一次", url=url)
        assert "no open break" in again.stdout

        # Someone now rewrites the entry before an acknowledged link, hash and all: the
        # link no longer matches what was acknowledged, so it is open again.
        async with engine.begin() as conn:
            await conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            await conn.execute(sa.text("ALTER TABLE audit_chain DISABLE TRIGGER USER"))
            await conn.execute(sa.text("UPDATE audit_log SET entity_id = '2' WHERE id = 1"))
            await conn.execute(
                sa.text(
                    "UPDATE audit_chain c SET hash = audit_entry_digest_v1(c.prev_hash, a) "
                    "FROM audit_log a WHERE a.id = c.entry_id AND a.id = 1"
                )
            )
            await conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            await conn.execute(sa.text("ALTER TABLE audit_chain ENABLE TRIGGER USER"))
        async with engine.connect() as conn:
            from sqlalchemy.ext.asyncio import AsyncSession

            check = await verify_chain(AsyncSession(conn))
        assert not check.ok
        assert [(b.kind, b.seq) for b in check.open_breaks] == [("link", 2)]
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        await admin.dispose()
