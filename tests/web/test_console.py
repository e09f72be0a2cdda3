"""The console in a real browser (Chromium driven by Playwright, tests/browser.py)."""

from __future__ import annotations

import re

from models import OrgLevel
from tests.helpers import PASSWORD, Tree, add_user


async def test_login_shows_the_caller_and_logout_ends_the_session(live, chromium) -> None:
    tree = Tree(live.services)
    province = await tree.add("P", None, OrgLevel.PROVINCE, name="省")
    await add_user(live.services, "prov_admin", org=province, roles=("province_admin",))
    page = await live.page(chromium)
    await page.goto("/dashboard")
    await page.wait_for_url(re.compile(r"/login\?next=/dashboard$"))
    await page.get_by_label("用户名").fill("prov_admin")
    await page.get_by_label("密码", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_test_id("who").filter(has_text="prov_admin").wait_for()
    await page.get_by_role("button", name="退出登录").click()
    await page.wait_for_url(re.compile(r"/login$"))
    await page.goto("/")
    await page.wait_for_url(re.compile(r"/login\?next=/$"))
    await page.context.close()
