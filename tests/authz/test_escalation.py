"""No escalation: a grant or a delegation gives only rights the giver holds there by their
own grants (permission sets, not role names), never to oneself, never passed on from a
delegation, and a delegation only to someone inside the delegator's subtree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import Grant
from tests.authz.test_acting_for import delegated
from tests.helpers import add_user, count_rows, gid, standard_tree

GRANT = (
    "mutation($u: ID!, $r: String!, $o: ID!) { grantRole(userId: $u, role: $r, orgId: $o) { id } }"
)
DELEGATE = """mutation($to: ID!, $r: String!, $o: ID!, $s: DateTime!, $e: DateTime!) {
  delegateRole(toUserId: $to, role: $r, orgId: $o, startsAt: $s, endsAt: $e) }"""
APPLY = """mutation($c: [PolicyChangeInput!]!) { applyPolicyChange(changes: $c) { gainedCount } }"""
PREVIEW = APPLY.replace("mutation", "query").replace("applyPolicyChange", "previewPolicyChange")


def window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "s": (now - timedelta(minutes=1)).isoformat(),
        "e": (now + timedelta(days=300)).isoformat(),
    }


def refused(r, reason: str) -> None:
    e = r.error("FORBIDDEN")
    assert e["extensions"]["reason"] == reason, r.body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]), e["message"]  # zh-CN


async def test_grant_role_gives_only_what_the_giver_holds_and_never_to_self(api) -> None:
    tree = await standard_tree(api.services)
    padmin = await add_user(api.services, "padmin", org=tree["P"], roles=("policy_admin",))
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"], roles=("cadre",))
    pt, qt = await api.token_for(padmin.id), await api.token_for(prov.id)
    before = await count_rows(api.services, Grant)
    at_p, at_a1 = gid("Org", tree["P"].id), gid("Org", tree["A1"].id)
    # A policy admin holds grant:manage, but not the rights of a province or city admin.
    for role, org in (("province_admin", at_p), ("city_admin", at_a1), ("cadre", at_a1)):
        r = await api.gql(GRANT, {"u": gid("User", bob.id), "r": role, "o": org}, token=pt)
        refused(r, "ESCALATION")
    # Nor through a batch, nor in its preview.
    change = {
        "kind": "ADD_GRANT",
        "userId": gid("User", bob.id),
        "role": "city_admin",
        "orgId": at_a1,
    }
    refused(await api.gql(APPLY, {"c": [change]}, token=pt), "ESCALATION")
    refused(await api.gql(PREVIEW, {"c": [change]}, token=pt), "ESCALATION")
    # Nobody grants to themselves, not even a role they hold.
    r = await api.gql(
        GRANT, {"u": gid("User", padmin.id), "r": "policy_admin", "o": at_a1}, token=pt
    )
    refused(r, "SELF_GRANT")
    r = await api.gql(GRANT, {"u": gid("User", prov.id), "r": "auditor", "o": at_a1}, token=qt)
    refused(r, "SELF_GRANT")
    assert await count_rows(api.services, Grant) == before
    # What the giver does hold, they may give: the policy admin its own role, the province
    # admin a city's.
    ok = await api.gql(GRANT, {"u": gid("User", bob.id), "r": "policy_admin", "o": at_a1}, token=pt)
    assert ok.data
    ok = await api.gql(GRANT, {"u": gid("User", bob.id), "r": "city_admin", "o": at_a1}, token=qt)
    assert ok.data
    assert await count_rows(api.services, Grant) == before + 2


async def test_delegation_compares_permission_sets_and_is_never_passed_on(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    deputy = await add_user(api.services, "deputy", org=tree["A1"], roles=("cadre",))
    plain = await add_user(api.services, "plain", org=tree["A1x"], roles=("cadre",))
    other_city = await add_user(api.services, "inB", org=tree["B1"], roles=("cadre",))
    await delegated(api.services, deputy.id, "city_admin", tree["A"], city.id)
    ct, dt = await api.token_for(city.id), await api.token_for(deputy.id)
    pt = await api.token_for(plain.id)
    at = {k: gid("Org", tree[k].id) for k in ("A", "A1", "A1x")}
    before = await count_rows(api.services, Grant)
    # The delegate holds city_admin by delegation only: nothing of it is passed on, whether
    # the role delegated to them or a smaller one whose lines are a subset of it.
    for role, org in (("city_admin", "A"), ("county_admin", "A1"), ("working_group_leader", "A1x")):
        r = await api.gql(
            DELEGATE, {"to": gid("User", plain.id), "r": role, "o": at[org], **window()}, token=dt
        )
        refused(r, "ESCALATION")
    # A role whose set the delegator does not hold: city_admin lacks audit:view.
    r = await api.gql(
        DELEGATE,
        {"to": gid("User", deputy.id), "r": "auditor", "o": at["A1"], **window()},
        token=ct,
    )
    refused(r, "ESCALATION")
    # To oneself.
    r = await api.gql(
        DELEGATE, {"to": gid("User", city.id), "r": "cadre", "o": at["A1"], **window()}, token=ct
    )
    refused(r, "SELF_GRANT")
    # A plain cadre may pass the cadre role at their own org, but only to someone inside it:
    # a user in another city is answered as if absent.
    r = await api.gql(
        DELEGATE,
        {"to": gid("User", other_city.id), "r": "cadre", "o": at["A1x"], **window()},
        token=pt,
    )
    assert r.codes == ["NOT_FOUND"]
    r = await api.gql(
        DELEGATE,
        {"to": gid("User", other_city.id), "r": "county_admin", "o": at["A1"], **window()},
        token=ct,
    )
    assert r.codes == ["NOT_FOUND"]  # the city admin's reach is A, and B1 is not in it
    assert await count_rows(api.services, Grant) == before
    ok = await api.gql(
        DELEGATE,
        {"to": gid("User", deputy.id), "r": "county_admin", "o": at["A1"], **window()},
        token=ct,
    )
    assert ok.data
