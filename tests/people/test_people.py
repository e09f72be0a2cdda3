"""Cadres and youth: created by the leading organs, read within scope, personal data masked."""

from __future__ import annotations

import sqlalchemy as sa

from models import AuditEntry, Cadre, Grant, User, Youth
from tests.helpers import (
    PASSWORD,
    add_user,
    add_youth,
    add_youth_account,
    count_rows,
    gid,
    standard_tree,
)

CREATE_CADRE = """mutation($o: ID!, $u: String!, $p: String!, $m: String) {
  createCadre(input: {orgId: $o, name: "新干部", kind: PART_TIME, username: $u, password: $p,
                      position: "兼职副书记", mobile: $m}) { id name kind position org { name } userId } }"""
CREATE_YOUTH = """mutation($o: ID!, $n: String!, $m: String!) {
  createYouth(input: {orgId: $o, name: $n, mobile: $m, industry: "教育"}) { id name mobile industry } }"""


async def test_county_admin_creates_a_cadre_who_can_log_in(api) -> None:
    tree = await standard_tree(api.services)
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    r = await api.gql(
        CREATE_CADRE, {"o": gid("Org", tree["A1x"].id), "u": "newbie", "p": "Passw0rd!"}, token=t
    )
    cadre = r.data["createCadre"]
    assert cadre["org"]["name"] == "甲一县某支部" and cadre["kind"] == "PART_TIME"
    login = await api.gql(
        'mutation { login(username: "newbie", password: "Passw0rd!") { accessToken } }'
    )
    me = await api.gql(
        "{ me { cadre { name } grants { role } } orgs { totalCount } }",
        token=login.data["login"]["accessToken"],
    )
    assert me.data["me"] == {"cadre": {"name": "新干部"}, "grants": [{"role": "cadre"}]}
    assert me.data["orgs"]["totalCount"] == 1  # their own branch, nothing above
    entries = await api.gql("{ auditLog { nodes { action } } }", token=t)
    assert entries.codes == ["FORBIDDEN"]  # a county admin is no auditor


async def test_cadre_creation_refusals_write_nothing(api) -> None:
    tree = await standard_tree(api.services)
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    users, cadres, grants = [await count_rows(api.services, m) for m in (User, Cadre, Grant)]
    cases = [
        ({"o": gid("Org", tree["A1"].id), "u": "ab", "p": "Passw0rd!"}, "BAD_USER_INPUT"),
        ({"o": gid("Org", tree["A1"].id), "u": "weakling", "p": "short1"}, "BAD_USER_INPUT"),
        ({"o": gid("Org", tree["A1"].id), "u": "weakling", "p": "onlyletters"}, "BAD_USER_INPUT"),
        (
            {"o": gid("Org", tree["A1"].id), "u": "phone", "p": "Passw0rd!", "m": "123"},
            "BAD_USER_INPUT",
        ),
        ({"o": gid("Org", tree["A1"].id), "u": "countya1", "p": "Passw0rd!"}, "CONFLICT"),
        (
            {"o": gid("Org", tree["A"].id), "u": "upper", "p": "Passw0rd!"},
            "NOT_FOUND",
        ),  # above: unseen
        ({"o": gid("Org", tree["B1"].id), "u": "sideways", "p": "Passw0rd!"}, "NOT_FOUND"),
    ]
    for variables, code in cases:
        r = await api.gql(CREATE_CADRE, variables, token=t)
        assert r.codes == [code], (variables, r.body)
    assert (users, cadres, grants) == tuple(
        [await count_rows(api.services, m) for m in (User, Cadre, Grant)]
    )
    assert await count_rows(api.services, AuditEntry) == 0


async def test_mobile_numbers_are_masked_unless_entitled(api) -> None:
    tree = await standard_tree(api.services)
    await add_youth(api.services, "小李", "13811112222", tree["A1x"])
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    group = await add_user(api.services, "leader", org=tree["A"], roles=("working_group_leader",))
    province = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    q = "{ youths { nodes { name mobile } } }"
    for user, expected in (
        (county, "138****2222"),
        (group, "138****2222"),
        (province, "13811112222"),
    ):
        r = await api.gql(q, token=await api.token_for(user.id))
        assert r.data["youths"]["nodes"] == [{"name": "小李", "mobile": expected}], user.username


