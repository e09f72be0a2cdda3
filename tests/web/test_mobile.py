"""The phone pages (/m/) in a real browser: Debian's Chromium in a phone profile (375×667,
touch, a WeChat user agent) against a real server (tests/browser.py). Screenshots for
docs/mobile.md are taken here, at the moments the page is checked."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from models import (
    CadreKind,
    ClientKind,
    Contact,
    IdempotencyKey,
    LogConfirmation,
    OrgLevel,
    SmsOutbox,
    WorkLog,
)
from tests.browser import SCREENSHOTS
from tests.helpers import (
    DEADLINE,
    PASSWORD,
    Tree,
    add_user,
    add_youth_account,
    cadre_id_of,
    gid,
    wait_until,
)

WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
    "MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 "
    "Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
PHONE = {
    "viewport": {"width": 375, "height": 667},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": WECHAT,
    "device_scale_factor": 1,
}
INVITE = """mutation($n: String!, $m: String!) { addYouthToMyList(name: $n, mobile: $m) {
  id youth { id } } }"""
SESSION_KEY = "youthlink.m.session"


@dataclass
class World:
    tree: Tree
    county_admin: str  # username


@pytest.fixture(scope="module")
async def world(live) -> World:
    tree = Tree(live.services)
    await tree.add("P", None, OrgLevel.PROVINCE, name="共青团某省委")
    await tree.add("A", "P", OrgLevel.CITY, name="共青团某市委")
    await tree.add("A1", "A", OrgLevel.COUNTY, name="共青团某区委")
    await tree.add("A1g", "A1", OrgLevel.GRASSROOTS, name="某街道团工委")
    await tree.add("A1b", "A1g", OrgLevel.BRANCH, name="某社区团支部")
    await add_user(live.services, "m_county", org=tree["A1"], roles=("county_admin",))
    return World(tree, "m_county")


async def a_cadre(live, world: World, username: str) -> tuple[Any, str]:
    """A full-time cadre in the county, and an access token of theirs."""
    user = await add_user(
        live.services,
        username,
        org=world.tree["A1"],
        roles=("cadre",),
        cadre_kind=CadreKind.FULL_TIME,
    )
    return user, (await live.login(username))["accessToken"]


async def linked(live, cadre_token: str, name: str, mobile: str, org) -> tuple[Any, dict]:
    """A consented youth with an account, on the cadre's list and accepted."""
    _, user = await add_youth_account(live.services, name, mobile, org)
    await live.gql(INVITE, {"n": name, "m": mobile}, token=cadre_token)
    tokens = await youth_tokens(live, mobile)
    invited = await live.gql(
        "{ myContacts(status: INVITED) { nodes { id } } }", token=tokens["accessToken"]
    )
    await live.gql(
        "mutation($id: ID!) { acceptContact(id: $id) { status } }",
        {"id": invited.data["myContacts"]["nodes"][0]["id"]},
        token=tokens["accessToken"],
    )
    return user, tokens


def expect(locator: Any) -> Any:
    """Playwright's waiting assertions (imported here: without playwright the module still
    loads, and tests/browser.py skips it with its plain message)."""
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(locator)


async def phone(chromium, live) -> Any:
    ctx = await chromium.new_context(base_url=live.url, locale="zh-CN", **PHONE)
    ctx.set_default_timeout(DEADLINE * 1000)  # waits for what the page shows: a bound only
    return await ctx.new_page()


async def shot(page, name: str) -> None:
    await page.screenshot(
        path=str(SCREENSHOTS / f"mobile-{name}.png"),
        style=".van-toast, .van-overlay { display: none !important; }",  # a passing toast
    )


async def cadre_login(page, username: str) -> None:
    await page.goto("/m/")
    await page.wait_for_url(re.compile(r"/m/login"))
    await page.get_by_label("账号").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/m/c$"))


async def sms_code(live, mobile: str) -> str:
    async with live.services.sessionmaker() as s:
        body = await s.scalar(
            sa.select(SmsOutbox.body)
            .where(SmsOutbox.mobile == mobile)
            .order_by(SmsOutbox.id.desc())
            .limit(1)
        )
    return "".join(ch for ch in body.split("验证码是")[1] if ch.isdigit())[:6]


