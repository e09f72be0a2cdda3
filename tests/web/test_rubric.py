"""The 考核细则 page in a real browser (tests/browser.py), on the demo province: the province
drafts a version from version 1, the server refuses a draft whose points do not add up, the
corrected draft is published and the next round freezes it; a city reads without buttons."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.demo import DEMO_PASSWORD
from models import AssessmentRound, RubricVersion
from tests.web.test_console import demo, pick, shot, table


async def test_the_province_drafts_edits_and_publishes_a_version(demo, chromium) -> None:
    page = await demo.page(chromium, as_user="admin", password=DEMO_PASSWORD)
    await page.goto("/")
    await page.get_by_role("menuitem", name="考核细则").click()
    versions = table(page, "考核细则版本")
    await versions.locator("tr", has_text="附件1 原文").get_by_text("已发布").wait_for()
    await page.get_by_role("button", name="查看版本 1").click()
    await table(page, "考核项").get_by_text("联系青年数量").wait_for()
    await page.get_by_role("button", name="以此为底拟定新版本").click()
    await page.wait_for_url(re.compile(r"/rubric\?id="))
    await versions.locator("tr", has_text="以版本 1 为底").get_by_text("草稿").wait_for()

    # 4.1 down to 8 alone: 98 points, refused with the server's message, nothing saved.
    await page.get_by_label("4.1 分值").fill("8")
    await page.get_by_test_id("rubric-total").filter(has_text="合计 98 分").wait_for()
    await page.get_by_role("button", name="保存草稿").click()
    await (
        page.locator(".el-message--error")
        .filter(has_text="合计 98 分，应为通知规定的 100 分")
        .wait_for()
    )
    # 4.2 up to 12, and organ and full-time cadres weigh 3 in 1.2: saved, then published.
    await page.get_by_label("4.2 分值").fill("12")
    await page.get_by_label("1.2 重点对象权重").fill("3")
    await page.get_by_label("版本说明").fill("联系青年加重")
    await page.get_by_test_id("rubric-total").filter(has_text="合计 100 分").wait_for()
    await page.get_by_role("button", name="保存草稿").click()
    await page.locator(".el-message--success").filter(has_text="草稿已保存").wait_for()
    await shot(page, "rubric-draft")
    await page.get_by_role("button", name="发布", exact=True).click()
    await (
        page.get_by_role("dialog")
        .get_by_role("button", name="OK")
        .or_(page.get_by_role("dialog").get_by_role("button", name="确定"))
        .first.click()
    )
    await versions.locator("tr", has_text="联系青年加重").get_by_text("已发布").wait_for()
    items = table(page, "考核项")
    await items.locator("tr", has_text="联系青年数量").get_by_text("12").first.wait_for()
    assert await page.get_by_role("button", name="保存草稿").count() == 0  # immutable now
    assert page.js_errors == []
    await page.context.close()

    async with demo.services.sessionmaker() as s:
        v2 = await s.scalar(sa.select(RubricVersion).where(RubricVersion.number == 2))
        assert v2 is not None and v2.published_at is not None
        by = {i["code"]: i for i in v2.items}
        assert (by["4.1"]["points"], by["4.2"]["points"]) == (8, 12)
        assert by["1.2"]["params"]["key_weight"] == 3
        assert sum(i["points"] for i in v2.items) == 100

    # The next round opened freezes version 2 (the console's assessment page opens it).
    page = await demo.page(chromium, as_user="admin", password=DEMO_PASSWORD)
    await page.goto("/assessments")
    await pick(page, "组织", "共青团西安市委")
    await page.get_by_role("button", name="开启").click()
    await page.wait_for_url(re.compile(r"/assessments\?id="))
    await page.context.close()
    async with demo.services.sessionmaker() as s:
        frozen = await s.scalar(
            sa.select(RubricVersion.number)
            .join(AssessmentRound, AssessmentRound.rubric_version_id == RubricVersion.id)
            .order_by(AssessmentRound.id.desc())
            .limit(1)
        )
    assert frozen == 2


async def test_a_city_reads_published_versions_without_buttons(demo, chromium) -> None:
    page = await demo.page(chromium, as_user="xian_admin", password=DEMO_PASSWORD)
    await page.goto("/rubric")
    versions = table(page, "考核细则版本")
    await versions.get_by_text("附件1 原文").wait_for()
    await page.get_by_role("button", name="查看版本 1").click()
    await table(page, "考核项").get_by_text("联系青年数量").wait_for()
    await page.locator(".el-loading-mask").first.wait_for(state="detached")
    for name in ("以此为底拟定新版本", "保存草稿", "发布"):
        assert await page.get_by_role("button", name=name, exact=True).count() == 0, name
    assert page.js_errors == []
    await page.context.close()


__all__ = ["demo"]  # the module-scoped demo province fixture, shared with test_console