async def test_a_youth_sees_only_themself(api) -> None:
    tree = await standard_tree(api.services)
    me = await add_youth(api.services, "我", "13800000011", tree["A1x"])
    other = await add_youth(api.services, "别人", "13800000012", tree["A1x"])
    cadre = await add_user(api.services, "c1", org=tree["A1x"])
    async with api.services.sessionmaker() as s:
        user = User(mobile="13800000011", display_name="我")
        s.add(user)
        await s.flush()
        await s.execute(sa.update(Youth).where(Youth.id == me.id).values(user_id=user.id))
        await s.commit()
    t = await api.token_for(user.id)
    own = await api.gql(
        "query($id: ID!) { youth(id: $id) { name mobile } }", {"id": gid("Youth", me.id)}, token=t
    )
    assert own.data["youth"] == {"name": "我", "mobile": "13800000011"}
    for query, variables in (
        ("query($id: ID!) { youth(id: $id) { name } }", {"id": gid("Youth", other.id)}),
        ("query($id: ID!) { cadre(id: $id) { name } }", {"id": gid("Cadre", 1)}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Youth", other.id)}),
    ):
        assert (await api.gql(query, variables, token=t)).codes == ["NOT_FOUND"], query
    for query in (
        "{ youths { totalCount } }",
        "{ cadres { totalCount } }",
        "{ orgs { totalCount } }",
        "{ grants { totalCount } }",
        "{ auditLog { totalCount } }",
        "{ roles { name } }",
    ):
        assert (await api.gql(query, token=t)).codes == ["FORBIDDEN"], query
    assert cadre.username == "c1"


async def test_youth_registration_and_update(api) -> None:
    tree = await standard_tree(api.services)
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    r = await api.gql(
        CREATE_YOUTH,
        {"o": gid("Org", tree["A1x"].id), "n": "小王", "m": "+86 138-0000-0099"},
        token=t,
    )
    youth = r.data["createYouth"]
    assert youth["mobile"] == "138****0099" and youth["industry"] == "教育"
    dup = await api.gql(
        CREATE_YOUTH, {"o": gid("Org", tree["A1"].id), "n": "冒名", "m": "13800000099"}, token=t
    )
    assert dup.codes == ["CONFLICT"]
    bad = await api.gql(
        CREATE_YOUTH, {"o": gid("Org", tree["A1"].id), "n": "x", "m": "12345"}, token=t
    )
    assert bad.codes == ["BAD_USER_INPUT"]
    upd = await api.gql(
        'mutation($id: ID!) { updateYouth(input: {id: $id, industry: "金融"}) { industry } }',
        {"id": youth["id"]},
        token=t,
    )
    assert upd.data["updateYouth"]["industry"] == "金融"
    async with api.services.sessionmaker() as s:
        audit = (
            (await s.execute(sa.select(AuditEntry.after).order_by(AuditEntry.id))).scalars().all()
        )
    assert all("13800000099" not in str(a) for a in audit)  # the audit log keeps numbers masked
    assert await count_rows(api.services, Youth) == 1


async def test_deactivating_a_cadre_ends_their_sessions_and_grants(api) -> None:
    tree = await standard_tree(api.services)
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    leaver = await add_user(api.services, "leaver", org=tree["A1x"], roles=("cadre",))
    leaver_t = await api.token_for(leaver.id)
    assert (await api.gql("{ me { user { username } } }", token=leaver_t)).data
    async with api.services.sessionmaker() as s:
        cadre_id = await s.scalar(sa.select(Cadre.id).where(Cadre.user_id == leaver.id))
    r = await api.gql(
        "mutation($id: ID!) { updateCadre(input: {id: $id, isActive: false}) { isActive } }",
        {"id": gid("Cadre", cadre_id)},
        token=await api.token_for(county.id),
    )
    assert r.data["updateCadre"]["isActive"] is False
    assert (await api.gql("{ me { user { username } } }", token=leaver_t)).codes == [
        "UNAUTHENTICATED"
    ]
    login = await api.gql(
        f'mutation {{ login(username: "leaver", password: "{PASSWORD}") {{ accessToken }} }}'
    )
    assert login.codes == ["UNAUTHENTICATED"]
    async with api.services.sessionmaker() as s:
        live = await s.scalar(
            sa.select(sa.func.count())
            .select_from(Grant)
            .where(Grant.user_id == leaver.id, Grant.revoked_at.is_(None))
        )
    assert live == 0


async def test_creating_a_cadre_is_no_oracle_over_mobiles_with_an_account(api) -> None:
    """A number that already has an account (a youth's in another city) is left unbound and
    the answer is the same as for a free number; a taken username is CONFLICT, naming no one."""
    tree = await standard_tree(api.services)
    await add_youth_account(api.services, "远方", "13900000001", tree["B1"])
    county = await add_user(api.services, "countyA1", org=tree["A1"], roles=("county_admin",))
    t = await api.token_for(county.id)
    answers = []
    for username, mobile in (("taken1", "13900000001"), ("free1", "13900000002")):
        r = await api.gql(
            CREATE_CADRE,
            {"o": gid("Org", tree["A1x"].id), "u": username, "p": "Passw0rd!", "m": mobile},
            token=t,
        )
        answers.append(
            {k: v for k, v in r.data["createCadre"].items() if k not in ("id", "userId")}
        )
    assert answers[0] == answers[1]
    async with api.services.sessionmaker() as s:
        bound = dict((await s.execute(sa.select(User.username, User.mobile))).all())
    assert (bound["taken1"], bound["free1"]) == (None, "13900000002")
    again = await api.gql(
        CREATE_CADRE, {"o": gid("Org", tree["A1x"].id), "u": "taken1", "p": "Passw0rd!"}, token=t
    )
    assert again.error("CONFLICT")["message"] == "用户名已被使用"
