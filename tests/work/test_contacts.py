"""Youth lists: invitations a youth accepts or leaves, imports, batch tags, exports."""

from __future__ import annotations

import base64
import csv
import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from models import Contact, ContactStatus, Youth
from tests.helpers import (
    accept_invitations,
    add_user,
    add_youth,
    add_youth_account,
    count_rows,
    gid,
    snapshot,
    standard_tree,
)

ADD = 'mutation($n: String!, $m: String!) { addYouthToMyList(name: $n, mobile: $m, industry: "制造业") { id status youth { name mobile } } }'
MY = "{ myContacts { totalCount nodes { id status youth { name mobile industry } cadre { name } } } }"


def xlsx(rows: list[list[object]]) -> str:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


async def setup(api):
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    return tree, cadre, await api.token_for(cadre.id)


async def test_invite_accept_leave(api) -> None:
    tree, _cadre, t = await setup(api)
    youth, youth_user = await add_youth_account(api.services, "小林", "13700000001", tree["A2"])
    added = (await api.gql(ADD, {"n": "ignored", "m": "13700000001"}, token=t)).data[
        "addYouthToMyList"
    ]
    assert added["status"] == "INVITED"
    assert added["youth"] is None  # who the youth is shows only once they accept
    assert (await api.gql(ADD, {"n": "x", "m": "13700000001"}, token=t)).codes == ["CONFLICT"]
    # Another youth cannot accept someone else's link.
    _, other = await add_youth_account(api.services, "小周", "13700000002", tree["A1"])
    accept = "mutation($id: ID!) { acceptContact(id: $id) { status } }"
    assert (
        await api.gql(accept, {"id": added["id"]}, token=await api.token_for(other.id))
    ).codes == ["NOT_FOUND"]
    assert (await api.gql(accept, {"id": added["id"]}, token=t)).codes == [
        "FORBIDDEN"
    ]  # nor the cadre
    yt = await api.token_for(youth_user.id)
    mine = (await api.gql(MY, token=yt)).data["myContacts"]
    assert mine["nodes"][0]["cadre"]["name"] == "c1" and mine["nodes"][0]["status"] == "INVITED"
    assert (await api.gql(accept, {"id": added["id"]}, token=yt)).data["acceptContact"][
        "status"
    ] == "ACTIVE"
    assert (await api.gql(MY, token=t)).data["myContacts"]["nodes"][0]["youth"] == {
        "name": "小林",
        "mobile": "13700000001",
        "industry": "教育",
    }  # their own cadre sees it whole
    assert (await api.gql(accept, {"id": added["id"]}, token=yt)).codes == ["CONFLICT"]
    left = await api.gql(
        "mutation($id: ID!) { leaveContact(id: $id) { status leftBy } }",
        {"id": added["id"]},
        token=yt,
    )
    assert left.data["leaveContact"] == {"status": "LEFT", "leftBy": "YOUTH"}
    assert (await api.gql(MY, token=t)).data["myContacts"]["totalCount"] == 0
    # A cadre may invite again; the youth decides again.
    again = await api.gql(ADD, {"n": "x", "m": "13700000001"}, token=t)
    assert again.data["addYouthToMyList"]["status"] == "INVITED"
    async with api.services.sessionmaker() as s:
        statuses = sorted(x.value for x in await s.scalars(sa.select(Contact.status)))
    assert statuses == ["INVITED", "LEFT"]
    assert youth.id


async def test_new_youth_is_registered_at_the_cadres_org(api) -> None:
    tree, _cadre, t = await setup(api)
    r = await api.gql(ADD, {"n": "新人", "m": "13700000009"}, token=t)
    assert r.data["addYouthToMyList"]["status"] == "INVITED"
    async with api.services.sessionmaker() as s:
        y = await s.scalar(sa.select(Youth).where(Youth.mobile == "13700000009"))
    assert y.org_id == tree["A1"].id and y.industry == "制造业"
    # Only cadres keep lists.
    admin = await add_user(
        api.services, "notcadre", roles=("auditor",), grant_org=tree["P"], cadre_kind=None
    )
    assert (
        await api.gql(ADD, {"n": "x", "m": "13700000010"}, token=await api.token_for(admin.id))
    ).codes == ["FORBIDDEN"]


IMPORT = """mutation($f: String!, $c: String!, $v: Boolean!) {
  importYouth(input: {filename: $f, contentBase64: $c, importValidRows: $v}) {
    written invited matched unchanged rejected rows { row name mobile outcome reason } } }"""


async def test_import_reports_each_row_and_is_idempotent(api) -> None:
    tree, _cadre, t = await setup(api)
    await add_youth(api.services, "老朋友", "13600000003", tree["B1"])
    good = xlsx(
        [
            ["姓名", "手机号", "行业"],
            ["甲", "13600000001", "教育"],
            ["乙", "136 0000 0002", ""],
            ["丙", "13600000003", "金融"],
            [None, None, None],
        ]
    )
    r = (await api.gql(IMPORT, {"f": "名单.xlsx", "c": good, "v": False}, token=t)).data[
        "importYouth"
    ]
    assert (r["written"], r["invited"], r["matched"], r["unchanged"], r["rejected"]) == (
        True,
        3,  # the number registered in B1 is invited like a new one (no oracle)
        0,
        0,
        0,
    )
    assert [x["row"] for x in r["rows"]] == [2, 3, 4]
    before = await snapshot(api.services)
    again = (await api.gql(IMPORT, {"f": "名单.xlsx", "c": good, "v": False}, token=t)).data[
        "importYouth"
    ]
    assert (again["invited"], again["matched"], again["unchanged"]) == (0, 0, 3)
    assert await snapshot(api.services) == before  # re-importing changes nothing
    async with api.services.sessionmaker() as s:
        old = await s.scalar(sa.select(Youth).where(Youth.mobile == "13600000003"))
    assert old.org_id == tree["B1"].id and old.name == "老朋友"  # invited, not moved or renamed


