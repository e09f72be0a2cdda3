"""Rosters (名册): orgs and cadres in bulk through the API, a dry run first with a per-row
report, then all or nothing; the 智慧团建 code as the stable code; 团员 / 青年 on youth."""

from __future__ import annotations

import base64
from datetime import date

from tests.helpers import add_user, add_youth, gid, snapshot, standard_tree

IMPORT_ORGS = """mutation($f: String!, $c: String!, $dry: Boolean!) {
  importOrgs(input: {filename: $f, contentBase64: $c, dryRun: $dry}) {
    written dryRun created unchanged rejected rows { row key name outcome reason } } }"""
IMPORT_CADRES = """mutation($c: String!, $p: String!, $dry: Boolean!) {
  importCadres(input: {filename: "干部.csv", contentBase64: $c, initialPassword: $p, dryRun: $dry}) {
    written dryRun created unchanged rejected rows { row key outcome reason } } }"""
ORG_HEADER = "组织代码,智慧团建编码,组织名称,上级组织代码,层级,类型,领导机关"
CADRE_HEADER = "姓名,用户名,组织代码,类型,职务,手机号,领导机关干部"


def csv(*lines: str) -> str:
    return base64.b64encode("\n".join(lines).encode("utf-8")).decode()


async def admin_token(api, tree, org: str, role: str) -> str:
    user = await add_user(api.services, f"admin{org.lower()}", org=tree[org], roles=(role,))
    return await api.token_for(user.id)


async def org_manager(api, tree) -> str:
    """org:manage (held by the province_admin role) granted at 甲市: its subtree only."""
    return await admin_token(api, tree, "A", "province_admin")


async def test_orgs_dry_run_reports_each_row_and_writes_nothing_then_apply(api) -> None:
    tree = await standard_tree(api.services)
    token = await org_manager(api, tree)
    a1 = tree["A1"].code
    content = csv(
        ORG_HEADER,
        f",ZT6101010001,某街道团工委,{a1},基层团委,社区,否",
        "GB-1,,某团总支,ZT6101010001,团总支,,",
        "BR-1,ZT6101010003,某团支部,GB-1,团支部,OTHER,否",
        f"{a1},,甲一县,{tree['A'].code},县,地方团委,是",
    )
    before = await snapshot(api.services)
    dry = await api.gql(IMPORT_ORGS, {"f": "组织.csv", "c": content, "dry": True}, token=token)
    report = dry.data["importOrgs"]
    assert (report["written"], report["dryRun"]) == (False, True)
    assert (report["created"], report["unchanged"], report["rejected"]) == (3, 1, 0)
    assert [(r["row"], r["key"], r["outcome"]) for r in report["rows"]] == [
        (2, "ZT6101010001", "CREATED"),  # no 组织代码: the 智慧团建 code is the stable code
        (3, "GB-1", "CREATED"),
        (4, "BR-1", "CREATED"),
        (5, a1, "UNCHANGED"),
    ]
    assert report["rows"][3]["reason"] == "组织代码已存在，未改动"
    assert await snapshot(api.services) == before  # a dry run writes nothing

    applied = (
        await api.gql(IMPORT_ORGS, {"f": "组织.csv", "c": content, "dry": False}, token=token)
    ).data["importOrgs"]
    assert (applied["written"], applied["created"], applied["unchanged"]) == (True, 3, 1)
    found = await api.gql(
        'query { orgs(search: "某团支部", first: 5) { nodes { code zhtjCode level '
        "parent { code level parent { code zhtjCode } } } } }",
        token=token,
    )
    assert found.data["orgs"]["nodes"] == [
        {
            "code": "BR-1",
            "zhtjCode": "ZT6101010003",
            "level": "BRANCH",
            "parent": {
                "code": "GB-1",
                "level": "GENERAL_BRANCH",
                "parent": {"code": "ZT6101010001", "zhtjCode": "ZT6101010001"},
            },
        }
    ]
    # The same file again: every row is there already; nothing changes.
    between = await snapshot(api.services)
    again = (
        await api.gql(IMPORT_ORGS, {"f": "组织.csv", "c": content, "dry": False}, token=token)
    ).data["importOrgs"]
    assert (again["created"], again["unchanged"], again["rejected"]) == (0, 4, 0)
    assert await snapshot(api.services) == between


