"""The console in a real browser (Chromium driven by Playwright, tests/browser.py), on the demo
province (app/demo.py): the same data `make run` shows. The screenshots in docs/img/ come
from these tests."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from playwright.async_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from app.demo import DEMO_PASSWORD, seed_demo
from models import ClientKind, Org
from tests.browser import SCREENSHOTS
from tests.helpers import (
    DEADLINE,
    PASSWORD,
    Api,
    add_user,
    add_youth_account,
    cadre_id_of,
    gid,
    snapshot,
)


@pytest.fixture(scope="module")
async def demo(live) -> Any:
    async with live.services.sessionmaker() as s:
        assert await seed_demo(s)
        await s.commit()
    return live


async def org_gid(live, name: str) -> str:
    async with live.services.sessionmaker() as s:
        return gid("Org", await s.scalar(sa.select(Org.id).where(Org.name == name)))


async def as_user(live, browser, username: str, password: str = DEMO_PASSWORD):
    return await live.page(browser, as_user=username, password=password)


async def shot(page, name: str) -> None:
    """A screenshot for docs/console.md, once the page has settled (fonts, charts)."""
    await page.evaluate("document.fonts.ready")
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled")


# A retry step, not a bound on how long anything may take: PICK_ATTEMPTS steps add up to
# DEADLINE, the one bound every wait in the suite has.
PICK_STEP_MS = 10_000
PICK_ATTEMPTS = max(1, int(DEADLINE * 1000) // PICK_STEP_MS)


async def pick(page, label: str, text: str) -> None:
    """Choose `text` in an Element Plus select (typing first when it searches), as a user
    does: open it, then click the option."""
    field = page.get_by_label(label, exact=True).first
    await page.locator(".el-select", has=field).first.click()
    if await field.get_attribute("readonly") is None:
        await field.fill(text)
    # Only the open dropdown's options: a closed picker keeps its (hidden) options in the
    # page, and a user's option may name an org too ("代管人（共青团西安市雁塔区委）").
    options = page.get_by_role("option", name=re.compile(re.escape(text))).filter(visible=True)
    # The dropdown closes once the option is chosen: until it has, its options are still
    # visible and would be matched by the next pick. A searching select re-renders its
    # options when the search's answer arrives; a click that landed on the list it replaced
    # chose nothing and left it open (seen beside a CPU hog), so the user clicks again.
    for _ in range(PICK_ATTEMPTS):
        try:
            await options.first.click(timeout=PICK_STEP_MS)
            await options.first.wait_for(state="hidden", timeout=PICK_STEP_MS)
            return
        except PlaywrightTimeout:
            if await options.count() == 0:  # closed after all: chosen
                return
    raise AssertionError(f"{label}: {text} was never chosen")


def table(page, name: str):
    """An Element Plus table by its aria-label (it draws header and body as two tables)."""
    return page.locator(f'.el-table[aria-label="{name}"]')


async def chart_option(page, name: str) -> dict:
    """The option ECharts is drawing in the chart `name`, read from ECharts itself."""
    return await page.evaluate(
        """async (name) => {
          const echarts = await import("echarts");
          const el = document.querySelector(`[data-chart="${name}"]`);
          const o = echarts.getInstanceByDom(el).getOption();
          return { x: o.xAxis ? o.xAxis[0].data : null,
                   series: o.series.map(s => s.data.map(d => (d && d.value !== undefined) ? [d.name, d.value] : d)) };
        }""",
        name,
    )


async def test_login_form_then_logout(demo, chromium) -> None:
    page = await demo.page(chromium)
    await page.goto("/orgs")
    await page.wait_for_url(re.compile(r"/login\?next=/orgs$"))
    await shot(page, "login")
    await page.get_by_label("用户名").fill("xian_admin")
    await page.get_by_label("密码", exact=True).fill("wrong")
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("alert").filter(has_text="用户名或密码").wait_for()
    await page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/orgs$"))
    await page.get_by_role("treeitem", name="共青团西安市委").wait_for()
    await page.get_by_role("button", name="退出登录").click()
    await page.wait_for_url(re.compile(r"/login$"))
    await page.goto("/")
    await page.wait_for_url(re.compile(r"/login\?next=/$"))
    assert page.js_errors == []
    await page.context.close()


async def test_an_expired_access_token_is_renewed_in_the_background(demo, chromium) -> None:
    """The page starts with an access token the server refuses and a good refresh token: the
    console renews the pair once and carries on; the old refresh token is spent."""
    tokens = await demo.login("xian_admin", DEMO_PASSWORD)
    page = await demo.page(chromium)
    await page.add_init_script(
        "if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1');"
        " localStorage.setItem('youthlink.session', JSON.stringify("
        f"{{access: 'expired.or.forged', refresh: '{tokens['refreshToken']}'}})); }}"
    )
    await page.goto("/")
    await page.get_by_test_id("who").filter(has_text="李西安").wait_for()
    stored = await page.evaluate("JSON.parse(localStorage.getItem('youthlink.session'))")
    assert stored["refresh"] != tokens["refreshToken"] and stored["access"] != "expired.or.forged"
    reuse = await demo.gql(
        "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
        {"t": tokens["refreshToken"]},
    )
    assert reuse.codes == ["UNAUTHENTICATED"]
    assert page.js_errors == []
    await page.context.close()


DASHBOARD = """query($o: ID!) { dashboard(orgId: $o) { cadres activeCadres youthInContact
  youthInvited logs logsByKind { key count } fiveOnesByChild { rate org { name } }
  weekly { weekStart logs contacts activities } } }"""


async def test_dashboard_charts_show_the_api_figures(demo, chromium) -> None:
    xian = await org_gid(demo, "共青团西安市委")
    page = await as_user(demo, chromium, "xian_admin")
    await page.goto("/")
    await page.get_by_role("menuitem", name="工作看板").click()
    await page.wait_for_url(re.compile(r"/orgs/.+/dashboard$"))
    await page.get_by_role("heading", name="共青团西安市委 · 工作看板").wait_for()
    tokens = await demo.login("xian_admin", DEMO_PASSWORD)
    api = (await demo.gql(DASHBOARD, {"o": xian}, token=tokens["accessToken"])).data["dashboard"]
    assert api["logs"] > 0 and api["fiveOnesByChild"]  # the demo has work to show

    kpis = await page.get_by_test_id("kpis").inner_text()
    for title, key in (("团干部", "cadres"), ("活跃团干部", "activeCadres"), ("日志", "logs")):
        assert re.search(rf"(^|\n){title}\n{api[key]}(\n|$)", kpis), (title, kpis)
    by_kind = await chart_option(page, "logsByKind")
    assert sorted(v for _, v in by_kind["series"][0]) == sorted(
        c["count"] for c in api["logsByKind"]
    )
    five = await chart_option(page, "fiveOnesByChild")
    assert five["x"] == [c["org"]["name"] for c in api["fiveOnesByChild"]]
    assert five["series"][0] == [round(c["rate"] * 1000) / 10 for c in api["fiveOnesByChild"]]
    weekly = await chart_option(page, "weekly")
    assert weekly["x"] == [w["weekStart"] for w in api["weekly"]]
    assert weekly["series"] == [
        [w[k] for w in api["weekly"]] for k in ("logs", "contacts", "activities")
    ]
    await shot(page, "dashboard")

    # Drill down: the first child's row leads to its own dashboard.
    child = api["fiveOnesByChild"][0]["org"]["name"]
    await page.get_by_role("link", name=child, exact=True).first.click()
    await page.get_by_role("heading", name=f"{child} · 工作看板").wait_for()
    assert page.js_errors == []
    await page.context.close()


async def test_a_sibling_citys_url_is_not_found(demo, chromium) -> None:
    baoji = await org_gid(demo, "共青团宝鸡市委")
    page = await as_user(demo, chromium, "xian_admin")
    for path in (f"/orgs/{baoji}", f"/orgs/{baoji}/dashboard", f"/orgs/{baoji}/ranking"):
        await page.goto(path)
        await page.get_by_test_id("not-found").wait_for()
        assert "宝鸡" not in await page.locator("#main").inner_text()
    await shot(page, "not-found")
    await page.goto(f"/orgs/{await org_gid(demo, '共青团西安市委')}")
    await page.get_by_role("heading", name=re.compile("共青团西安市委")).wait_for()
    assert page.js_errors == []
    await page.context.close()


async def test_grant_preview_apply_and_the_grantee_sees_the_subtree(demo, chromium) -> None:
    async with demo.services.sessionmaker() as s:
        yanta = await s.scalar(sa.select(Org).where(Org.name == "共青团西安市雁塔区委"))
    await add_user(demo.services, "新任干部", org=yanta, roles=("cadre",))
    beilin = await org_gid(demo, "共青团西安市碑林区委")
    grantee = await as_user(demo, chromium, "新任干部", PASSWORD)
    await grantee.goto(f"/orgs/{beilin}")
    await grantee.get_by_test_id("not-found").wait_for()

    page = await as_user(demo, chromium, "admin")
    await page.goto("/policy/grants")
    await pick(page, "账号", "新任干部")
    await pick(page, "角色", "县级团委管理员")
    await pick(page, "组织", "碑林区")
    await page.get_by_role("button", name="预览授权").click()
    await page.wait_for_url(re.compile(r"/policy/change$"))
    await page.get_by_role("button", name="预览影响").click()
    summary = page.get_by_test_id("diff-summary")
    await summary.filter(has_text="预览").wait_for()
    await table(page, "获得的权利").get_by_text("新任干部").first.wait_for()
    await shot(page, "policy-preview")
    await grantee.reload()
    await grantee.get_by_test_id("not-found").wait_for()  # a preview changes nothing
    await page.get_by_role("button", name="应用（一个事务）").click()
    await summary.filter(has_text="已应用").wait_for()

    await grantee.goto(f"/orgs/{beilin}")
    await grantee.get_by_role("heading", name=re.compile("共青团西安市碑林区委")).wait_for()
    await grantee.goto("/orgs")
    await grantee.get_by_role("treeitem", name="共青团西安市碑林区委").wait_for()
    assert page.js_errors == [] and grantee.js_errors == []
    await page.context.close()
    await grantee.context.close()


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def test_an_import_with_a_bad_row_shows_the_report_and_writes_nothing(
    demo, chromium, tmp_path
) -> None:
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(
        _xlsx(
            [["姓名", "手机号", "行业"], ["赵一", "13912340001", "教育"], ["钱二", "12345", "金融"]]
        )
    )
    page = await as_user(demo, chromium, "cadre_demo")
    await page.goto("/youth/import")
    await page.get_by_label("选择文件").wait_for()
    before = await snapshot(demo.services)
    await page.get_by_label("选择文件").set_input_files(upload)
    report = page.get_by_test_id("import-report")
    await report.get_by_role("alert").filter(has_text="有 1 行错误").wait_for()
    rows = report.get_by_role("row")
    assert "钱二" in await rows.filter(has_text="错误").inner_text()
    assert await report.get_by_role("button", name="确认导入").count() == 0
    await shot(page, "youth-import")
    assert await snapshot(demo.services) == before
    await report.get_by_role("button", name="取消").click()
    await report.wait_for(state="detached")
    assert await snapshot(demo.services) == before
    assert page.js_errors == []
    await page.context.close()


async def downloaded(page, tmp_path, button) -> Any:
    """Click `button` and keep the file the browser downloads (from the export's one-time
    link, GET /files/<token>: a real download, not a Blob made in the page)."""
    async with page.expect_download() as info:
        await button.click()
    download = await info.value
    assert "/files/" in download.url
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    return saved


async def test_a_bulletin_downloads_as_real_files(demo, chromium, tmp_path) -> None:
    page = await as_user(demo, chromium, "admin")
    await page.goto("/bulletins")
    await pick(page, "组织", "共青团西安市委")
    await page.get_by_role("button", name="生成").click()
    content = table(page, "通报内容")
    await content.get_by_text("共青团西安市雁塔区委").wait_for()
    listed = page.get_by_role("row").filter(has_text="共青团西安市委").first
    xlsx = await downloaded(page, tmp_path, listed.get_by_role("button", name="下载 Excel"))
    assert xlsx.suffix == ".xlsx" and xlsx.name.startswith("共青团西安市委")
    cells = [
        c for row in load_workbook(xlsx).worksheets[0].iter_rows(values_only=True) for c in row
    ]
    assert "共青团西安市雁塔区委" in cells
    html = await downloaded(page, tmp_path, listed.get_by_role("button", name="下载 HTML"))
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith(("<!doctype html", "<html")) and "<table" in text
    assert "共青团西安市雁塔区委" in text
    pdf = await downloaded(page, tmp_path, listed.get_by_role("button", name="下载 PDF"))
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF-")
    words = {w for p in PdfReader(pdf).pages for w in p.extract_text().split()}
    children = {
        c.strip() for c in await content.locator("tbody tr td:first-child").all_inner_texts()
    }
    assert "共青团西安市雁塔区委" in children and children <= words  # every child org, as text
    await shot(page, "bulletins")
    assert page.js_errors == []
    await page.context.close()


async def test_a_youth_export_downloads_as_a_real_spreadsheet(demo, chromium, tmp_path) -> None:
    page = await as_user(demo, chromium, "cadre_demo")
    await page.goto("/youth/import")
    await pick(page, "格式", "Excel")
    xlsx = await downloaded(page, tmp_path, page.get_by_role("button", name="下载"))
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert xlsx.suffix == ".xlsx" and rows[0][:3] == ("姓名", "手机号", "行业")
    tokens = (await demo.login("cadre_demo", DEMO_PASSWORD))["accessToken"]
    api = await demo.gql("{ exportYouth(format: XLSX) { rows } }", token=tokens)
    assert len(rows) - 1 == api.data["exportYouth"]["rows"] > 0  # the cadre's whole list
    assert page.js_errors == []
    await page.context.close()


async def submit_report(page, year: int, quarter: int, problems: str) -> None:
    """The city fills the quarterly report form (年度/季度 of a closed quarter: late, but open)."""
    await page.goto("/reports")
    await pick(page, "组织", "共青团西安市委")
    for label, value in (("报送年度", str(year)), ("报送季度", str(quarter))):
        await page.get_by_label(label).fill(value)
        await page.get_by_label(label).press("Tab")
    await page.get_by_label("做法").fill("每周一次联系小伙伴")
    await page.get_by_label("经验").fill("书记带头")
    await page.get_by_label("存在问题").fill(problems)
    await page.get_by_label("下步安排").fill("下季度覆盖全部县区")
    await page.get_by_role("button", name="报送", exact=True).click()


async def confirm_prompt(page, text: str) -> None:
    dialog = page.get_by_role("dialog")
    await dialog.get_by_role("textbox").fill(text)
    await (
        dialog.get_by_role("button", name="OK")
        .or_(dialog.get_by_role("button", name="确定"))
        .click()
    )


async def test_a_quarterly_report_submitted_returned_resubmitted_and_approved(
    demo, chromium
) -> None:
    from datetime import date

    today = date.today()
    quarter = (today.month - 1) // 3  # the quarter before this one (0: last year's fourth)
    year, quarter = (today.year, quarter) if quarter else (today.year - 1, 4)
    label = f"{year} Q{quarter}"
    city = await as_user(demo, chromium, "xian_admin")
    await submit_report(city, year, quarter, "部分县区联系不足")
    row = table(city, "报送列表").locator("tr", has_text=label)
    await row.get_by_text("已报送").wait_for()
    assert await row.get_by_text("逾期").count() == 1  # sent after the quarter ended
    assert await city.get_by_role("button", name="退回").count() == 0  # the city reviews nothing

    province = await as_user(demo, chromium, "admin")
    await province.goto("/reports")
    theirs = (
        table(province, "报送列表").locator("tr", has_text="共青团西安市委").filter(has_text=label)
    )
    await theirs.get_by_role("button", name="退回").click()
    await confirm_prompt(province, "请补充各县区的数据")
    await theirs.get_by_text("已退回").wait_for()
    await theirs.get_by_text("请补充各县区的数据").wait_for()

    await submit_report(city, year, quarter, "碑林区联系不足，已约谈")  # the second version
    await row.get_by_text("已报送").wait_for()
    await row.locator(".el-table__expand-icon").click()
    versions = city.locator(".version")
    await versions.filter(has_text="第 2 版").get_by_text("碑林区联系不足，已约谈").wait_for()
    await versions.filter(has_text="第 1 版").get_by_text("部分县区联系不足").wait_for()
    await shot(city, "reports")

    await province.reload()
    await theirs.get_by_role("button", name="通过").click()
    await theirs.get_by_text("已通过").wait_for()
    tokens = await demo.login("admin", DEMO_PASSWORD)
    api = await demo.gql(
        "query($y: Int!, $q: Int!) { reports(year: $y, quarter: $q) { nodes { status version"
        " late reviewComment versions { nodes { version problems } } org { name } } } }",
        {"y": year, "q": quarter},
        token=tokens["accessToken"],
    )
    [report] = [r for r in api.data["reports"]["nodes"] if r["org"]["name"] == "共青团西安市委"]
    assert report["status"] == "APPROVED" and report["version"] == 2 and report["late"]
    assert [v["problems"] for v in report["versions"]["nodes"]] == [
        "部分县区联系不足",
        "碑林区联系不足，已约谈",
    ]
    assert city.js_errors == [] and province.js_errors == []
    await city.context.close()
    await province.context.close()


async def fill_range(page, label: str, start: str, end: str) -> None:
    """Type a date range into an Element Plus range picker, as a keyboard user does."""
    first = page.get_by_label(label, exact=True)
    await first.fill(start)
    last = page.locator(".el-date-editor", has=first).get_by_placeholder("结束")
    await last.fill(end)
    await last.press("Enter")


async def test_spot_check_drawn_and_recorded_and_flags_detected(demo, chromium) -> None:
    from datetime import date, timedelta

    start, end = (date.today() - timedelta(days=60)).isoformat(), date.today().isoformat()
    page = await as_user(demo, chromium, "admin")
    await page.goto("/spot-checks")
    await pick(page, "组织", "共青团西安市雁塔区委")
    await fill_range(page, "日志区间", start, end)
    await page.get_by_role("button", name="抽取").click()
    await page.wait_for_url(re.compile(r"/spot-checks\?id="))
    items = table(page, "抽查样本")
    first = items.locator(".el-table__body tr").first
    await first.wait_for()
    assert await first.get_by_text("未记录").count() == 1
    # The checker sees the whole number they must call (a field grant tied to this check).
    mobile = await first.locator("td").nth(1).inner_text()
    assert mobile.strip().isdigit() and len(mobile.strip()) == 11
    await first.get_by_role("button", name="核实").click()
    await first.get_by_text("已核实").wait_for()
    await page.get_by_text("核实率 100.0%").wait_for()
    check_id = page.url.split("id=")[1]
    await page.goto("/spot-checks")  # listed, with its rate, and opened again from the list
    listed = table(page, "抽查列表").locator("tr", has_text="共青团西安市雁塔区委")
    await listed.filter(has_text="100.0%").wait_for()  # the only check drawn in 雁塔
    await listed.get_by_role("button", name=re.compile("^查看")).click()
    await page.wait_for_url(re.compile(r"/spot-checks\?id=" + re.escape(check_id) + "$"))
    await items.locator(".el-table__body tr").first.get_by_text("已核实").wait_for()
    await page.get_by_role("button", name="结束抽查").click()
    await page.get_by_text("已结束").wait_for()
    assert "****" in await first.locator("td").nth(1).inner_text()

    await page.goto("/flags")
    await pick(page, "检测范围", "共青团西安市委")
    await fill_range(page, "时段", start, end)
    await page.get_by_role("button", name="运行检测").click()
    await page.get_by_test_id("detection").filter(has_text="新标记").wait_for()
    assert page.js_errors == []
    await page.context.close()


async def test_a_pooled_wish_is_claimed_with_a_resource_then_fulfilled(demo, chromium) -> None:
    """A youth's wish escalated by their cadre reaches the leading organ's pool; the
    province admin claims it with the organ's resource, then marks it fulfilled."""
    api = Api(demo.client, demo.services)
    async with demo.services.sessionmaker() as s:
        yanta = await s.scalar(sa.select(Org).where(Org.name == "共青团西安市雁塔区委"))
    cadre = await add_user(demo.services, "心愿干部", org=yanta, roles=("cadre",))
    ct = await api.token_for(cadre.id)
    _, youth = await add_youth_account(demo.services, "小愿", "13911110001", yanta)
    yt = await api.token_for(youth.id, ClientKind.MOBILE)
    link = await api.gql(
        'mutation { addYouthToMyList(name: "小愿", mobile: "13911110001") { id } }', token=ct
    )
    accept = "mutation($id: ID!) { acceptContact(id: $id) { status } }"
    assert (await api.gql(accept, {"id": link.data["addYouthToMyList"]["id"]}, token=yt)).data
    wish = await api.gql(
        'mutation($c: ID!) { submitWish(cadreId: $c, category: STUDY, title: "想要一套考研资料",'
        ' description: "备考用") { id } }',
        {"c": gid("Cadre", await cadre_id_of(demo.services, cadre))},
        token=yt,
    )
    escalate = 'mutation($id: ID!) { actOnWish(id: $id, action: ESCALATE, note: "需要资源") { poolOrg { id } } }'
    pooled = await api.gql(escalate, {"id": wish.data["submitWish"]["id"]}, token=ct)
    pool_org = pooled.data["actOnWish"]["poolOrg"]["id"]
    admin = (await demo.login("admin", DEMO_PASSWORD))["accessToken"]
    resource = await api.gql(
        'mutation($o: ID!) { addResource(orgId: $o, donor: "爱心书店", kind: COMPANY, capacity: 3,'
        ' validFrom: "2020-01-01", validUntil: "2099-12-31") { id } }',
        {"o": pool_org},
        token=admin,
    )
    assert resource.data
    # A resource of a leading organ above the pool (the province) serves the wish as well.
    above = await api.gql(
        'mutation($o: ID!) { addResource(orgId: $o, donor: "省青年发展基金会", kind: COMPANY,'
        ' capacity: 3, validFrom: "2020-01-01", validUntil: "2099-12-31") { id } }',
        {"o": await org_gid(demo, "共青团陕西省委")},
        token=admin,
    )
    assert above.data

    page = await as_user(demo, chromium, "admin")
    await page.goto("/wish-pool")
    row = table(page, "心愿池").locator("tr", has_text="想要一套考研资料")
    await row.get_by_role("button", name="认领").click()
    dialog = page.get_by_role("dialog", name="认领心愿：选择资源")
    await page.locator(".el-select", has=page.get_by_label("资源", exact=True)).first.click()
    offered = page.get_by_role("option").filter(visible=True)
    await offered.filter(has_text="爱心书店").wait_for()
    await offered.filter(has_text="省青年发展基金会").wait_for()
    await offered.filter(has_text="省青年发展基金会").click()
    await offered.first.wait_for(state="hidden")
    await dialog.get_by_role("button", name="认领").click()
    await row.wait_for(state="detached")  # claimed: no longer waiting in the pool
    await page.goto("/wishes")
    await pick(page, "状态", "已认领")
    row = table(page, "微心愿列表").locator("tr", has_text="想要一套考研资料")
    await row.get_by_role("button", name="已实现").click()
    await page.get_by_role("dialog").get_by_role("textbox").fill("书店已寄送资料")
    await (
        page.get_by_role("dialog")
        .get_by_role("button", name="OK")
        .or_(page.get_by_role("dialog").get_by_role("button", name="确定"))
        .click()
    )
    await pick(page, "状态", "已实现")
    await table(page, "微心愿列表").locator("tr", has_text="想要一套考研资料").wait_for()
    assert page.js_errors == []
    await page.context.close()