async def youth_tokens(live, mobile: str) -> dict[str, Any]:
    """A youth's login through the real mutations (code from the SMS outbox)."""
    await live.gql(
        "mutation($m: String!) { requestLoginCode(mobile: $m) { retryAfterSeconds } }",
        {"m": mobile},
    )
    r = await live.gql(
        """mutation($m: String!, $c: String!) { loginWithCode(mobile: $m, code: $c, client: MOBILE) {
        accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }""",
        {"m": mobile, "c": await sms_code(live, mobile)},
    )
    return r.data["loginWithCode"]


async def signed_in_youth(
    chromium, live, mobile: str, name: str, user_id: int, tokens: dict | None = None
) -> Any:
    """A phone page already holding a youth's login, as the page keeps it in localStorage."""
    tokens = tokens or await youth_tokens(live, mobile)
    session = {**tokens, "kind": "youth", "userId": gid("User", user_id), "name": name}
    page = await phone(chromium, live)
    await page.context.add_init_script(
        f"localStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(session))});"
    )
    return page


async def logs_of(live, cadre_user) -> list[WorkLog]:
    cadre_id = await cadre_id_of(live.services, cadre_user)
    async with live.services.sessionmaker() as s:
        return list((await s.scalars(sa.select(WorkLog).where(WorkLog.cadre_id == cadre_id))).all())


async def test_cadre_logs_a_contact_and_an_activity_and_sees_points_and_five_ones_move(
    live, chromium, world
) -> None:
    user, token = await a_cadre(live, world, "m_cadre1")
    await linked(live, token, "小张", "13700000001", world.tree["A1b"])
    page = await phone(chromium, live)
    await page.goto("/m/")
    await page.wait_for_url(re.compile(r"/m/login"))
    await shot(page, "login")
    await cadre_login(page, "m_cadre1")
    five, points = page.locator(".five-done"), page.locator(".points-figure")
    await page.get_by_text("本期“五个一”").wait_for()
    assert await five.inner_text() == "0"
    start = int(await points.inner_text())  # the accepted link earned some already

    # A contact in three taps from home: 记联系, the youth, 保存 (the text box takes the focus).
    await page.get_by_role("button", name="记联系").click()
    await page.get_by_role("option", name="小张").click()
    await page.keyboard.type("微信聊了找工作的事，推荐了招聘会")
    await shot(page, "log-contact")
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url(re.compile(r"/m/c$"))
    await page.locator(".points-figure", has_text=str(start + 1)).wait_for()  # a contact: 1

    # An activity: 记活动, (the first kind is chosen) type, 保存.
    await page.get_by_role("button", name="记活动").click()
    await page.get_by_role("radio", name=re.compile("办一件实事")).wait_for()
    # Kinds are examples unless the province asks for variety: none is marked missing.
    assert await page.get_by_role("radio", checked=True).inner_text() == "办一件实事"
    await page.get_by_placeholder("活动做了什么").fill("帮社区青年修好了自习室")
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url(re.compile(r"/m/c$"))
    await page.locator(".five-done", has_text="1").wait_for()
    await page.locator(".points-figure", has_text=str(start + 6)).wait_for()  # an activity: 5
    await page.locator(".kind.done", has_text="办一件实事").wait_for()
    await shot(page, "cadre-home")

    logs = await logs_of(live, user)
    assert sorted(log.kind.value for log in logs) == ["ACTIVITY", "CONTACT"]
    assert {log.client for log in logs} == {ClientKind.MOBILE}  # the page logged in as MOBILE
    # ... and the leaders' figure of mobile use counts them.
    admin = (await live.login(world.county_admin))["accessToken"]
    use = await live.gql(
        "query($o: ID!) { dashboard(orgId: $o) { mobileUse { logs logsFromMobile cadresOnMobile } } }",
        {"o": gid("Org", world.tree["A1"].id)},
        token=admin,
    )
    assert use.data["dashboard"]["mobileUse"] == {
        "logs": 2,
        "logsFromMobile": 2,
        "cadresOnMobile": 1,
    }

    # The login survives a closed page: a new page in the same phone opens at home.
    again = await page.context.new_page()
    await page.close()
    await again.goto("/m/")
    await again.wait_for_url(re.compile(r"/m/c$"))

    # Correct the contact within the edit window.
    await again.goto("/m/c/logs")
    await again.get_by_text("联系 小张（微信）").click()
    await again.wait_for_url(re.compile(r"/m/c/logs/"))
    await again.get_by_role("textbox", name="内容").fill("微信聊了找工作的事，约了周六面谈")
    await again.get_by_role("button", name="保存修改").click()
    await again.wait_for_url(re.compile(r"/m/c/logs$"))
    await again.get_by_text("约了周六面谈").wait_for()
    contact = next(log for log in await logs_of(live, user) if log.youth_id is not None)
    assert contact.content == "微信聊了找工作的事，约了周六面谈"
    await again.context.close()


