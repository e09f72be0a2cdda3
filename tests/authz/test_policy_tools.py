"""who can / what can, previews that match what applying does, delegation, guarded fields,
policy documents, and the role × position × operation table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from authz import Act, Obj
from authz.defaults import default_lines, default_roles
from models import AuditEntry, Grant, Youth
from resolvers.pagination import encode_cursor as cursor
from resolvers.policy_tools import _rights
from tests.helpers import add_grant, add_user, add_youth, gid, pk_of, standard_tree

WHO = """query($a: PolicyAction!, $o: PolicyObject!, $org: ID!) { whoCan(action: $a, object: $o, orgId: $org) {
  totalCount nodes { name role delegatedBy } } }"""


async def test_who_can_and_what_can(api) -> None:
    tree = await standard_tree(api.services)
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    await add_user(api.services, "cityB", org=tree["B"], roles=("city_admin",))
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(prov.id)
    r = await api.gql(WHO, {"a": "VIEW", "o": "CADRE", "org": gid("Org", tree["A1x"].id)}, token=t)
    names = sorted(h["name"] for h in r.data["whoCan"]["nodes"])
    assert names == ["cityA", "countyA1", "prov"]  # not cityB (a sibling), not the plain cadres
    for i, org in enumerate(("A1x", "A1x", "A1", "B")):
        await add_youth(api.services, f"y{i}", f"1390000000{i}", tree[org])
    what = await api.gql(WHAT, {"u": gid("User", county.id), "a": "MANAGE", "o": "YOUTH"}, token=t)
    assert what.data["whatCan"] == {
        "totalCount": 1,
        "nodes": [{"org": {"name": "甲一县"}, "orgs": 2, "objects": 3}],  # not B's youth
        "pageInfo": {"hasNextPage": False, "endCursor": cursor(tree["A1"].id)},
    }
    # Two disjoint subtrees, a page at a time; a global object has no records to count.
    await add_grant(api.services, county.id, "county_admin", tree["B"])
    pages, after = [], None
    for _ in range(3):
        r = await api.gql(
            WHAT,
            {"u": gid("User", county.id), "a": "VIEW", "o": "QUOTA", "first": 1, "after": after},
            token=t,
        )
        assert r.data["whatCan"]["totalCount"] == 2
        pages += r.data["whatCan"]["nodes"]
        after = r.data["whatCan"]["pageInfo"]["endCursor"]
        if not r.data["whatCan"]["pageInfo"]["hasNextPage"]:
            break
    assert [(p["org"]["name"], p["objects"]) for p in pages] == [("乙市", None), ("甲一县", None)]
    city_t = await api.token_for(
        (await add_user(api.services, "viewerB", org=tree["B"], roles=("city_admin",))).id
    )
    assert (
        await api.gql(
            WHO, {"a": "VIEW", "o": "CADRE", "org": gid("Org", tree["A1"].id)}, token=city_t
        )
    ).codes == ["NOT_FOUND"]
    hidden = await api.gql(
        WHAT, {"u": gid("User", county.id), "a": "VIEW", "o": "CADRE"}, token=city_t
    )
    names = [p["org"]["name"] for p in hidden.data["whatCan"]["nodes"]]
    assert names == ["乙市"]  # B's admin sees the grant in B, none of A1's reach


WHAT = """query($u: ID!, $a: PolicyAction!, $o: PolicyObject!, $first: Int, $after: String) {
  whatCan(userId: $u, action: $a, object: $o, first: $first, after: $after) {
    totalCount nodes { org { name } orgs objects } pageInfo { hasNextPage endCursor } } }"""


PREVIEW = """query($c: [PolicyChangeInput!]!) { previewPolicyChange(changes: $c) { gainedCount lostCount
  gained { userId action object subtree { name } } lost { userId action object subtree { name } } } }"""
APPLY = PREVIEW.replace("query", "mutation").replace("previewPolicyChange", "applyPolicyChange")


async def _all_rights(api) -> set:
    async with api.services.sessionmaker() as s:
        rows = (
            await s.execute(
                sa.select(
                    Grant.user_id,
                    Grant.id,
                    Grant.role,
                    Grant.org_id,
                    Grant.org_path,
                    Grant.delegated_by,
                ).where(Grant.revoked_at.is_(None))
            )
        ).all()
    from collections import defaultdict

    from authz import GrantRef

    grants = defaultdict(list)
    for r in rows:
        grants[r.user_id].append(GrantRef(r.id, r.role, r.org_id, r.org_path, r.delegated_by))
    return _rights(api.services.policy.allows, grants)


async def test_preview_then_apply_gives_exactly_that_diff(api) -> None:
    tree = await standard_tree(api.services)
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"], roles=("cadre",))
    old = await add_user(api.services, "old", org=tree["B1"], roles=("county_admin",))
    t = await api.token_for(prov.id)
    async with api.services.sessionmaker() as s:
        old_grant = await s.scalar(
            sa.select(Grant.id).where(Grant.user_id == old.id, Grant.role == "county_admin")
        )
    changes = [
        {
            "kind": "ADD_GRANT",
            "userId": gid("User", bob.id),
            "role": "county_admin",
            "orgId": gid("Org", tree["A1"].id),
        },
        {"kind": "REVOKE_GRANT", "grantId": gid("Grant", old_grant)},
        {"kind": "ADD_PERMISSION", "role": "cadre", "object": "WORK", "action": "VIEW"},
    ]
    before = await _all_rights(api)
    preview = (await api.gql(PREVIEW, {"c": changes}, token=t)).data["previewPolicyChange"]
    assert preview["gainedCount"] > 0 and preview["lostCount"] > 0
    assert await _all_rights(api) == before  # a preview changes nothing
    applied = (await api.gql(APPLY, {"c": changes}, token=t)).data["applyPolicyChange"]
    assert applied == preview
    await api.services.listener.reload()
    after = await _all_rights(api)
    gained = {(f"{u}", a, o, p) for u, a, o, p in after - before}
    lost = {(f"{u}", a, o, p) for u, a, o, p in before - after}
    assert len(gained) == preview["gainedCount"] and len(lost) == preview["lostCount"]
    assert {
        (pk_of(g["userId"]), g["action"].lower(), g["object"].lower()) for g in preview["gained"]
    } == {(int(u), a, o) for u, a, o, _ in gained}
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    assert (
        await api.gql(PREVIEW, {"c": changes[2:]}, token=await api.token_for(city.id))
    ).codes == ["FORBIDDEN"]


DELEGATE = """mutation($to: ID!, $r: String!, $o: ID!, $s: DateTime!, $e: DateTime!) {
  delegateRole(toUserId: $to, role: $r, orgId: $o, startsAt: $s, endsAt: $e, note: "出差期间代管") }"""


async def test_delegation_holds_in_its_window_and_is_marked(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A1"], roles=("cadre",))
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    ct, dt = await api.token_for(city.id), await api.token_for(deputy.id)
    now = datetime.now(UTC)
    window = {
        "s": (now - timedelta(minutes=1)).isoformat(),
        "e": (now + timedelta(days=7)).isoformat(),
    }
    assert (await api.gql("{ cadres { totalCount } }", token=dt)).codes == ["FORBIDDEN"]
    r = await api.gql(
        DELEGATE,
        {"to": gid("User", deputy.id), "r": "city_admin", "o": gid("Org", tree["A"].id), **window},
        token=ct,
    )
    grant_id = r.data["delegateRole"]
    assert (await api.gql("{ cadres { totalCount } }", token=dt)).data["cadres"]["totalCount"] == 3
    # Acting for the delegator is marked in the audit log.
    made = await api.gql(
        'mutation($o: ID!) { createYouth(input: {orgId: $o, name: "代管登记", mobile: "13300001111"}) { id } }',
        {"o": gid("Org", tree["A1"].id)},
        token=dt,
    )
    assert made.data
    async with api.services.sessionmaker() as s:
        acting = await s.scalar(
            sa.select(AuditEntry.acting_for_user_id).where(AuditEntry.action == "youth.create")
        )
    assert acting == city.id
    who = await api.gql(
        WHO, {"a": "VIEW", "o": "CADRE", "org": gid("Org", tree["A1"].id)}, token=ct
    )
    assert {
        "name": "deputy",
        "role": "city_admin",
        "delegatedBy": gid("User", city.id),
    } in who.data["whoCan"]["nodes"]
    # Refusals: rights one does not hold, outside one's subtree, passing a delegation on.
    kt = await api.token_for(county.id)
    for token, to, role, org, code in (
        (kt, deputy, "province_admin", "A1", "FORBIDDEN"),
        (kt, deputy, "county_admin", "B1", "NOT_FOUND"),
        (dt, county, "city_admin", "A", "FORBIDDEN"),
    ):
        r = await api.gql(
            DELEGATE,
            {"to": gid("User", to.id), "r": role, "o": gid("Org", tree[org].id), **window},
            token=token,
        )
        assert r.codes == [code], (role, org)
    # It lapses by itself: no job, just the clock.
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(Grant)
            .where(Grant.id == pk_of(grant_id))
            .values(ends_at=now - timedelta(seconds=1))
        )
        await s.commit()
    assert (await api.gql("{ cadres { totalCount } }", token=dt)).codes == ["FORBIDDEN"]


MOBILE = "query($id: ID!) { youth(id: $id) { mobile birthDate } }"


async def test_guarded_fields_protect_minors_and_exceptions_are_grants(api) -> None:
    tree = await standard_tree(api.services)
    adult = await add_youth(api.services, "成年", "13600001111", tree["A1x"])
    minor = await add_youth(api.services, "未成年", "13600002222", tree["A1x"])
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(Youth)
            .where(Youth.id == minor.id)
            .values(birth_date=datetime(2012, 3, 1).date())
        )
        await s.commit()
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    pt, kt = await api.token_for(prov.id), await api.token_for(county.id)
    assert (await api.gql(MOBILE, {"id": gid("Youth", adult.id)}, token=pt)).data["youth"][
        "mobile"
    ] == "13600001111"
    seen = (await api.gql(MOBILE, {"id": gid("Youth", minor.id)}, token=pt)).data["youth"]
    assert seen == {
        "mobile": "136****2222",
        "birthDate": None,
    }  # minors protected by default: the whole date is not shown, the year is
    year = "query($id: ID!) { youth(id: $id) { birthYear } }"
    assert (await api.gql(year, {"id": gid("Youth", minor.id)}, token=pt)).data["youth"] == {
        "birthYear": 2012
    }
    # An exception of its own, audited, then revoked.
    r = await api.gql(
        """mutation($u: ID!, $o: ID!) { grantFieldAccess(userId: $u, object: YOUTH, field: "mobile", orgId: $o,
        reason: "监护人联系核实", minors: true) }""",
        {"u": gid("User", county.id), "o": gid("Org", tree["A1"].id)},
        token=pt,
    )
    fg = r.data["grantFieldAccess"]
    assert (await api.gql(MOBILE, {"id": gid("Youth", minor.id)}, token=kt)).data["youth"][
        "mobile"
    ] == "13600002222"
    assert (
        await api.gql("mutation($id: ID!) { revokeFieldAccess(id: $id) }", {"id": fg}, token=pt)
    ).data["revokeFieldAccess"]
    assert (await api.gql(MOBILE, {"id": gid("Youth", minor.id)}, token=kt)).data["youth"][
        "mobile"
    ] == "136****2222"
    # A rule's distance: province_admin limited to 1 level below the province sees nothing at depth 3.
    assert (
        await api.gql(
            'mutation { setFieldRule(role: "province_admin", object: YOUTH, field: "mobile", maxDistance: 1) }',
            token=pt,
        )
    ).data["setFieldRule"] is True
    await api.services.listener.reload()
    assert (await api.gql(MOBILE, {"id": gid("Youth", adult.id)}, token=pt)).data["youth"][
        "mobile"
    ] == "136****1111"
    assert (
        await api.gql(
            'mutation { setFieldRule(role: "province_admin", object: YOUTH, field: "name", maxDistance: 1) }',
            token=pt,
        )
    ).codes == ["BAD_USER_INPUT"]
    async with api.services.sessionmaker() as s:
        actions = set(await s.scalars(sa.select(AuditEntry.action)))
    assert {"policy.field_grant", "policy.field_grant_revoke", "policy.field_rule"} <= actions


async def test_policy_export_import_round_trip(api) -> None:
    tree = await standard_tree(api.services)
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    doc = (await api.gql("{ exportPolicy }", token=t)).data["exportPolicy"]
    assert ["cadre", "org", "view"] in doc["permissions"] and doc["field_rules"]
    same = await api.gql(
        "mutation($d: JSON!) { importPolicy(document: $d) { roles permissions fieldRules } }",
        {"d": doc},
        token=t,
    )
    assert same.data["importPolicy"]["permissions"] == len(doc["permissions"])
    assert (await api.gql("{ exportPolicy }", token=t)).data["exportPolicy"] == doc
    changed = {
        **doc,
        "permissions": [p for p in doc["permissions"] if p != ["cadre", "org", "view"]],
    }
    await api.gql(
        "mutation($d: JSON!) { importPolicy(document: $d) { roles permissions fieldRules } }",
        {"d": changed},
        token=t,
    )
    await api.services.listener.reload()
    cadre = await add_user(api.services, "c", org=tree["A1"], roles=("cadre",))
    assert (
        await api.gql("{ orgs { totalCount } }", token=await api.token_for(cadre.id))
    ).codes == ["FORBIDDEN"]
    bad = await api.gql(
        "mutation($d: JSON!) { importPolicy(document: $d) { roles permissions fieldRules } }",
        {"d": {"version": 1, "roles": [], "permissions": [["ghost", "org", "view"]]}},
        token=t,
    )
    assert bad.codes == ["BAD_USER_INPUT"]


# Positions of the target org relative to where the role is granted (at A).
POSITIONS = {"self": "A", "descendant": "A1x", "ancestor": "P", "sibling": "B", "unrelated": "B1"}


async def test_role_position_operation_table(api) -> None:
    """Every default role × position × object × action, through `explain` over HTTP, against
    the expected answer: allowed exactly at self and below, when the role's template says so."""
    tree = await standard_tree(api.services)
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    allowed = set(default_lines())
    roles = [r["name"] for r in default_roles()]
    checked = 0
    for role in roles:
        holder = await add_user(api.services, f"h_{role}", cadre_kind=None)
        await add_grant(api.services, holder.id, role, tree["A"])
        pairs = [(pos, obj, act) for pos in POSITIONS for obj in Obj for act in Act]
        for i in range(0, len(pairs), 25):
            chunk = pairs[i : i + 25]
            fields = " ".join(
                f'q{j}: explain(userId: "{gid("User", holder.id)}", action: {act.name}, object: {obj.name}, '
                f'orgId: "{gid("Org", tree[POSITIONS[pos]].id)}") {{ allowed }}'
                for j, (pos, obj, act) in enumerate(chunk)
            )
            data = (await api.gql("{ " + fields + " }", token=t)).data
            for j, (pos, obj, act) in enumerate(chunk):
                expected = pos in ("self", "descendant") and (role, obj.value, act.value) in allowed
                assert data[f"q{j}"]["allowed"] is expected, (role, pos, obj, act)
                checked += 1
    # Anonymous: nothing at all.
    assert (await api.gql("{ orgs { totalCount } }")).codes == ["UNAUTHENTICATED"]
    print(f"\nrole × position × operation: {checked} answers checked")
    assert checked == len(roles) * len(POSITIONS) * len(Obj) * len(Act)
