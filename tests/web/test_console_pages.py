"""The console's roster import, sign-in deadlines, youth activation and implementation plan
pages in a real browser (tests/browser.py), on the demo province, with screenshots for
docs/console.md."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from app.demo import DEMO_PASSWORD, seed_demo
from models import Org
from tests.helpers import snapshot
from tests.web.test_console import as_user, confirm_prompt, pick, shot, table


@pytest.fixture(scope="module")
async def demo(live) -> Any:
    async with live.services.sessionmaker() as s:
        assert await seed_demo(s)
        await s.commit()
    return live


async def org_code(live, name: str) -> str:
    async with live.services.sessionmaker() as s:
        return await s.scalar(sa.select(Org.code).where(Org.name == name))


async def test_a_roster_is_previewed_row_by_row_then_written(demo, chromium, tmp_path) -> None:
    """An org file with a bad row: the report names it and nothing is written; the corrected
    file previews clean and is written on confirmation (the API then knows the new org)."""
    yanta = await org_code(demo, "共青团西安市雁塔区委")
    header = "组织代码,组织名称,上级组织代码,层级,类型"
    bad = tmp_path / "组织-有误.csv"
    bad.write_text(
        f"{header}\nYT-01,雁塔区某街道团工委,{yanta},基层团委,社区\nYT-02,某团支部,NOPE,团支部,\n"
    )
    good = tmp_path / "组织.csv"
    good.write_text(f"{header}\nYT-01,雁塔区某街道团工委,{yanta},基层团委,社区\n")

    page = await as_user(demo, chromium, "admin")
    await page.goto("/rosters")
    await page.get_by_label("选择文件").wait_for()
    before = await snapshot(demo.services)
    await page.get_by_label("选择文件").set_input_files(bad)
    report = page.get_by_test_id("roster-report")
    await report.get_by_role("alert").filter(has_text="有 1 行错误").wait_for()
    bad_row = table(page, "名册逐行报告").locator("tr", has_text="YT-02")
    assert "上级组织代码不存在" in await bad_row.inner_text()
    assert await report.get_by_role("button", name="确认导入").count() == 0
    assert await snapshot(demo.services) == before

    await page.get_by_label("选择文件").set_input_files(good)
    await report.get_by_text("校验通过：将新建 1").wait_for()
    await shot(page, "rosters")
    assert await snapshot(demo.services) == before  # still only a preview
    await report.get_by_role("button", name="确认导入").click()
    await page.get_by_test_id("roster-done").filter(has_text="新建 1").wait_for()
    tokens = await demo.login("admin", DEMO_PASSWORD)
    found = await demo.gql(
        '{ orgs(search: "雁塔区某街道团工委") { nodes { name parent { name } } } }',
        token=tokens["accessToken"],
    )
    assert found.data["orgs"]["nodes"] == [
        {"name": "雁塔区某街道团工委", "parent": {"name": "共青团西安市雁塔区委"}}
    ]
    assert page.js_errors == []
    await page.context.close()


async def test_who_has_not_signed_in_and_the_youth_activation(demo, chromium) -> None:
    """The deadline lists show what the API answers for the same org and year, and the
    activation figures are the dashboard's."""
    tokens = await demo.login("xian_admin", DEMO_PASSWORD)
    token = tokens["accessToken"]
    xian = await demo.gql('{ orgs(search: "共青团西安市委") { nodes { id } } }', token=token)
    xian_id = xian.data["orgs"]["nodes"][0]["id"]
    year = date.today().year
    api = await demo.gql(
        """query($o: ID!, $y: Int) { cadresNotSignedIn(under: $o, year: $y) { totalCount }
        youthNotSignedIn(under: $o, year: $y) { totalCount }
        dashboard(orgId: $o) { youthActivation { youth activated } } }""",
        {"o": xian_id, "y": year},
        token=token,
    )
    page = await as_user(demo, chromium, "xian_admin")
    await page.goto("/sign-in")
    await pick(page, "组织", "共青团西安市委")
    cadres = api.data["cadresNotSignedIn"]["totalCount"]
    youth = api.data["youthNotSignedIn"]["totalCount"]
    await (
        page.get_by_role("navigation", name="未登录的团干部分页")
        .get_by_text(f"共 {cadres} 条")
        .wait_for()
    )
    await (
        page.get_by_role("navigation", name="未登录的小伙伴分页")
        .get_by_text(f"共 {youth} 条")
        .wait_for()
    )
    activation = page.get_by_test_id("activation")
    await activation.filter(has_text="共青团西安市委").wait_for()
    figures = api.data["dashboard"]["youthActivation"]
    text = await activation.inner_text()
    assert f"登记的小伙伴\n{figures['youth']}" in text or str(figures["youth"]) in text
    assert str(figures["activated"]) in text
    await shot(page, "sign-in")
    assert page.js_errors == []
    await page.context.close()


async def test_an_implementation_plan_returned_resubmitted_and_approved(demo, chromium) -> None:
    """The city submits its year's plan; it reviews nothing of its own; the province returns
    it with a comment; the city revises it (a second version) and the province approves."""
    year = date.today().year
    city = await as_user(demo, chromium, "xian_admin")
    await city.goto("/plans")
    await pick(city, "团委", "共青团西安市委")
    await city.get_by_label("标题").fill(f"{year}年西安市“1+100”实施方案")
    await city.get_by_label("方案内容").fill("一、目标：每名团干部联系100名小伙伴。")
    await city.get_by_role("button", name="报送", exact=True).click()
    row = table(city, "实施方案列表").locator("tr", has_text="西安市“1+100”实施方案")
    await row.get_by_text("待审批").wait_for()
    assert await row.get_by_role("button", name="通过").count() == 0  # not its own approver

    province = await as_user(demo, chromium, "admin")
    await province.goto("/plans")
    theirs = table(province, "实施方案列表").locator("tr", has_text="西安市“1+100”实施方案")
    await theirs.get_by_role("button", name="退回").click()
    await confirm_prompt(province, "请补充县区分工")
    await theirs.get_by_text("已退回").wait_for()

    await city.reload()
    await row.get_by_role("button", name="修改后再报").click()
    picker = city.locator(".el-select", has=city.get_by_label("团委", exact=True))
    await picker.get_by_text("共青团西安市委").wait_for()  # the row's org, by name
    await city.get_by_label("方案内容").fill(
        "一、目标：每名团干部联系100名小伙伴。二、县区分工：……"
    )
    await city.get_by_role("button", name="报送", exact=True).click()
    await row.get_by_text("待审批").wait_for()
    await shot(city, "plans")

    await province.reload()
    await theirs.get_by_role("button", name="通过").click()
    await confirm_prompt(province, "同意")
    await theirs.get_by_text("已通过").wait_for()
    tokens = await demo.login("admin", DEMO_PASSWORD)
    api = await demo.gql(
        "query($y: Int) { implementationPlans(year: $y) { nodes { status version content"
        " reviewComment org { name } } } }",
        {"y": year},
        token=tokens["accessToken"],
    )
    [plan] = [
        p for p in api.data["implementationPlans"]["nodes"] if p["org"]["name"] == "共青团西安市委"
    ]
    assert (plan["status"], plan["version"], plan["reviewComment"]) == ("APPROVED", 2, "同意")
    assert "县区分工" in plan["content"]
    assert city.js_errors == [] and province.js_errors == []
    await city.context.close()
    await province.context.close()
