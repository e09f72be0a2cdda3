"""Policy tools name only users and grants inside the caller's grant:view subtrees: whoCan,
explain, whatCan, the audit log and previews say that something is held above the caller's
level, without names, ids or roles."""

from __future__ import annotations

import sqlalchemy as sa

from models import RolePermission
from tests.helpers import add_grant, add_user, gid, pk_of, standard_tree

WHO = """query($org: ID!) { whoCan(action: VIEW, object: CADRE, orgId: $org) {
  totalCount nodes { name userId grantId } heldAbove heldAboveNote } }"""
EXPLAIN = """query($u: ID!, $o: ID!, $act: PolicyAction!, $obj: PolicyObject!) {
  explain(userId: $u, action: $act, object: $obj, orgId: $o) {
    allowed reason grantId policyLine coveringGrants { grantId role } heldAbove } }"""
WHAT = """query($u: ID!) { whatCan(userId: $u, action: VIEW, object: CADRE) {
  totalCount nodes { org { name } heldAbove } } }"""


async def _world(api):
    tree = await standard_tree(api.services)
    prov = await add_user(api.services, "省管理员", org=tree["P"], roles=("province_admin",))
    city = await add_user(api.services, "市管理员", org=tree["A"], roles=("city_admin",))
    county = await add_user(api.services, "县管理员", org=tree["A1"], roles=("county_admin",))
    return tree, prov, city, county


def _no_trace(body: object, *secrets: str) -> None:
    text = str(body)
    for secret in secrets:
        assert secret not in text, (secret, text)


async def test_who_can_explain_and_what_can_hide_what_is_held_above(api) -> None:
    tree, prov, city, county = await _world(api)
    kt = await api.token_for(county.id)
    above = (gid("User", prov.id), gid("User", city.id), "省管理员", "市管理员")
    r = await api.gql(WHO, {"org": gid("Org", tree["A1x"].id)}, token=kt)
    page = r.data["whoCan"]
    assert [h["name"] for h in page["nodes"]] == ["县管理员"] and page["totalCount"] == 1
    assert page["heldAbove"] is True and "高于你管理层级" in page["heldAboveNote"]
    _no_trace(r.body, *above)
    # Seen from the province nothing is above: everyone is named.
    r = await api.gql(WHO, {"org": gid("Org", tree["A1x"].id)}, token=await api.token_for(prov.id))
    assert sorted(h["name"] for h in r.data["whoCan"]["nodes"]) == [
        "县管理员",
        "市管理员",
        "省管理员",
    ]
    assert r.data["whoCan"]["heldAbove"] is False and r.data["whoCan"]["heldAboveNote"] is None

    async def explain(user, act: str, obj: str, org: str) -> dict:
        v = {"u": gid("User", user.id), "o": gid("Org", tree[org].id), "act": act, "obj": obj}
        r = await api.gql(EXPLAIN, v, token=kt)
        _no_trace(r.body, *above, "province_admin", "city_admin")
        return r.data["explain"]

    # Allowed by the province's grant: said, but not which grant, role or line.
    e = await explain(prov, "VIEW", "CADRE", "A1x")
    assert e["allowed"] is True and e["heldAbove"] is True and "高于你管理层级" in e["reason"]
    assert e["grantId"] is None and e["policyLine"] is None and e["coveringGrants"] == []
    # Refused where only a grant above covers: no role named either.
    e = await explain(city, "MANAGE", "POLICY", "A1")
    assert e == {
        "allowed": False,
        "reason": e["reason"],
        "grantId": None,
        "policyLine": None,
        "coveringGrants": [],
        "heldAbove": True,
    }
    # The caller's own grants are theirs to see.
    e = await explain(county, "VIEW", "CADRE", "A1x")
    assert e["allowed"] and e["grantId"] and e["heldAbove"] is False
    # whatCan: the province admin reaches the county through a grant above: shown as the
    # county's own subtree, marked, with nothing of the grant itself.
    r = await api.gql(WHAT, {"u": gid("User", prov.id)}, token=kt)
    assert r.data["whatCan"] == {
        "totalCount": 1,
        "nodes": [{"org": {"name": "甲一县"}, "heldAbove": True}],
    }


