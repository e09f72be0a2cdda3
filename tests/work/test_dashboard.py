"""Dashboards: every figure equals the same figure computed here from raw rows, and a leader's
nested query costs the same number of statements however many children there are."""

from __future__ import annotations

import sqlalchemy as sa

from models import CadreKind, OrgLevel
from tests.helpers import FROM_PHONE_PAGES, Tree, add_user, add_youth, gid
from tests.orgs.test_query_count import counting
from tests.work.conftest import hours_ago, make_cadre

DASH = """query($o: ID!) { dashboard(orgId: $o) {
  cadres activeCadres youthInContact youthInvited logs
  logsByKind { key count } logsByChannel { key count }
  mobileUse { cadresSignedIn cadresOnMobile logs logsFromMobile }
  industryMix { name youth industries mix { key count } }
  fiveOnesByChild { org { name } cadres done rate }
  learnAndDoByChild { org { name } cadres done }
  weekly { logs contacts activities } } }"""


async def test_figures_match_the_raw_rows(world) -> None:
    api = world.api
    from models import ClientKind

    await world.contact(world.youth_ids[0], channel="PHONE")
    await world.contact(world.youth_ids[1], channel="WECHAT")
    for kind in ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]:
        await world.activity(kind)
    _, _t2, y2 = await make_cadre(
        api, world.tree, "mobile_cadre", "A2", 1, 700, kind=CadreKind.PART_TIME
    )
    mobile_token = await api.token_for(
        (await _user(api, "mobile_cadre")).id, client=ClientKind.MOBILE
    )
    await world.contact(y2[0], channel="QQ", token=mobile_token, headers=FROM_PHONE_PAGES)
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    d = (
        await api.gql(
            DASH, {"o": gid("Org", world.tree["A"].id)}, token=await api.token_for(city.id)
        )
    ).data["dashboard"]
    async with api.services.engine.connect() as conn:
        q = lambda sql: conn.scalar(sa.text(sql), {"p": world.tree["A"].path})  # noqa: E731
        assert d["cadres"] == await q(
            "SELECT count(*) FROM cadres WHERE org_path <@ CAST(:p AS ltree)"
        )
        assert d["activeCadres"] == await q(
            "SELECT count(DISTINCT cadre_id) FROM work_logs WHERE org_path <@ CAST(:p AS ltree)"
        )
        assert (
            d["logs"]
            == await q("SELECT count(*) FROM work_logs WHERE org_path <@ CAST(:p AS ltree)")
            == 8
        )
        assert (
            d["youthInvited"]
            == await q(
                "SELECT count(*) FROM contacts WHERE status = 'INVITED' AND org_path <@ CAST(:p AS ltree)"
            )
            == 0
        )
    assert d["youthInContact"] == 4  # the work fixtures' youth accepted their links
    kinds = {c["key"]: c["count"] for c in d["logsByKind"]}
    assert kinds["CONTACT"] == 3 and kinds["VOLUNTEER"] == 1 and sum(kinds.values()) == 8
    assert {c["key"]: c["count"] for c in d["logsByChannel"]} == {"PHONE": 1, "WECHAT": 1, "QQ": 1}
    assert d["mobileUse"] == {
        "cadresSignedIn": 3,
        "cadresOnMobile": 1,
        "logs": 8,
        "logsFromMobile": 1,
    }
    mix = {m["name"]: (m["youth"], m["industries"]) for m in d["industryMix"]}
    assert mix == {"worker": (3, 1), "mobile_cadre": (1, 1)}
    five = {c["org"]["name"]: (c["cadres"], c["done"]) for c in d["fiveOnesByChild"]}
    assert five == {"甲一县": (1, 1), "甲二县": (1, 0)}
    assert {c["org"]["name"]: c["cadres"] for c in d["learnAndDoByChild"]} == {
        "甲一县": 1,
        "甲二县": 1,
    }
    assert sum(w["logs"] for w in d["weekly"]) == 8


async def _user(api, username):
    from models import User

    async with api.services.sessionmaker() as s:
        return await s.scalar(sa.select(User).where(User.username == username))


async def test_dashboard_needs_work_view(world) -> None:
    api = world.api
    r = await api.gql(DASH, {"o": gid("Org", world.tree["A1"].id)}, token=world.token)
    assert r.codes == ["FORBIDDEN"]  # a cadre sees their org, not its work
    other = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    r = await api.gql(
        DASH, {"o": gid("Org", world.tree["A"].id)}, token=await api.token_for(other.id)
    )
    assert r.codes == ["NOT_FOUND"]


NESTED = """query($o: ID!) { org(id: $o) { dashboard { activeCadres logsByKind { key count } }
  children(first: 100) { nodes { name dashboard { cadres activeCadres youthInContact logs
    logsByKind { key count } logsByChannel { key count } mobileUse { logs }
    industryMix { name } fiveOnesByChild { cadres done } learnAndDoByChild { done } weekly { logs } } } } } }"""


async def _nested_count(api, children: int) -> int:
    from tests.conftest import reset_database

    await reset_database(api.services)
    tree = Tree(api.services)
    await tree.add("P", None, OrgLevel.PROVINCE)
    await tree.add("A", "P", OrgLevel.CITY)
    for i in range(children):
        await tree.add(f"C{i}", "A", OrgLevel.COUNTY)
        await tree.add(f"C{i}g", f"C{i}", OrgLevel.GRASSROOTS)
        _, token, youth = await make_cadre(api, tree, f"c{i}", f"C{i}g", 1, i * 10)
        await api.gql(
            """mutation($y: ID!, $at: DateTime!) { logContact(input: {youthId: $y, channel: PHONE,
            content: "x", occurredAt: $at}) { id } }""",
            {"y": youth[0], "at": hours_ago(1)},
            token=token,
        )
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    token = await api.token_for(leader.id)
    # Seen once first: a document's first run has a transaction, later ones a query's
    # session (app/db.py ReadSession, which sets its plans back when it closes).
    await api.gql(NESTED, {"o": gid("Org", tree["A"].id)}, token=token)
    with counting(api.services.engine) as statements:
        r = await api.gql(NESTED, {"o": gid("Org", tree["A"].id)}, token=token)
    assert len(r.data["org"]["children"]["nodes"]) == children
    return len(statements)


async def test_nested_dashboard_statement_count_is_constant(api) -> None:
    few, many = await _nested_count(api, 2), await _nested_count(api, 9)
    assert few == many, (few, many)


async def test_industry_mix_counts_only_accepted_links(world) -> None:
    """An invited youth of another city is no part of the cadre's list: their industry is not
    told to the cadre's leaders before they accept."""
    api = world.api
    await add_youth(api.services, "远方", "13700000077", world.tree["B1"], industry="金融")
    invite = 'mutation { addYouthToMyList(name: "x", mobile: "13700000077") { id } }'
    assert (await api.gql(invite, token=world.token)).data
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    d = (
        await api.gql(
            DASH, {"o": gid("Org", world.tree["A"].id)}, token=await api.token_for(city.id)
        )
    ).data["dashboard"]
    mix = {m["name"]: {c["key"]: c["count"] for c in m["mix"]} for m in d["industryMix"]}
    assert mix == {"worker": {"未填写": 3}}  # the three who accepted; not the invited 金融