async def test_youth_accepts_the_link_then_confirms_the_contact_and_follows_a_wish_live(
    live, chromium, world
) -> None:
    _, cadre_token = await a_cadre(live, world, "m_cadre2")
    await live.gql(INVITE, {"n": "小李", "m": "13700000002"}, token=cadre_token)
    page = await phone(chromium, live)
    await page.goto("/m/login?as=youth")
    await page.get_by_label("手机号").fill("13700000002")
    await page.get_by_role("button", name="获取验证码").click()
    await page.get_by_role("button", name=re.compile("秒后重发")).wait_for()
    await page.get_by_label("验证码").fill(await sms_code(live, "13700000002"))
    await page.get_by_role("button", name="登录").click()

    # First the privacy policy (an adult: no guardian).
    await page.wait_for_url(re.compile(r"/m/y/consent"))
    await page.get_by_label("出生日期").fill("2001-05-04")
    await page.get_by_text("我已阅读并同意").click()
    await page.get_by_role("button", name="同意并继续").click()
    await page.wait_for_url(re.compile(r"/m/y$"))

    invite = page.locator(".invite", has_text="m_cadre2 邀请你建立联系")
    await invite.wait_for()
    await shot(page, "youth-invite")
    await invite.get_by_role("button", name="接受", exact=True).click()
    await invite.wait_for(state="detached")
    # Accepted, the youth is named to the cadre (an invitation named no one).
    mine = await live.gql(
        "{ myContacts(status: ACTIVE) { nodes { youth { id name } } } }", token=cadre_token
    )
    [link] = mine.data["myContacts"]["nodes"]
    assert link["youth"]["name"] == "小李"
    async with live.services.sessionmaker() as s:
        status = await s.scalar(
            sa.select(Contact.status).where(Contact.youth_id == _pk(link["youth"]["id"]))
        )
    assert status.value == "ACTIVE"

    # The cadre logs a contact; the youth confirms it.
    r = await live.gql(
        """mutation($y: ID!, $at: DateTime!) { logContact(input: {youthId: $y, channel: FACE_TO_FACE,
        content: "面对面聊了考研", occurredAt: $at}) { id } }""",
        {"y": link["youth"]["id"], "at": "2026-01-01T10:00:00+08:00"},
        token=cadre_token,
    )
    log_id = r.data["logContact"]["id"]
    await page.reload()
    await page.locator(".to-confirm", has_text="1 条").click()
    await page.wait_for_url(re.compile(r"/m/y/contacts$"))
    await page.get_by_text("面对面聊了考研").wait_for()
    await shot(page, "youth-confirm")
    await page.get_by_role("button", name="确有此事").click()
    await page.locator(".answer", has_text="已确认").wait_for()
    async with live.services.sessionmaker() as s:
        answer = await s.scalar(
            sa.select(LogConfirmation.confirmed).where(LogConfirmation.log_id == _pk(log_id))
        )
    assert answer is True

    # A wish, followed live: the cadre accepts it and the open page shows it without a reload.
    await page.goto("/m/y/wishes/new")
    await expect(page.get_by_label("交给")).to_have_value("m_cadre2")  # the cadres have loaded
    await page.get_by_label("心愿").fill("想参加一次编程培训")
    await page.get_by_label("详细").fill("希望能学会做小程序")
    await page.get_by_role("button", name="提交心愿").click()
    await page.wait_for_url(re.compile(r"/m/y/wishes/(?!new$)[^/]+$"))
    await page.locator(".live", has_text="实时").wait_for()  # connected ...
    await wait_until(lambda: live.hub.subscribers >= 1)  # ... and the server holds the subscription
    wish_id = page.url.rsplit("/", 1)[1]
    accepted = await live.gql(
        'mutation($id: ID!) { actOnWish(id: $id, action: ACCEPT, note: "下周联系你") { status } }',
        {"id": _unquote(wish_id)},
        token=cadre_token,
    )
    assert accepted.data["actOnWish"]["status"] == "ACCEPTED"
    await page.locator(".wish-status", has_text="团干部已认领").wait_for()
    await shot(page, "youth-wish")
    await page.context.close()