async def test_an_assessment_round_opened_computed_scored_and_closed(demo, chromium) -> None:
    page = await as_user(demo, chromium, "admin")
    await page.goto("/assessments")
    await pick(page, "组织", "共青团西安市委")
    await page.get_by_role("button", name="开启").click()
    await page.wait_for_url(re.compile(r"/assessments\?id="))
    await page.get_by_role("button", name="按数据计算系统考核项").click()
    results = table(page, "考核结果")
    await results.get_by_text("共青团西安市雁塔区委").wait_for()
    await pick(page, "被考核组织", "共青团西安市雁塔区委")
    await pick(page, "考核项", "3 ")
    await page.get_by_label("得分").fill("8")
    await page.get_by_label("依据").fill("查阅制度文件")
    await page.get_by_role("button", name="录入").click()
    await results.locator("tr", has_text="共青团西安市雁塔区委").get_by_text("3 8").wait_for()
    listed = table(page, "考核轮次").locator("tr", has_text="共青团西安市委")
    await listed.get_by_text("进行中").wait_for()
    await page.get_by_role("button", name="结束本轮").click()
    await page.locator(".el-card__header").get_by_text("已结束").wait_for()
    assert await page.get_by_role("button", name="录入").count() == 0
    await page.goto("/assessments")  # the list leads back to the round
    await pick(page, "状态", "已结束")
    await listed.get_by_text("已结束").wait_for()
    await listed.get_by_role("button", name=re.compile("^查看")).click()
    await page.wait_for_url(re.compile(r"/assessments\?id="))
    await results.get_by_text("共青团西安市雁塔区委").wait_for()
    await shot(page, "assessments")
    assert page.js_errors == []
    await page.context.close()


