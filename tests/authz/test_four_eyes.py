"""Four-eyes: a change to the templates, a field rule, a field exception or an imported
policy that would widen its maker's own rights is refused (NEEDS_SECOND_APPROVAL); filed as
a change request it takes effect only when another policy admin approves it. Audited."""

from __future__ import annotations

import sqlalchemy as sa

from models import AuditEntry, FieldGrant, PolicyChangeRequest, RolePermission
from tests.helpers import add_user, count_rows, gid, snapshot, standard_tree

ADD = "mutation($r: String!) { addPermission(role: $r, object: YOUTH, action: VIEW_PERSONAL) { name } }"
RULE = """mutation($r: String!) { setFieldRule(role: $r, object: YOUTH, field: "mobile", maxDistance: 99,
  minors: true) }"""
EXCEPTION = """mutation($u: ID!, $o: ID!) { grantFieldAccess(userId: $u, object: YOUTH, field: "mobile",
  orgId: $o, reason: "核实", minors: true) }"""
APPLY = """mutation($c: [PolicyChangeInput!]!) { applyPolicyChange(changes: $c) { gainedCount } }"""
REQUEST = """mutation($i: PolicyChangeRequestInput!) { requestPolicyChange(input: $i) {
  id kind status summary requestedBy } }"""
DECIDE = """mutation($id: ID!) { %s(id: $id, note: "已核实") { status decidedBy note } }"""
PENDING = "{ policyChangeRequests { totalCount nodes { id kind status } } }"


def needs_second(r) -> None:
    e = r.error("FORBIDDEN")
    assert e["extensions"]["reason"] == "NEEDS_SECOND_APPROVAL", r.body
    assert "另一位权限管理员" in e["message"]


async def test_widening_ones_own_rights_is_refused_without_a_second_admin(api) -> None:
    tree = await standard_tree(api.services)
    first = await add_user(api.services, "padmin1", org=tree["P"], roles=("policy_admin",))
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    ft, pt = await api.token_for(first.id), await api.token_for(prov.id)
    before = await snapshot(api.services)
    # The path: its own role gets view_personal, its own rule reaches minors, an
    # exception for itself, a batch or an imported document doing the same.
    needs_second(await api.gql(ADD, {"r": "policy_admin"}, token=ft))
    needs_second(await api.gql(RULE, {"r": "policy_admin"}, token=ft))
    needs_second(await api.gql(RULE, {"r": "province_admin"}, token=pt))  # minors: wider
    needs_second(
        await api.gql(
            EXCEPTION, {"u": gid("User", first.id), "o": gid("Org", tree["P"].id)}, token=ft
        )
    )
    change = {"kind": "ADD_PERMISSION", "role": "policy_admin", "object": "YOUTH", "action": "VIEW"}
    needs_second(await api.gql(APPLY, {"c": [change]}, token=ft))
    doc = (await api.gql("{ exportPolicy }", token=ft)).data["exportPolicy"]
    wider = {**doc, "permissions": [*doc["permissions"], ["policy_admin", "audit", "view"]]}
    needs_second(
        await api.gql(
            "mutation($d: JSON!) { importPolicy(document: $d) { permissions } }",
            {"d": wider},
            token=ft,
        )
    )
    assert await snapshot(api.services) == before  # nothing written, nothing filed
    # What does not touch one's own rights needs no one else.
    ok = await api.gql(ADD, {"r": "city_admin"}, token=ft)
    assert ok.data
    ok = await api.gql(
        'mutation { setFieldRule(role: "province_admin", object: YOUTH, field: "mobile", maxDistance: 3) }',
        token=pt,
    )
    assert ok.data  # narrower


async def test_a_second_policy_admin_approves_or_rejects(api) -> None:
    tree = await standard_tree(api.services)
    first = await add_user(api.services, "padmin1", org=tree["P"], roles=("policy_admin",))
    second = await add_user(api.services, "padmin2", org=tree["P"], roles=("policy_admin",))
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    ft, st = await api.token_for(first.id), await api.token_for(second.id)
    line = {
        "kind": "ADD_PERMISSION",
        "role": "policy_admin",
        "object": "YOUTH",
        "action": "VIEW_PERSONAL",
    }
    filed = (await api.gql(REQUEST, {"i": line}, token=ft)).data["requestPolicyChange"]
    assert filed["status"] == "PENDING" and filed["requestedBy"] == gid("User", first.id)
    assert "policy_admin" in filed["summary"]
    exception = {
        "kind": "GRANT_FIELD_ACCESS",
        "userId": gid("User", first.id),
        "object": "YOUTH",
        "field": "mobile",
        "orgId": gid("Org", tree["P"].id),
        "reason": "全省核查",
    }
    other = (await api.gql(REQUEST, {"i": exception}, token=ft)).data["requestPolicyChange"]
    bad = await api.gql(
        REQUEST, {"i": {"kind": "SET_FIELD_RULE", "role": "policy_admin"}}, token=ft
    )
    assert bad.codes == ["BAD_USER_INPUT"]
    ghost = await api.gql(REQUEST, {"i": {**line, "role": "ghost"}}, token=ft)
    assert ghost.codes == ["NOT_FOUND"]  # told now, not when a second admin approves
    # Filed, nothing changed yet; the requester cannot approve their own; a city admin cannot.
    assert await _has_line(api) is False
    needs_second(await api.gql(DECIDE % "approvePolicyChange", {"id": filed["id"]}, token=ft))
    r = await api.gql(
        DECIDE % "approvePolicyChange", {"id": filed["id"]}, token=await api.token_for(city.id)
    )
    assert r.codes == ["FORBIDDEN"] and await _has_line(api) is False
    assert (await api.gql(PENDING, token=st)).data["policyChangeRequests"]["totalCount"] == 2
    # The second admin approves the first: it takes effect; rejects the second: nothing.
    done = (await api.gql(DECIDE % "approvePolicyChange", {"id": filed["id"]}, token=st)).data
    assert done["approvePolicyChange"] == {
        "status": "APPROVED",
        "decidedBy": gid("User", second.id),
        "note": "已核实",
    }
    assert await _has_line(api) is True
    again = await api.gql(DECIDE % "approvePolicyChange", {"id": filed["id"]}, token=st)
    assert again.codes == ["CONFLICT"]
    no = (await api.gql(DECIDE % "rejectPolicyChange", {"id": other["id"]}, token=st)).data
    assert no["rejectPolicyChange"]["status"] == "REJECTED"
    assert await count_rows(api.services, FieldGrant) == 0
    assert (await api.gql(PENDING, token=st)).data["policyChangeRequests"]["totalCount"] == 0
    async with api.services.sessionmaker() as s:
        trail = (
            await s.execute(
                sa.select(AuditEntry.action, AuditEntry.actor_user_id).order_by(AuditEntry.id)
            )
        ).all()
        statuses = set(await s.scalars(sa.select(PolicyChangeRequest.status)))
    assert [tuple(t) for t in trail] == [
        ("policy.change_request", first.id),
        ("policy.change_request", first.id),
        ("policy.add", second.id),
        ("policy.change_request.approve", second.id),
        ("policy.change_request.reject", second.id),
    ]
    assert statuses == {"APPROVED", "REJECTED"}


async def _has_line(api) -> bool:
    async with api.services.sessionmaker() as s:
        n = await s.scalar(
            sa.select(sa.func.count())
            .select_from(RolePermission)
            .where(
                RolePermission.role == "policy_admin",
                RolePermission.object == "youth",
                RolePermission.action == "view_personal",
            )
        )
    return bool(n)
