"""The provincial committee manages roles, permissions and grants through GraphQL."""

from __future__ import annotations

import sqlalchemy as sa

from app.main import create_app
from models import AuditEntry, Grant, RolePermission
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import Api, add_user, count_rows, gid, pk_of, standard_tree, wait_until

GRANT = "mutation($u: ID!, $r: String!, $o: ID!) { grantRole(userId: $u, role: $r, orgId: $o) { id role org { name } } }"
REVOKE = "mutation($id: ID!) { revokeGrant(id: $id) { revokedAt } }"
CADRES = "{ cadres { totalCount } }"


async def test_grant_then_revoke_holds_from_the_next_request(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"], roles=("cadre",))
    admin_t, bob_t = await api.token_for(admin.id), await api.token_for(bob.id)
    assert (await api.gql(CADRES, token=bob_t)).codes == ["FORBIDDEN"]  # no cadre:view anywhere
    g = (
        await api.gql(
            GRANT,
            {"u": gid("User", bob.id), "r": "county_admin", "o": gid("Org", tree["A1"].id)},
            token=admin_t,
        )
    ).data["grantRole"]
    assert g["org"]["name"] == "甲一县"
    assert (await api.gql(CADRES, token=bob_t)).data["cadres"]["totalCount"] == 1  # same token
    assert (await api.gql(REVOKE, {"id": g["id"]}, token=admin_t)).data["revokeGrant"]["revokedAt"]
    assert (await api.gql(CADRES, token=bob_t)).codes == ["FORBIDDEN"]
    again = await api.gql(REVOKE, {"id": g["id"]}, token=admin_t)
    assert again.codes == ["CONFLICT"]
    actions = [a for (a,) in (await _audit(api))]
    assert actions == ["grant.create", "grant.revoke"]


async def _audit(api):
    async with api.services.sessionmaker() as s:
        return (await s.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id))).all()