async def test_a_log_made_offline_is_sent_once_when_back_online(live, chromium, world) -> None:
    user, token = await a_cadre(live, world, "m_cadre3")
    await linked(live, token, "小王", "13700000003", world.tree["A1b"])
    page = await phone(chromium, live)
    await cadre_login(page, "m_cadre3")
    await page.get_by_role("button", name="记联系").click()
    await page.get_by_role("option", name="小王").click()
    await page.keyboard.type("电话里聊了实习安排")
    await page.get_by_role("radio", name="电话").click()

    await page.context.set_offline(True)
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url(re.compile(r"/m/c$"))
    await page.locator(".outbox-count", has_text="1 条记录待发送").wait_for()
    # The home page comes from the phone's copy of its last answer.
    await page.get_by_text("当前无网络，显示的是上次的数据").wait_for()
    await page.locator(".five-done", has_text="0").wait_for()
    await shot(page, "offline")
    assert await logs_of(live, user) == []

    # Back online, the first try reaches the server but its answer is lost on the way back
    # (as on a weak mobile network): the page keeps the log and tries again with the same key.
    lost = asyncio.Event()

    async def lose_the_answer(route) -> None:
        if "logContact" in (route.request.post_data or "") and not lost.is_set():
            await route.fetch()  # the server writes the log ...
            await route.abort("connectionreset")  # ... and the page never hears of it
            lost.set()
        else:
            await route.continue_()

    await page.route("**/graphql", lose_the_answer)
    await page.context.set_offline(False)  # the `online` event sends what waits
    await asyncio.wait_for(lost.wait(), DEADLINE)
    assert len(await logs_of(live, user)) == 1
    await page.unroute("**/graphql")
    await page.locator(".outbox-count", has_text="1 条记录待发送").wait_for()
    await page.get_by_role("button", name="立即发送").click()
    await page.locator(".outbox").wait_for(state="detached")

    logs = await logs_of(live, user)
    assert [log.content for log in logs] == ["电话里聊了实习安排"]  # one record, not two
    assert logs[0].channel.value == "PHONE"
    async with live.services.sessionmaker() as s:
        keys = await s.scalar(
            sa.select(sa.func.count())
            .select_from(IdempotencyKey)
            .where(IdempotencyKey.user_id == user.id)
        )
    assert keys == 1
    await page.context.close()