async def test_delegation_field_rule_and_policy_export(demo, chromium, tmp_path) -> None:
    from datetime import datetime, timedelta

    async with demo.services.sessionmaker() as s:
        yanta = await s.scalar(sa.select(Org).where(Org.name == "共青团西安市雁塔区委"))
    await add_user(demo.services, "代管人", org=yanta, roles=("cadre",))
    page = await as_user(demo, chromium, "xian_admin")
    await page.goto("/policy/delegations")
    await pick(page, "受托人", "代管人")
    await pick(page, "角色", "市级团委管理员")
    await pick(page, "组织", "共青团西安市委")
    now = datetime.now()
    await fill_range(
        page,
        "期间",
        now.strftime("%Y-%m-%d %H:%M:%S"),
        (now + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S"),
    )
    await page.get_by_label("说明").fill("出差期间")
    await page.get_by_role("button", name="委托").click()
    await table(page, "代管列表").locator("tr", has_text="代管人").wait_for()
    await page.context.close()

    page = await as_user(demo, chromium, "admin")
    await page.goto("/policy/fields")
    await pick(page, "角色", "县级团委管理员")
    await page.get_by_label("最多向下层级").fill("2")
    await page.get_by_role("button", name="保存").click()
    rules = table(page, "字段规则")
    await rules.locator("tr", has_text="县级团委管理员").wait_for()
    await pick(page, "账号", "代管人")
    await pick(page, "子树", "共青团西安市雁塔区委")
    await page.get_by_label("理由", exact=True).fill("电话回访抽查样本")
    await page.get_by_role("button", name="授予").click()
    exception = table(page, "例外授权列表").locator("tr", has_text="代管人")
    await exception.get_by_text("电话回访抽查样本").wait_for()
    await page.get_by_role("heading", name="例外授权", exact=True).scroll_into_view_if_needed()
    await shot(page, "field-exceptions")
    await exception.get_by_role("button", name=re.compile("^撤销")).click()
    dialog = page.get_by_role("dialog")
    await (
        dialog.get_by_role("button", name="OK")
        .or_(dialog.get_by_role("button", name="确定"))
        .click()
    )
    await exception.wait_for(state="detached")  # revoked: no longer listed by default
    await page.get_by_text("含已撤销的").click()
    await exception.get_by_text("已撤销").wait_for()
    await page.goto("/policy/io")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="下载策略文件").click()
    saved = tmp_path / (await download.value).suggested_filename
    await (await download.value).save_as(saved)
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert doc["version"] == 1 and ["county_admin", "youth", "view"] in doc["permissions"]
    assert {"role": "county_admin", "object": "youth", "field": "mobile"}.items() <= next(
        r for r in doc["field_rules"] if r["role"] == "county_admin"
    ).items()
    assert page.js_errors == []
    await page.context.close()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_a_county_nominates_a_cadre_with_a_file_and_the_city_advances_it(
    demo, chromium, tmp_path
) -> None:
    """最美青春故事: the province opens the campaign (API); 雁塔's admin nominates the demo
    cadre in the page, with the story's form, title, text and a PDF; 西安 sees the nominee,
    form and material, fetches the file and forwards the nomination to the province."""
    from datetime import date, timedelta

    today = date.today()
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    admin = (await demo.login("admin", DEMO_PASSWORD))["accessToken"]
    made = await demo.gql(
        """mutation($y: Int!, $s: Date!, $e: Date!, $sel: SelectionInput!) {
          createCampaign(kind: YOUTH_STORY, year: $y, title: "最美青春故事分享", startsOn: $s,
            endsOn: $e, phases: [], selection: $sel) { id } }""",
        {
            "y": today.year,
            "s": day(-1),
            "e": day(60),
            "sel": {
                "countyDeadline": day(10),
                "cityDeadline": day(20),
                "provinceDeadline": day(30),
                "countyQuota": 2,
                "cityQuota": 1,
                "finalists": 1,
            },
        },
        token=admin,
    )
    campaign = made.data["createCampaign"]["id"]
    county = await as_user(demo, chromium, "yanta_admin")
    await county.goto("/nominations")
    await pick(county, "推荐单位", "共青团西安市雁塔区委")
    await pick(county, "被推荐人", "张小干")
    await pick(county, "分享形式", "征文")
    await county.get_by_label("标题", exact=True).fill("一百个小伙伴的大姐姐")
    await county.get_by_label("故事", exact=True).fill("三年联系一百名青年。\n每月走访一次。")
    material = tmp_path / "事迹材料.pdf"
    material.write_bytes(PDF)
    await county.locator("#nom-files").set_input_files(material)
    await county.get_by_role("button", name="推荐", exact=True).click()
    row = table(county, "推荐列表").locator("tr", has_text="张小干")
    await row.get_by_text("事迹材料.pdf").wait_for()
    await row.get_by_text("征文").wait_for()
    await row.get_by_text("市级遴选").wait_for()
    assert await row.get_by_role("button", name="推荐到省级").count() == 0  # the city decides

    city = await as_user(demo, chromium, "xian_admin")
    await city.goto("/nominations")
    theirs = table(city, "推荐列表").locator("tr", has_text="张小干")
    await theirs.get_by_text("一百个小伙伴的大姐姐").wait_for()
    async with city.expect_download() as got:
        await theirs.get_by_role("button", name="事迹材料.pdf", exact=True).click()
    saved = tmp_path / "got.pdf"
    await (await got.value).save_as(saved)
    assert saved.read_bytes() == PDF
    await theirs.get_by_role("button", name="推荐到省级").click()
    await theirs.get_by_text("省级遴选").wait_for()
    await shot(city, "nominations")

    answer = await demo.gql(
        "query($c: ID!) { nominations(campaignId: $c) { nodes { nominee { name } nomineeName"
        " form title story level status org { name } evidence { filename contentType } } } }",
        {"c": campaign},
        token=admin,
    )
    assert answer.data["nominations"]["nodes"] == [
        {
            "nominee": {"name": "张小干"},
            "nomineeName": "张小干",
            "form": "ESSAY",
            "title": "一百个小伙伴的大姐姐",
            "story": "三年联系一百名青年。\n每月走访一次。",
            "level": "PROVINCE",
            "status": "PENDING",
            "org": {"name": "共青团西安市雁塔区委"},
            "evidence": [{"filename": "事迹材料.pdf", "contentType": "application/pdf"}],
        }
    ]
    assert county.js_errors == [] and city.js_errors == []
    await county.context.close()
    await city.context.close()


