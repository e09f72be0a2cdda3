"""`me.grants` tells a client where the caller holds which rights, so that it shows only the
menus and buttons that will work (the server still decides every request)."""

from __future__ import annotations

from tests.helpers import add_user, standard_tree

ME = "{ me { grants { role delegated org { name } permissions } } }"


async def test_grants_carry_their_org_and_what_the_role_allows(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "a_admin", org=tree["A"], roles=("city_admin",))
    grants = (await api.gql(ME, token=await api.token_for(admin.id))).data["me"]["grants"]
    assert len(grants) == 1
    grant = grants[0]
    assert grant["org"] == {"name": "甲市"} and grant["delegated"] is False
    assert {"org:view", "work:view", "cadre:manage"} <= set(grant["permissions"])
    assert "policy:manage" not in grant["permissions"]
    assert grant["permissions"] == sorted(grant["permissions"])


async def test_a_role_given_a_permission_shows_it_at_once(api) -> None:
    tree = await standard_tree(api.services)
    boss = await add_user(api.services, "boss", org=tree["P"], roles=("province_admin",))
    clerk = await add_user(api.services, "clerk", org=tree["A1"], roles=("cadre",))
    boss_t, clerk_t = await api.token_for(boss.id), await api.token_for(clerk.id)
    before = (await api.gql(ME, token=clerk_t)).data["me"]["grants"][0]["permissions"]
    assert "audit:view" not in before
    r = await api.gql(
        'mutation { addPermission(role: "cadre", object: AUDIT, action: VIEW) { name } }',
        token=boss_t,
    )
    assert r.data
    await api.services.listener.reload()  # as the NOTIFY the change sent does, in the background
    after = (await api.gql(ME, token=clerk_t)).data["me"]["grants"][0]["permissions"]
    assert set(after) == {*before, "audit:view"}