async def test_a_youth_cannot_reach_another_youths_wish_by_url(live, chromium, world) -> None:
    cadre_user, cadre_token = await a_cadre(live, world, "m_cadre4")
    owner_user, owner_tokens = await linked(
        live, cadre_token, "小赵", "13700000004", world.tree["A1b"]
    )
    other_user, other_tokens = await linked(
        live, cadre_token, "小钱", "13700000005", world.tree["A1b"]
    )  # same cadre, same branch: only the wish's owner may read it
    cadre_id = gid("Cadre", await cadre_id_of(live.services, cadre_user))
    wish = await live.gql(
        """mutation($c: ID!) { submitWish(cadreId: $c, category: HEALTH, title: "想找人聊聊心事",
        description: "最近压力大") { id } }""",
        {"c": cadre_id},
        token=owner_tokens["accessToken"],
    )
    wish_id = wish.data["submitWish"]["id"]

    page = await signed_in_youth(chromium, live, "13700000005", "小钱", other_user.id, other_tokens)
    await page.goto(f"/m/y/wishes/{wish_id}")
    await page.get_by_text("这个心愿不存在，或你无权查看").wait_for()
    await shot(page, "not-found")
    assert await page.get_by_text("想找人聊聊心事").count() == 0
    # The owner reaches it by the same URL.
    mine = await signed_in_youth(chromium, live, "13700000004", "小赵", owner_user.id, owner_tokens)
    await mine.goto(f"/m/y/wishes/{wish_id}")
    await mine.get_by_text("想找人聊聊心事").wait_for()
    await page.context.close()
    await mine.context.close()


def _pk(global_id: str) -> int:
    from tests.helpers import pk_of

    return pk_of(_unquote(global_id))


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


async def test_voice_wish_and_rating_between_a_youth_and_their_cadre(live, chromium, world) -> None:
    cadre_user, cadre_token = await a_cadre(live, world, "m_cadre5")
    youth_user, tokens = await linked(live, cadre_token, "小孙", "13700000006", world.tree["A1b"])
    youth = await signed_in_youth(chromium, live, "13700000006", "小孙", youth_user.id, tokens)
    cadre = await phone(chromium, live)
    await cadre_login(cadre, "m_cadre5")

    # A voice to the cadre; the cadre answers from the inbox; the youth reads the reply.
    await youth.goto("/m/y/voices/new")
    await expect(youth.get_by_label("发给")).to_have_value("团干部 m_cadre5")  # loaded
    await youth.get_by_label("标题").fill("社区自习室晚上能开到几点？")
    await youth.get_by_label("内容").fill("想晚上去复习，希望能开到十点")
    await youth.get_by_role("button", name="发出").click()
    await youth.wait_for_url(re.compile(r"/m/y/voices/(?!new$)[^/]+$"))
    await cadre.locator(".van-tabbar-item", has_text="消息").click()
    await cadre.get_by_text("社区自习室晚上能开到几点？").click()
    await cadre.get_by_placeholder("写下回复").fill("已和社区商量，下周起开到十点")
    await cadre.get_by_role("button", name="回复", exact=True).click()
    await cadre.get_by_text("已和社区商量，下周起开到十点").wait_for()
    await youth.reload()
    await youth.get_by_text("已和社区商量，下周起开到十点").wait_for()
    await youth.get_by_text("已回复").wait_for()
    await shot(youth, "youth-voice")

    # A wish: the cadre accepts and fulfils it (with what was done), the youth confirms.
    cadre_id = gid("Cadre", await cadre_id_of(live.services, cadre_user))
    youth_token = (await youth_tokens(live, "13700000006"))["accessToken"]  # a second phone
    wish = await live.gql(
        """mutation($c: ID!) { submitWish(cadreId: $c, category: STUDY, title: "想借几本考研书",
        description: "数学和英语") { id } }""",
        {"c": cadre_id},
        token=youth_token,
    )
    wish_url = "/m/c/wishes/" + wish.data["submitWish"]["id"]
    await cadre.goto(wish_url)
    await cadre.get_by_role("button", name="认领").click()
    await cadre.get_by_role("dialog").get_by_role("button", name="确认").click()
    await cadre.locator(".wish-status", has_text="团干部已认领").wait_for()
    await shot(cadre, "cadre-wish")
    await cadre.get_by_role("button", name="已实现").click()
    await cadre.get_by_role("dialog").get_by_role("button", name="确认").click()
    await cadre.get_by_text("请填写实现情况").wait_for()  # evidence is required
    await cadre.get_by_role("dialog").get_by_role("textbox").fill("送去了三本书")
    await cadre.get_by_role("dialog").get_by_role("button", name="确认").click()
    await cadre.locator(".wish-status", has_text="已实现，待确认").wait_for()
    await youth.goto(wish_url.replace("/m/c/", "/m/y/"))
    await youth.get_by_text("实现情况：送去了三本书").wait_for()
    await youth.get_by_role("button", name="确认实现").click()
    await youth.get_by_role("dialog").get_by_role("button", name="确认").click()
    await youth.locator(".wish-status", has_text="已确认实现").wait_for()

    # A rating, once a quarter: the second try shows the API's refusal.
    for _ in range(2):
        await youth.goto(f"/m/y/rate/{cadre_id}")
        await youth.get_by_role("button", name="提交评价").click()
    await youth.get_by_text("本季度已评价过这位团干部").wait_for()
    summary = await live.gql("{ myRatings { count average } }", token=cadre_token)
    assert summary.data["myRatings"] == {"count": 1, "average": 5.0}

    # 我的数据: who holds my data, from the typed myDataHolders (name, org name, status).
    await youth.goto("/m/y/data")
    holder = youth.locator(".van-cell", has_text="m_cadre5")
    await holder.wait_for()
    assert world.tree["A1"].name in await holder.inner_text()
    assert "已联系" in await holder.inner_text()
    await youth.context.close()
    await cadre.context.close()