async def test_audit_log_names_no_one_above_the_caller(api) -> None:
    tree, prov, _, _ = await _world(api)
    auditor = await add_user(api.services, "县审计员", org=tree["A1"], roles=("auditor",))
    bob = await add_user(api.services, "bob", org=tree["A1x"], roles=("cadre",))
    pt, at = await api.token_for(prov.id), await api.token_for(auditor.id)
    made = await api.gql(
        'mutation($u: ID!, $o: ID!) { grantRole(userId: $u, role: "auditor", orgId: $o) { id } }',
        {"u": gid("User", bob.id), "o": gid("Org", tree["A1x"].id)},
        token=pt,
    )
    assert made.data
    q = """query($actor: ID) { auditLog(actorUserId: $actor) { totalCount nodes {
      action actorUserId actingForUserId after aboveYourLevel aboveYourLevelNote } } }"""
    r = await api.gql(q, {}, token=at)
    [entry] = r.data["auditLog"]["nodes"]
    assert entry["action"] == "grant.create" and entry["actorUserId"] is None
    assert entry["aboveYourLevel"] is True and "高于你管理层级" in entry["aboveYourLevelNote"]
    assert entry["after"]["user_id"] == bob.id  # bob holds a grant in the auditor's subtree
    _no_trace(r.body, gid("User", prov.id), f"'actor_user_id': {prov.id}")
    # Looking for the province admin's entries finds none: no oracle over who acted.
    r = await api.gql(q, {"actor": gid("User", prov.id)}, token=at)
    assert r.data["auditLog"]["totalCount"] == 0
    # The province admin sees its own name on it.
    r = await api.gql(q, {"actor": gid("User", prov.id)}, token=pt)
    [entry] = r.data["auditLog"]["nodes"]
    assert pk_of(entry["actorUserId"]) == prov.id and entry["aboveYourLevel"] is False


PREVIEW = """query($c: [PolicyChangeInput!]!) { previewPolicyChange(changes: $c) {
  lostCount lost { userId subtree { name } } hiddenCount hiddenNote } }"""


async def test_a_preview_lists_only_rights_inside_the_callers_grant_view(api) -> None:
    tree, prov, city, _ = await _world(api)
    city_b = await add_user(api.services, "乙市管理员", org=tree["B"], roles=("city_admin",))
    # A reviewer of the templates for the whole province whose grants view reaches city A only.
    async with api.services.sessionmaker() as s:
        await s.execute(sa.text("INSERT INTO roles (name, title) VALUES ('reviewer', '审阅员')"))
        s.add(RolePermission(role="reviewer", object="policy", action="view"))
        await s.commit()
    await api.services.listener.reload()
    reviewer = await add_user(api.services, "审阅员", org=tree["P"], roles=("reviewer",))
    await add_grant(api.services, reviewer.id, "auditor", tree["A"])
    change = {
        "kind": "REMOVE_PERMISSION",
        "role": "city_admin",
        "object": "CADRE",
        "action": "VIEW",
    }
    r = await api.gql(PREVIEW, {"c": [change]}, token=await api.token_for(reviewer.id))
    diff = r.data["previewPolicyChange"]
    assert diff["lost"] == [{"userId": gid("User", city.id), "subtree": {"name": "甲市"}}]
    assert diff["lostCount"] == 1 and diff["hiddenCount"] == 1 and "范围之外" in diff["hiddenNote"]
    _no_trace(r.body, gid("User", city_b.id), "乙市")
    full = await api.gql(PREVIEW, {"c": [change]}, token=await api.token_for(prov.id))
    assert full.data["previewPolicyChange"]["lostCount"] == 2
    assert full.data["previewPolicyChange"]["hiddenCount"] == 0
