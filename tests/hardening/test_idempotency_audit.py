"""Idempotent retries, the audit log's hash chain, and the app role's limits."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from models import AuditEntry, Youth
from resolvers.audit import verify_chain
from tests.helpers import add_user, count_rows, gid, standard_tree

CREATE = 'mutation($o: ID!, $m: String!) { createYouth(input: {orgId: $o, name: "重试", mobile: $m}) { id name } }'


async def test_a_retry_returns_the_first_answer_and_writes_nothing(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "county", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(admin.id)
    headers = {"Idempotency-Key": "mobile-req-0001"}
    first = await api.gql(
        CREATE, {"o": gid("Org", tree["A1"].id), "m": "13100000001"}, token=t, headers=headers
    )
    again = await api.gql(
        CREATE, {"o": gid("Org", tree["A1"].id), "m": "13100000001"}, token=t, headers=headers
    )
    assert first.body == again.body and first.data["createYouth"]["name"] == "重试"
    assert await count_rows(api.services, Youth) == 1
    audit_rows = await count_rows(api.services, AuditEntry)
    other = await api.gql(
        CREATE, {"o": gid("Org", tree["A1"].id), "m": "13100000002"}, token=t, headers=headers
    )
    assert other.codes == ["CONFLICT"]  # the key was used for another request
    bad = await api.gql(
        CREATE,
        {"o": gid("Org", tree["A1"].id), "m": "13100000003"},
        token=t,
        headers={"Idempotency-Key": "short"},
    )
    assert bad.codes == ["BAD_USER_INPUT"]
    assert (
        await count_rows(api.services, Youth) == 1
        and await count_rows(api.services, AuditEntry) == audit_rows
    )
    # Without a key, the same request is a new request (and here a duplicate mobile).
    assert (
        await api.gql(CREATE, {"o": gid("Org", tree["A1"].id), "m": "13100000001"}, token=t)
    ).codes == ["CONFLICT"]


async def test_concurrent_retries_write_once(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "county", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(admin.id)
    headers = {"Idempotency-Key": "mobile-req-0002"}
    results = await asyncio.gather(
        *(
            api.gql(
                CREATE,
                {"o": gid("Org", tree["A1"].id), "m": "13100000009"},
                token=t,
                headers=headers,
            )
            for _ in range(4)
        )
    )
    assert all(r.codes == [] for r in results), [r.body for r in results]
    assert len({r.data["createYouth"]["id"] for r in results}) == 1
    assert await count_rows(api.services, Youth) == 1


async def test_the_audit_chain_detects_tampering(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin", "auditor"))
    t = await api.token_for(admin.id)
    for name in ("一", "二", "三"):
        await api.gql(
            "mutation($id: ID!, $n: String!) { updateOrg(input: {id: $id, name: $n}) { name } }",
            {"id": gid("Org", tree["A"].id), "n": name},
            token=t,
        )
    ok = await api.gql("{ verifyAuditChain { ok checked firstBadId } }", token=t)
    assert ok.data["verifyAuditChain"] == {"ok": True, "checked": 3, "firstBadId": None}
    async with api.services.engine.begin() as conn:  # an intruder with the trigger off
        await conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        second = await conn.scalar(sa.text("SELECT id FROM audit_log ORDER BY id OFFSET 1 LIMIT 1"))
        await conn.execute(
            sa.text('UPDATE audit_log SET after = \'{"name": "改"}\' WHERE id = :i'), {"i": second}
        )
        await conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    broken = await api.gql("{ verifyAuditChain { ok firstBadId } }", token=t)
    assert broken.data["verifyAuditChain"] == {"ok": False, "firstBadId": gid("AuditEntry", second)}
    async with api.services.sessionmaker() as s:
        assert (await verify_chain(s)).first_bad_id == second
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    assert (
        await api.gql("{ verifyAuditChain { ok } }", token=await api.token_for(city.id))
    ).codes == ["NOT_FOUND"]


async def test_the_app_role_cannot_rewrite_audit_or_points(api) -> None:
    async with api.services.engine.connect() as conn:
        await conn.execute(sa.text("SET ROLE youthlink_app"))
        assert (await conn.execute(sa.text("SELECT count(*) FROM audit_log"))).scalar_one() == 0
        for statement in (
            "UPDATE audit_log SET action = 'x'",
            "DELETE FROM point_entries",
            "TRUNCATE audit_log",
        ):
            try:
                await conn.execute(sa.text(statement))
            except sa.exc.DBAPIError as exc:
                assert "permission denied" in str(exc)
                await conn.rollback()
                await conn.execute(sa.text("SET ROLE youthlink_app"))
            else:
                raise AssertionError(statement)


async def test_mutations_are_audited_with_request_ids(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(admin.id)
    r = await api.client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"o": gid("Org", tree["A1"].id), "m": "13100000005"}},
        headers={"authorization": f"Bearer {t}", "x-request-id": "req-audit-1"},
    )
    assert r.json()["data"]["createYouth"]
    entries = (
        await api.gql("{ auditLog { nodes { action requestId actorUserId after } } }", token=t)
    ).data["auditLog"]["nodes"]
    assert entries == [
        {
            "action": "youth.create",
            "requestId": "req-audit-1",
            "actorUserId": gid("User", admin.id),
            "after": {
                "name": "重*",
                "mobile": "131****0005",
                "industry": "",
                "org_id": tree["A1"].id,
                "membership": None,  # 团员/青年 not stated on import
            },
        }
    ]