async def test_a_minor_consents_through_a_guardian(live, chromium, world) -> None:
    from models import Consent, Youth
    from tests.helpers import add_youth

    youth = await add_youth(live.services, "小周", "13700000007", world.tree["A1b"])
    tokens = await youth_tokens(live, "13700000007")
    async with live.services.sessionmaker() as s:
        user_id = await s.scalar(sa.select(Youth.user_id).where(Youth.id == youth.id))
    page = await signed_in_youth(chromium, live, "13700000007", "小周", user_id, tokens)
    await page.goto("/m/y")
    await page.wait_for_url(re.compile(r"/m/y/consent"))
    await page.get_by_label("出生日期").fill("2016-03-01")
    await page.get_by_text("我是监护人，已阅读并同意").click()
    await page.get_by_role("button", name="同意并继续").click()
    await page.get_by_text("未满 14 周岁，须由监护人同意").wait_for()  # the API's refusal
    await page.get_by_label("监护人", exact=True).fill("周大海")
    await page.get_by_label("监护人手机").fill("13900000099")
    await shot(page, "consent-guardian")
    await page.get_by_role("button", name="同意并继续").click()
    await page.wait_for_url(re.compile(r"/m/y$"))
    async with live.services.sessionmaker() as s:
        guardian = await s.scalar(
            sa.select(Consent.guardian_name).where(Consent.youth_id == youth.id)
        )
    assert guardian == "周大海"
    await page.context.close()


async def test_the_access_token_is_renewed_in_the_background(live, chromium, world) -> None:
    """A page that finds its access token about to expire renews the pair (the refresh token
    is single use: the old one no longer works) and keeps the user signed in."""
    await add_user(live.services, "m_cadre6", org=world.tree["A1"], roles=("cadre",))
    page = await phone(chromium, live)
    await cadre_login(page, "m_cadre6")
    before = await page.evaluate(f"JSON.parse(localStorage.getItem({json.dumps(SESSION_KEY)}))")
    await page.evaluate(
        f"""() => {{ const s = JSON.parse(localStorage.getItem({json.dumps(SESSION_KEY)}));
        s.accessTokenExpiresAt = new Date(Date.now() + 30000).toISOString();
        localStorage.setItem({json.dumps(SESSION_KEY)}, JSON.stringify(s)); }}"""
    )
    await page.reload()  # the timer fires at once for a token this close to its end
    await page.wait_for_function(
        f"JSON.parse(localStorage.getItem({json.dumps(SESSION_KEY)})).refreshToken !== {json.dumps(before['refreshToken'])}"
    )
    await page.get_by_text("本期“五个一”").wait_for()
    reused = await live.gql(
        "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
        {"t": before["refreshToken"]},
    )
    assert reused.codes == ["UNAUTHENTICATED"]
    await page.context.close()