async def test_one_bad_row_and_nothing_is_written(api) -> None:
    tree = await standard_tree(api.services)
    token = await org_manager(api, tree)
    content = csv(
        ORG_HEADER,
        f"OK-1,,好的一行,{tree['A1'].code},基层团委,,",
        f"BAD-1,,层级不对,{tree['A1'].code},市,,",
        f"BAD-2,,兄弟市下,{tree['B1'].code},基层团委,,",  # 乙市: not the caller's to see
        "BAD-3,,上级不存在,NOPE,团支部,,",
        f"BAD-4,,类型不对,{tree['A1'].code},团支部,火星,",
        f",,没有代码,{tree['A1'].code},团支部,,",
    )
    before = await snapshot(api.services)
    r = (
        await api.gql(IMPORT_ORGS, {"f": "组织.csv", "c": content, "dry": False}, token=token)
    ).data["importOrgs"]
    assert (r["written"], r["created"], r["rejected"]) == (False, 1, 5)
    reasons = {row["key"]: row["reason"] for row in r["rows"]}
    assert reasons["OK-1"] == ""
    assert reasons["BAD-1"] == "下级组织的层级必须低于上级组织"
    assert reasons["BAD-2"].startswith("上级组织代码不存在或无权查看")
    assert reasons["BAD-3"].startswith("上级组织代码不存在或无权查看")
    assert reasons["BAD-4"] == "类型「火星」无法识别"
    assert reasons[""] == "组织代码和智慧团建编码至少填一个"
    assert await snapshot(api.services) == before  # all or nothing: not even OK-1
    # A file without a required column is refused whole.
    bad = await api.gql(
        IMPORT_ORGS,
        {"f": "组织.csv", "c": csv("组织名称,层级", "x,团支部"), "dry": True},
        token=token,
    )
    assert bad.codes == ["BAD_USER_INPUT"]
    # Someone who may manage no org at all is refused before the file is read.
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    denied = await api.gql(
        IMPORT_ORGS,
        {"f": "组织.csv", "c": content, "dry": True},
        token=await api.token_for(cadre.id),
    )
    assert denied.codes == ["FORBIDDEN"]


async def test_cadres_with_accounts_all_or_nothing_then_they_log_in(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree, "A", "city_admin")
    good = [
        f"张三,zhangsan,{tree['A1'].code},专职,书记,13900000001,是",
        f"李四,lisi,{tree['A2'].code},兼职,委员,,否",
    ]
    bad = [
        f"王五,wangwu,{tree['B1'].code},专职,,,",  # 乙一县: outside the caller's subtree
        f"赵六,zhaoliu,{tree['A1'].code},临时,,,",
        f"钱七,7qian,{tree['A1'].code},挂职,,,",
    ]
    before = await snapshot(api.services)
    r = (
        await api.gql(
            IMPORT_CADRES,
            {"c": csv(CADRE_HEADER, *good, *bad), "p": "Start2026a", "dry": False},
            token=token,
        )
    ).data["importCadres"]
    assert (r["written"], r["created"], r["rejected"]) == (False, 2, 3)
    assert [row["reason"] for row in r["rows"][2:]] == [
        "组织代码不存在或无权查看",
        "类型「临时」无法识别",
        "用户名须以字母开头，由 3–32 位小写字母、数字、下划线或点组成",
    ]
    assert await snapshot(api.services) == before
    weak = await api.gql(
        IMPORT_CADRES, {"c": csv(CADRE_HEADER, *good), "p": "12345678", "dry": True}, token=token
    )
    assert weak.error("BAD_USER_INPUT")["extensions"]["field"] == "password"

    preview = (
        await api.gql(
            IMPORT_CADRES,
            {"c": csv(CADRE_HEADER, *good), "p": "Start2026a", "dry": True},
            token=token,
        )
    ).data["importCadres"]
    assert (preview["written"], preview["created"]) == (False, 2)
    assert await snapshot(api.services) == before
    done = (
        await api.gql(
            IMPORT_CADRES,
            {"c": csv(CADRE_HEADER, *good), "p": "Start2026a", "dry": False},
            token=token,
        )
    ).data["importCadres"]
    assert (done["written"], done["created"]) == (True, 2)

    login = await api.gql(
        'mutation { login(username: "zhangsan", password: "Start2026a") { accessToken } }'
    )
    cadre_token = login.data["login"]["accessToken"]
    me = await api.gql(
        "{ me { cadre { name kind position isLeadingOrganCadre org { name } } } }",
        token=cadre_token,
    )
    assert me.data["me"]["cadre"] == {
        "name": "张三",
        "kind": "FULL_TIME",
        "position": "书记",
        "isLeadingOrganCadre": True,
        "org": {"name": "甲一县"},
    }
    again = (
        await api.gql(
            IMPORT_CADRES,
            {"c": csv(CADRE_HEADER, *good), "p": "Start2026a", "dry": False},
            token=token,
        )
    ).data["importCadres"]
    assert (again["created"], again["unchanged"]) == (0, 2)