async def test_every_menu_page_opens_without_errors(demo, chromium) -> None:
    """Each page in the province admin's menu loads against the real API: no error shown,
    no script error (no dead pages)."""
    page = await as_user(demo, chromium, "admin")
    await page.goto("/")
    await table(page, "我的授权").get_by_text("共青团陕西省委").first.wait_for()
    await shot(page, "home")
    items = await page.get_by_role("menuitem").all_inner_texts()
    assert {"组织树", "工作看板", "授权", "审计日志", "季度通报"} <= set(items)
    for text in items:
        await page.get_by_role("menuitem", name=text, exact=True).click()
        await page.locator("#main h2").first.wait_for()
        await page.locator(".el-loading-mask").first.wait_for(state="detached")
        errors = page.locator("#main .el-alert--error")
        assert await errors.count() == 0, (text, await errors.all_inner_texts())
        if text in ("组织树", "角色与权限", "工作日志", "积分排名"):
            await shot(
                page,
                {
                    "组织树": "tree",
                    "角色与权限": "policy-matrix",
                    "工作日志": "logs",
                    "积分排名": "ranking",
                }[text],
            )
    await page.get_by_role("menuitem", name="审计日志").click()
    await page.get_by_role("button", name="校验哈希链").click()
    await page.get_by_test_id("chain-check").filter(has_text="哈希链完整").wait_for()
    await shot(page, "audit")
    assert page.js_errors == []
    await page.context.close()