async def test_grant_refusals_write_nothing(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"])
    city_t, admin_t = await api.token_for(city.id), await api.token_for(admin.id)
    before = await count_rows(api.services, Grant)
    # A city admin may view grants but not make them (the defaults keep that to the province).
    r = await api.gql(
        GRANT,
        {"u": gid("User", bob.id), "r": "county_admin", "o": gid("Org", tree["A1"].id)},
        token=city_t,
    )
    assert r.codes == ["FORBIDDEN"]
    r = await api.gql(
        GRANT,
        {"u": gid("User", bob.id), "r": "county_admin", "o": gid("Org", tree["B1"].id)},
        token=city_t,
    )
    assert r.codes == ["NOT_FOUND"]
    assert (
        await api.gql(
            GRANT,
            {"u": gid("User", bob.id), "r": "no_such_role", "o": gid("Org", tree["A1"].id)},
            token=admin_t,
        )
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(
            GRANT,
            {"u": gid("User", 999), "r": "cadre", "o": gid("Org", tree["A1"].id)},
            token=admin_t,
        )
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(GRANT, {"u": gid("User", bob.id), "r": "cadre", "o": "%%%"}, token=admin_t)
    ).codes == ["BAD_USER_INPUT"]
    assert await count_rows(api.services, Grant) == before
    ok = await api.gql(
        GRANT,
        {"u": gid("User", bob.id), "r": "auditor", "o": gid("Org", tree["A1"].id)},
        token=admin_t,
    )
    assert ok.data
    dup = await api.gql(
        GRANT,
        {"u": gid("User", bob.id), "r": "auditor", "o": gid("Org", tree["A1"].id)},
        token=admin_t,
    )
    assert dup.codes == ["CONFLICT"]
    assert await count_rows(api.services, Grant) == before + 1


async def test_roles_and_permissions_are_managed_and_audited(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(admin.id)
    r = await api.gql(
        'mutation { createRole(name: "inspector", title: "督查员") { name permissions { line } } }',
        token=t,
    )
    assert r.data["createRole"] == {"name": "inspector", "permissions": []}
    r = await api.gql(
        'mutation { addPermission(role: "inspector", object: CADRE, action: VIEW) { permissions { line } } }',
        token=t,
    )
    assert r.data["addPermission"]["permissions"] == [{"line": "p, inspector, cadre, view"}]
    assert (
        await api.gql('mutation { createRole(name: "inspector", title: "x") { name } }', token=t)
    ).codes == ["CONFLICT"]
    assert (
        await api.gql('mutation { createRole(name: "Bad Name", title: "x") { name } }', token=t)
    ).codes == ["BAD_USER_INPUT"]
    assert (await api.gql('mutation { deleteRole(name: "city_admin") }', token=t)).codes == [
        "CONFLICT"
    ]
    roles = (await api.gql("{ roles { name title } }", token=t)).data["roles"]
    assert {"name": "inspector", "title": "督查员"} in roles
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    forbidden = await api.gql(
        'mutation { createRole(name: "sneaky", title: "x") { name } }',
        token=await api.token_for(city.id),
    )
    assert forbidden.codes in (["FORBIDDEN"], ["NOT_FOUND"])
    assert (await api.gql('mutation { deleteRole(name: "inspector") }', token=t)).data[
        "deleteRole"
    ] is True
    actions = [a for (a,) in await _audit(api)]
    assert actions == ["role.create", "policy.add", "role.delete"]


async def test_a_role_is_deleted_once_its_last_grant_is_revoked(api) -> None:
    """The refusal says to revoke its grants first; having done so, deleting works, and the
    revoked grants keep the role's name as history."""
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"], roles=("cadre",))
    t = await api.token_for(admin.id)
    assert (
        await api.gql(
            'mutation { createRole(name: "inspector", title: "督查员") { name } }', token=t
        )
    ).data
    g = (
        await api.gql(
            GRANT,
            {"u": gid("User", bob.id), "r": "inspector", "o": gid("Org", tree["A1"].id)},
            token=t,
        )
    ).data["grantRole"]
    delete = 'mutation { deleteRole(name: "inspector") }'
    refused = await api.gql(delete, token=t)
    assert refused.codes == ["CONFLICT"] and "撤销" in refused.body["errors"][0]["message"]
    assert (await api.gql(REVOKE, {"id": g["id"]}, token=t)).data
    assert (await api.gql(delete, token=t)).data["deleteRole"] is True
    assert "inspector" not in {
        r["name"] for r in (await api.gql("{ roles { name } }", token=t)).data["roles"]
    }
    async with api.services.sessionmaker() as s:
        kept = await s.scalar(sa.select(Grant).where(Grant.id == pk_of(g["id"])))
    assert kept.role == "inspector" and kept.revoked_at is not None
    # A live grant still needs a live role, even written past the API.
    async with api.services.engine.connect() as conn:
        try:
            await conn.execute(
                sa.text(
                    "INSERT INTO grants (user_id, role, org_id, org_path, city_id)"
                    " VALUES (:u, 'inspector', :o, CAST(:p AS ltree), :c)"
                ),
                {"u": bob.id, "o": tree["A1"].id, "p": tree["A1"].path, "c": tree["A1"].city_id},
            )
        except sa.exc.DBAPIError as exc:
            assert "does not exist" in str(exc)
        else:
            raise AssertionError("a grant of a deleted role was accepted")
    # And the role may be made again (the old grant stays revoked).
    assert (
        await api.gql(
            'mutation { createRole(name: "inspector", title: "督查员") { name } }', token=t
        )
    ).data
    again = await api.gql(
        GRANT, {"u": gid("User", bob.id), "r": "inspector", "o": gid("Org", tree["A1"].id)}, token=t
    )
    assert again.data["grantRole"]["role"] == "inspector"
    assert [a for (a,) in await _audit(api)] == [
        "role.create",
        "grant.create",
        "grant.revoke",
        "role.delete",
        "role.create",
        "grant.create",
    ]


async def test_explain_names_the_deciding_grant_and_line(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A"], roles=("city_admin",))
    t = await api.token_for(admin.id)
    q = """query($u: ID!, $o: ID!, $act: PolicyAction!, $obj: PolicyObject!) {
      explain(userId: $u, action: $act, object: $obj, orgId: $o) { allowed reason grantId policyLine coveringGrants { role } } }"""

    async def explain(org: str, act: str, obj: str) -> dict:
        variables = {
            "u": gid("User", bob.id),
            "o": gid("Org", tree[org].id),
            "act": act,
            "obj": obj,
        }
        return (await api.gql(q, variables, token=t)).data["explain"]

    yes = await explain("A1x", "VIEW", "CADRE")
    assert yes["allowed"] and yes["policyLine"] == "p, city_admin, cadre, view"
    assert yes["grantId"] and {"role": "city_admin"} in yes["coveringGrants"]
    sibling = await explain("B1", "VIEW", "CADRE")
    assert (
        not sibling["allowed"] and sibling["coveringGrants"] == [] and sibling["policyLine"] is None
    )
    no_right = await explain("A1", "MANAGE", "POLICY")
    assert not no_right["allowed"] and "city_admin" in no_right["reason"]


async def test_a_policy_change_on_one_instance_holds_on_another(api, database_url) -> None:
    """Two app instances, each with its own engine, policy store and listener."""
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    bob = await add_user(api.services, "bob", org=tree["A1"], roles=("cadre",))
    second_app = create_app(settings_for_tests(), database_url=database_url)
    async with RunningApp(second_app) as second, second.client() as client:
        other = Api(client, second.services)
        bob_t = await other.token_for(bob.id)
        assert (await other.gql(CADRES, token=bob_t)).codes == ["FORBIDDEN"]
        await api.gql(
            GRANT,
            {"u": gid("User", bob.id), "r": "county_admin", "o": gid("Org", tree["A1"].id)},
            token=await api.token_for(admin.id),
        )
        assert (await other.gql(CADRES, token=bob_t)).data["cadres"]["totalCount"] == 1
        # A change of role templates travels by NOTIFY: the second instance reloads by itself.
        version = second.services.policy.version
        r = await api.gql(
            'mutation { removePermission(role: "county_admin", object: CADRE, action: VIEW) { name } }',
            token=await api.token_for(admin.id),
        )
        assert r.data
        await wait_until(lambda: second.services.policy.version != version)  # no event for it
        assert (await other.gql(CADRES, token=bob_t)).codes == ["FORBIDDEN"]
    async with api.services.sessionmaker() as s:
        assert (
            await s.scalar(
                sa.select(sa.func.count())
                .select_from(RolePermission)
                .where(
                    RolePermission.role == "county_admin",
                    RolePermission.object == "cadre",
                    RolePermission.action == "view",
                )
            )
            == 0
        )


async def test_grants_list_is_scoped(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    await add_user(api.services, "inB", org=tree["B1"], roles=("county_admin",))
    await add_user(api.services, "inA1", org=tree["A1"], roles=("county_admin",))
    r = await api.gql(
        "{ grants { totalCount nodes { role org { name } userName } } }",
        token=await api.token_for(city.id),
    )
    names = sorted((n["userName"], n["role"]) for n in r.data["grants"]["nodes"])
    assert names == [("cityA", "city_admin"), ("inA1", "county_admin")]
