"""The province builds and changes the tree; everyone reads only their subtree."""

from __future__ import annotations

import sqlalchemy as sa

from models import AuditEntry, Cadre, Grant, Org, Youth
from tests.helpers import add_user, add_youth, count_rows, gid, pk_of, standard_tree

ORG_FIELDS = "id name code level kind isLeadingOrgan isActive depth"


async def admin_token(api, tree) -> str:
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    return await api.token_for(admin.id)


async def test_province_admin_creates_renames_and_reads(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    created = await api.gql(
        f"""mutation($p: ID!) {{ createOrg(input: {{parentId: $p, code: "A1-G1", name: "某街道团工委",
            level: GRASSROOTS, kind: COMMUNITY}}) {{ {ORG_FIELDS} parent {{ name }} }} }}""",
        {"p": gid("Org", tree["A1"].id)},
        token=token,
    )
    org = created.data["createOrg"]
    assert org["parent"]["name"] == "甲一县" and org["depth"] == 3 and org["isActive"]
    renamed = await api.gql(
        'mutation($id: ID!) { updateOrg(input: {id: $id, name: "  新名字 "}) { name code } }',
        {"id": org["id"]},
        token=token,
    )
    assert renamed.data["updateOrg"] == {"name": "新名字", "code": "A1-G1"}
    listed = await api.gql(
        '{ orgs(search: "新名", first: 5) { totalCount nodes { name } } }', token=token
    )
    assert listed.data["orgs"] == {"totalCount": 1, "nodes": [{"name": "新名字"}]}
    audit = await api.gql("{ auditLog { nodes { action entityType before after } } }", token=token)
    actions = [e["action"] for e in audit.data["auditLog"]["nodes"]]
    assert actions == ["org.create", "org.update"]
    assert audit.data["auditLog"]["nodes"][1]["before"]["name"] == "某街道团工委"


async def test_children_ancestors_subtree_and_counts(api) -> None:
    tree = await standard_tree(api.services)
    await add_user(api.services, "c1", org=tree["A1x"])
    await add_youth(api.services, "小明", "13900000001", tree["A2"])
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(city.id)
    r = await api.gql(
        """query($id: ID!) { org(id: $id) { name parent { name } ancestors { name }
             children { totalCount nodes { name childCount } }
             subtree(level: BRANCH) { nodes { name ancestors { name } } }
             whole: subtree { totalCount nodes { name } }
             childCount descendantCount cadreCount youthCount } }""",
        {"id": gid("Org", tree["A"].id)},
        token=token,
    )
    a = r.data["org"]
    assert a["parent"] is None and a["ancestors"] == []  # nothing above the grant
    assert a["children"]["totalCount"] == 2
    assert {c["name"]: c["childCount"] for c in a["children"]["nodes"]} == {
        "甲一县": 1,
        "甲二县": 0,
    }
    assert a["subtree"]["nodes"] == [
        {"name": "甲一县某支部", "ancestors": [{"name": "甲市"}, {"name": "甲一县"}]}
    ]
    assert (a["childCount"], a["descendantCount"], a["cadreCount"], a["youthCount"]) == (2, 3, 2, 1)
    # The subtree is what lies below, without the org itself, as its description says.
    assert a["whole"]["totalCount"] == a["descendantCount"] == 3
    assert "甲市" not in {n["name"] for n in a["whole"]["nodes"]}


async def test_move_subtree_keeps_every_path_consistent(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    cadre = await add_user(api.services, "c1", org=tree["A1x"], roles=("cadre",))
    await add_youth(api.services, "小红", "13900000002", tree["A1x"])
    r = await api.gql(
        "mutation($id: ID!, $to: ID!) { moveOrg(id: $id, newParentId: $to) { name parent { name } } }",
        {"id": gid("Org", tree["A1"].id), "to": gid("Org", tree["B"].id)},
        token=token,
    )
    assert r.data["moveOrg"]["parent"]["name"] == "乙市"
    b, a1 = tree["B"], tree["A1"]
    async with api.services.sessionmaker() as s:
        paths = dict((await s.execute(sa.select(Org.id, Org.path))).all())
        assert paths[a1.id] == f"{b.path}.{a1.id}"
        assert paths[tree["A1x"].id] == f"{b.path}.{a1.id}.{tree['A1x'].id}"
        cities = dict((await s.execute(sa.select(Org.id, Org.city_id))).all())
        assert cities[a1.id] == b.id and cities[tree["A1x"].id] == b.id
        for model in (Cadre, Youth, Grant):
            rows = (await s.execute(sa.select(model.org_id, model.org_path, model.city_id))).all()
            for org_id, path, city in rows:
                assert path == paths[org_id] and city == cities[org_id], model
        assert (
            await s.scalar(sa.select(Grant.org_path).where(Grant.user_id == cadre.id))
            == paths[tree["A1x"].id]
        )
    # The city admin of A no longer sees the moved county; B's does.
    a_admin = await add_user(api.services, "adminA", org=tree["A"], roles=("city_admin",))
    seen = await api.gql(
        "{ orgs(level: COUNTY) { nodes { name } } }", token=await api.token_for(a_admin.id)
    )
    assert [n["name"] for n in seen.data["orgs"]["nodes"]] == ["甲二县"]


async def test_move_refusals_write_nothing(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    move = "mutation($id: ID!, $to: ID!) { moveOrg(id: $id, newParentId: $to) { name } }"
    before = await count_rows(api.services, AuditEntry)
    into_own_subtree = await api.gql(
        move, {"id": gid("Org", tree["A"].id), "to": gid("Org", tree["A1"].id)}, token=token
    )
    assert into_own_subtree.codes == ["BAD_USER_INPUT"]
    level_up = await api.gql(
        move, {"id": gid("Org", tree["A"].id), "to": gid("Org", tree["B1"].id)}, token=token
    )
    assert level_up.codes == ["BAD_USER_INPUT"]
    root = await api.gql(
        move, {"id": gid("Org", tree["P"].id), "to": gid("Org", tree["A"].id)}, token=token
    )
    assert root.codes == ["BAD_USER_INPUT"]
    missing = await api.gql(
        move, {"id": gid("Org", 9999), "to": gid("Org", tree["A"].id)}, token=token
    )
    assert missing.codes == ["NOT_FOUND"]
    async with api.services.sessionmaker() as s:
        assert (
            await s.scalar(sa.select(Org.parent_id).where(Org.id == tree["A"].id)) == tree["P"].id
        )
    assert await count_rows(api.services, AuditEntry) == before


async def test_deactivate_and_reactivate(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    deact = "mutation($id: ID!) { deactivateOrg(id: $id) { isActive } }"
    busy = await api.gql(deact, {"id": gid("Org", tree["A1"].id)}, token=token)
    assert busy.codes == ["CONFLICT"]
    assert (await api.gql(deact, {"id": gid("Org", tree["A1x"].id)}, token=token)).data[
        "deactivateOrg"
    ] == {"isActive": False}
    lst = await api.gql(
        "{ orgs(level: BRANCH) { totalCount } all: orgs(level: BRANCH, includeInactive: true) { totalCount } }",
        token=token,
    )
    assert lst.data == {"orgs": {"totalCount": 0}, "all": {"totalCount": 1}}
    create_under = await api.gql(
        'mutation($p: ID!) { createOrg(input: {parentId: $p, code: "X1", name: "x", level: BRANCH, kind: OTHER}) { id } }',
        {"p": gid("Org", tree["A1x"].id)},
        token=token,
    )
    assert create_under.codes == ["CONFLICT"]  # nothing new under a retired org
    re = await api.gql(
        "mutation($id: ID!) { reactivateOrg(id: $id) { isActive } }",
        {"id": gid("Org", tree["A1x"].id)},
        token=token,
    )
    assert re.data["reactivateOrg"]["isActive"] is True
    again = await api.gql(
        'mutation($p: ID!) { createOrg(input: {parentId: $p, code: "X1", name: "x", level: BRANCH, kind: OTHER}) { id } }',
        {"p": gid("Org", tree["A1x"].id)},
        token=token,
    )
    assert again.codes == ["BAD_USER_INPUT"]  # a branch has no lower level


async def test_bad_input_on_create_writes_nothing(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    create = """mutation($p: ID!, $code: String!, $name: String!, $level: OrgLevel!) {
        createOrg(input: {parentId: $p, code: $code, name: $name, level: $level, kind: REGIONAL}) { id } }"""
    p = gid("Org", tree["A"].id)
    orgs_before = await count_rows(api.services, Org)
    cases = [
        ({"p": p, "code": "has space", "name": "x", "level": "COUNTY"}, "BAD_USER_INPUT"),
        ({"p": p, "code": "OK1", "name": "   ", "level": "COUNTY"}, "BAD_USER_INPUT"),
        ({"p": p, "code": "OK1", "name": "x" * 101, "level": "COUNTY"}, "BAD_USER_INPUT"),
        ({"p": p, "code": "OK1", "name": "x", "level": "CITY"}, "BAD_USER_INPUT"),
        ({"p": p, "code": tree["B"].code, "name": "x", "level": "COUNTY"}, "CONFLICT"),
        ({"p": "not-an-id", "code": "OK1", "name": "x", "level": "COUNTY"}, "BAD_USER_INPUT"),
        ({"p": gid("Youth", 1), "code": "OK1", "name": "x", "level": "COUNTY"}, "NOT_FOUND"),
        ({"p": p, "code": "OK1", "name": "x", "level": "NOPE"}, "BAD_USER_INPUT"),
    ]
    for variables, code in cases:
        r = await api.gql(create, variables, token=token)
        assert r.codes == [code], (variables, r.body)
        assert r.body.get("data") is None or r.body["data"].get("createOrg") is None
    assert await count_rows(api.services, Org) == orgs_before
    assert await count_rows(api.services, AuditEntry) == 0


async def test_only_tree_managers_change_the_tree(api) -> None:
    tree = await standard_tree(api.services)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(city.id)
    r = await api.gql(
        'mutation($id: ID!) { updateOrg(input: {id: $id, name: "x"}) { name } }',
        {"id": gid("Org", tree["A1"].id)},
        token=token,
    )
    assert r.codes == ["FORBIDDEN"]  # visible to them, but not theirs to change
    r = await api.gql(
        'mutation($id: ID!) { updateOrg(input: {id: $id, name: "x"}) { name } }',
        {"id": gid("Org", tree["B1"].id)},
        token=token,
    )
    assert r.codes == ["NOT_FOUND"]  # another subtree: not even its existence
    async with api.services.sessionmaker() as s:
        assert await s.scalar(sa.select(Org.name).where(Org.id == tree["A1"].id)) == "甲一县"


async def test_pagination_is_stable_and_bounded(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree)
    seen, after = [], None
    while True:
        r = await api.gql(
            "query($a: String) { orgs(first: 3, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
            {"a": after},
            token=token,
        )
        page = r.data["orgs"]
        seen += [pk_of(n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(o.id for o in tree.orgs.values())
    assert (await api.gql("{ orgs(first: 1000) { totalCount } }", token=token)).codes == [
        "BAD_USER_INPUT"
    ]
    assert (await api.gql('{ orgs(after: "garbage") { totalCount } }', token=token)).codes == [
        "BAD_USER_INPUT"
    ]