async def test_a_file_with_a_bad_row_writes_nothing_unless_asked(api) -> None:
    _tree, _cadre, t = await setup(api)
    mixed = xlsx(
        [
            ["name", "mobile"],
            ["好", "13600000011"],
            ["坏", "12345"],
            ["重复", "13600000011"],
            ["", "13600000012"],
        ]
    )
    before = await snapshot(api.services)
    r = (await api.gql(IMPORT, {"f": "a.xlsx", "c": mixed, "v": False}, token=t)).data[
        "importYouth"
    ]
    assert r["written"] is False and r["rejected"] == 3 and r["invited"] == 1
    reasons = {x["row"]: x["reason"] for x in r["rows"] if x["outcome"] == "REJECTED"}
    assert "格式" in reasons[3] and "重复" in reasons[4] and "姓名" in reasons[5]
    assert await snapshot(api.services) == before
    r = (await api.gql(IMPORT, {"f": "a.xlsx", "c": mixed, "v": True}, token=t)).data["importYouth"]
    assert r["written"] is True and r["invited"] == 1
    assert await count_rows(api.services, Youth) == 1


async def test_broken_and_csv_files(api) -> None:
    _tree, _cadre, t = await setup(api)
    before = await snapshot(api.services)
    for filename, content in (
        ("broken.xlsx", base64.b64encode(b"PK\x03\x04 not really a workbook").decode()),
        ("names.txt", base64.b64encode(b"name,mobile").decode()),
        ("noheader.csv", base64.b64encode("甲,13600000001\n".encode()).decode()),
        ("empty.csv", ""),
    ):
        r = await api.gql(IMPORT, {"f": filename, "c": content, "v": True}, token=t)
        assert r.codes == ["BAD_USER_INPUT"], (filename, r.body)
    assert await snapshot(api.services) == before
    gbk = "姓名,手机号,行业\n王五,13600000021,农业\n".encode("gb18030")
    r = (
        await api.gql(
            IMPORT, {"f": "list.csv", "c": base64.b64encode(gbk).decode(), "v": False}, token=t
        )
    ).data
    assert r["importYouth"]["invited"] == 1
    async with api.services.sessionmaker() as s:
        assert await s.scalar(sa.select(Youth.name).where(Youth.mobile == "13600000021")) == "王五"


async def test_batch_industry_is_all_or_nothing(api) -> None:
    tree, cadre, t = await setup(api)
    for i in range(3):
        assert (await api.gql(ADD, {"n": f"y{i}", "m": f"1350000000{i}"}, token=t)).data
    async with api.services.sessionmaker() as s:
        invited = await s.scalars(sa.select(Youth.id).where(Youth.mobile.like("135000000%")))
        pending = [gid("Youth", y) for y in invited]
    setq = 'mutation($ids: [ID!]!) { setYouthIndustry(youthIds: $ids, industry: "信息技术") { industry } }'
    assert (await api.gql(setq, {"ids": pending}, token=t)).codes == ["NOT_FOUND"]  # not yet theirs
    youth_ids = [gid("Youth", y) for y in await accept_invitations(api.services, cadre)]
    stranger = await add_youth(api.services, "外人", "13500000099", tree["B1"])
    before = await snapshot(api.services)
    assert (
        await api.gql(setq, {"ids": [*youth_ids, gid("Youth", stranger.id)]}, token=t)
    ).codes == ["NOT_FOUND"]
    assert await snapshot(api.services) == before
    r = await api.gql(setq, {"ids": youth_ids}, token=t)
    assert [y["industry"] for y in r.data["setYouthIndustry"]] == ["信息技术"] * 3


async def test_exports(api) -> None:
    tree, cadre, t = await setup(api)
    await api.gql(ADD, {"n": "导出甲", "m": "13400000001"}, token=t)
    await accept_invitations(api.services, cadre)  # only accepted links are the cadre's list
    await add_youth(api.services, "别处", "13400000002", tree["A2"])
    r = (
        await api.gql("{ exportYouth(format: XLSX) { filename contentBase64 rows } }", token=t)
    ).data["exportYouth"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(r["contentBase64"]))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("姓名", "手机号", "行业") and values[1][:2] == (
        "导出甲",
        "13400000001",
    )
    county = await add_user(api.services, "countyA", org=tree["A"], roles=("city_admin",))
    r = (
        await api.gql(
            "query($o: ID!) { exportYouth(format: CSV, under: $o) { contentBase64 rows } }",
            {"o": gid("Org", tree["A"].id)},
            token=await api.token_for(county.id),
        )
    ).data["exportYouth"]
    rows = list(csv.reader(io.StringIO(base64.b64decode(r["contentBase64"]).decode("utf-8-sig"))))
    assert sorted(row[1] for row in rows[1:]) == [
        "134****0001",
        "134****0002",
    ]  # masked for a leader
    assert ContactStatus.ACTIVE