UPDATE_YOUTH = """mutation($id: ID!, $m: Membership!) {
  updateYouth(input: {id: $id, membership: $m}) { membership inLeagueAge } }"""


async def test_membership_and_league_age_on_youth(api) -> None:
    tree = await standard_tree(api.services)
    token = await admin_token(api, tree, "A1", "county_admin")
    today = date.today()
    young = await add_youth(
        api.services, "小团员", "13700000001", tree["A1"], birth_date=date(today.year - 20, 1, 1)
    )
    old = await add_youth(
        api.services, "老青年", "13700000002", tree["A1"], birth_date=date(today.year - 35, 1, 1)
    )
    r = await api.gql(
        UPDATE_YOUTH, {"id": gid("Youth", young.id), "m": "LEAGUE_MEMBER"}, token=token
    )
    assert r.data["updateYouth"] == {"membership": "LEAGUE_MEMBER", "inLeagueAge": True}
    over = await api.gql(
        UPDATE_YOUTH, {"id": gid("Youth", old.id), "m": "LEAGUE_MEMBER"}, token=token
    )
    assert over.error("BAD_USER_INPUT")["extensions"]["field"] == "membership"
    r = await api.gql(UPDATE_YOUTH, {"id": gid("Youth", old.id), "m": "YOUTH"}, token=token)
    assert r.data["updateYouth"] == {"membership": "YOUTH", "inLeagueAge": False}
    created = await api.gql(
        'mutation($o: ID!) { createYouth(input: {orgId: $o, name: "新人", mobile: "13700000003", '
        "membership: LEAGUE_MEMBER}) { membership inLeagueAge } }",
        {"o": gid("Org", tree["A1"].id)},
        token=token,
    )
    assert created.data["createYouth"] == {"membership": "LEAGUE_MEMBER", "inLeagueAge": None}


async def test_the_youth_import_reads_membership(api) -> None:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    token = await api.token_for(cadre.id)
    doc = """mutation($c: String!, $dry: Boolean!) { importYouth(input: {filename: "名单.csv",
      contentBase64: $c, dryRun: $dry}) { written rejected rows { mobile outcome reason } } }"""
    content = csv(
        "姓名,手机号,政治面貌", "甲,13600000001,团员", "乙,13600000002,青年", "丙,13600000003,党员"
    )
    r = (await api.gql(doc, {"c": content, "dry": True}, token=token)).data["importYouth"]
    assert r["rejected"] == 1 and r["rows"][2]["reason"] == "政治面貌应填“团员”或“青年”"
    content = csv("姓名,手机号,政治面貌", "甲,13600000001,团员", "乙,13600000002,")
    assert (await api.gql(doc, {"c": content, "dry": False}, token=token)).data["importYouth"][
        "written"
    ]
    county = await admin_token(api, tree, "A1", "county_admin")
    listed = await api.gql("{ youths(first: 10) { nodes { name membership } } }", token=county)
    assert {n["name"]: n["membership"] for n in listed.data["youths"]["nodes"]} == {
        "甲": "LEAGUE_MEMBER",
        "乙": None,
    }