async def test_menus_follow_the_callers_rights(demo, chromium) -> None:
    page = await as_user(demo, chromium, "cadre_demo")
    await page.goto("/")
    await page.get_by_role("menuitem", name="名单导入导出").wait_for()
    items = set(await page.get_by_role("menuitem").all_inner_texts())
    assert not items & {"授权", "审计日志", "角色与权限", "工作看板"}
    await page.goto("/policy/audit")  # typed by hand: the API refuses, the page says so
    await page.get_by_test_id("not-found").or_(page.get_by_role("alert")).first.wait_for()
    assert page.js_errors == []
    await page.context.close()


async def test_a_viewer_reads_the_checks_without_buttons_they_cannot_use(demo, chromium) -> None:
    """A working-group leader may view work (work:view) but not approve it: the rounds and
    spot checks are listed, and no form or button for opening, drawing or recording shows."""
    page = await as_user(demo, chromium, "baoji_group")
    await page.goto("/")
    await page.get_by_role("menuitem", name="考核", exact=True).wait_for()  # the grants are in
    items = set(await page.get_by_role("menuitem").all_inner_texts())
    assert {"考核", "抽查", "季度通报"} <= items and not items & {"授权", "审计日志"}
    for menu, listing, hidden in (
        ("考核", "考核轮次", ("开启", "结束本轮")),
        ("抽查", "抽查列表", ("抽取", "核实")),
        ("季度通报", "通报列表", ("生成", "发布")),
    ):
        await page.get_by_role("menuitem", name=menu, exact=True).click()
        await table(page, listing).wait_for()
        await page.locator(".el-loading-mask").first.wait_for(state="detached")
        for name in hidden:
            assert await page.get_by_role("button", name=name, exact=True).count() == 0, name
    assert page.js_errors == []
    await page.context.close()
