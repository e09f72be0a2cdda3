"""附件1 as written and not gameable (issue 16, item 1): the computed items judge every period
of the assessed half-year, proportionally and weighted; a burst of work at the end earns a
share, not full marks; eligibility for 评优 looks at the whole period."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import Cadre, WorkLog
from tests.helpers import add_user, cadre_id_of, gid, league_today
from tests.work.conftest import make_cadre

KINDS = ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]
ROUND = """query($id: ID!) { assessmentRound(id: $id) { results { nodes { org { name } total items { item points evidence } } }
  cadreEligibility { nodes { cadre { name } eligible reasons } } } }"""


async def _steady_work(api, user, today) -> None:
    """A full-time cadre who met 五个一 in every 2-month period of the year so far, wrote
    something every month, all of it from the phone pages (as the server recorded it)."""
    tz = ZoneInfo(api.services.settings.timezone)
    async with api.services.sessionmaker() as s:
        cadre = await s.get(Cadre, await cadre_id_of(api.services, user))
        assert cadre is not None
        for start in range(1, today.month + 1, 2):
            months = [m for m in (start, start + 1) if m <= today.month]
            for k, kind in enumerate(KINDS):
                m = months[k % len(months)]
                s.add(
                    WorkLog(
                        cadre_id=cadre.id,
                        kind="ACTIVITY",
                        activity_kind=kind,
                        content=f"{m} 月的{kind}",
                        occurred_at=datetime(today.year, m, 1, 1, k, tzinfo=tz),
                        participant_count=0,
                        client="MOBILE",
                        org_id=cadre.org_id,
                        org_path=cadre.org_path,
                        city_id=cadre.city_id,
                    )
                )
        await s.commit()


async def test_every_period_counts_and_a_burst_at_the_end_earns_a_share(world) -> None:
    api = world.api
    today = league_today(api.services)
    for kind in KINDS:  # the world's cadre in 甲市: all of it today
        await world.activity(kind)
    steady, _, _ = await make_cadre(api, world.tree, "steady", "B1", 0, 800)
    await _steady_work(api, steady, today)
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    rid = (
        await api.gql(
            "mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: YEAR_END) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": today.year},
            token=t,
        )
    ).data["openAssessment"]["id"]
    await api.gql("mutation($id: ID!) { computeAssessment(id: $id) { id } }", {"id": rid}, token=t)
    res = (await api.gql(ROUND, {"id": rid}, token=t)).data["assessmentRound"]
    by = {x["org"]["name"]: {i["item"]: i for i in x["items"]} for x in res["results"]["nodes"]}
    a, b = by["甲市"], by["乙市"]
    periods = (today.month + 1) // 2
    # 1.2: every period complete against one period of a burst.
    assert b["1.2"]["points"] == 5 and a["1.2"]["points"] == round(5 / periods, 2)
    assert f"加权完成 2 / {2 * periods:g}" in a["1.2"]["evidence"]  # a 专职 cadre weighs 2
    # 4.1 and 4.4 month by month; the phone pages counted from what the server recorded.
    assert b["4.1"]["points"] == 10 and a["4.1"]["points"] == round(10 / today.month, 2)
    assert b["4.4"]["points"] == 10 and a["4.4"]["points"] == 0  # raw API, not the phone
    # 4.3: activities against the province's quota in every period begun.
    assert b["4.3"]["points"] == 10 and a["4.3"]["points"] == round(10 / periods, 2)
    # Eligibility over the whole period: the steady cadre is, the burst is not.
    eligible = {e["cadre"]["name"]: e for e in res["cadreEligibility"]["nodes"]}
    assert eligible["steady"]["eligible"] is True, eligible["steady"]
    if today.month > 2:  # an ended period without 五个一 (and idle quarters) before today's
        worker = eligible["worker"]
        assert worker["eligible"] is False
        assert any("“五个一”未完成" in r for r in worker["reasons"]), worker


async def test_the_rubric_reads_as_the_notice(api) -> None:
    prov_tree = await _tree(api)
    prov = await add_user(api.services, "prov", org=prov_tree["P"], roles=("province_admin",))
    rubric = (
        await api.gql(
            "{ rubric { code title maxPoints computed } }", token=await api.token_for(prov.id)
        )
    ).data["rubric"]
    by = {i["code"]: i for i in rubric}
    assert by["2.1"]["title"] == "团的领导机关集中开放日活动"
    assert [by[f"4.{k}"]["maxPoints"] for k in range(1, 6)] == [10] * 5
    assert sum(i["maxPoints"] for i in rubric) == 100
    assert [i["code"] for i in rubric if not i["computed"]] == ["3"]


async def _tree(api):
    from tests.helpers import standard_tree

    return await standard_tree(api.services)


async def test_an_org_without_leading_organs_is_not_zeroed_by_construction(world) -> None:
    """A university committee has no city or county leading organ: 1.1 and 2.1 have no
    subject there and are scored at its mean share of the other computed items."""
    from models import OrgKind, OrgLevel

    api = world.api
    await world.tree.add("U", "P", OrgLevel.CITY, OrgKind.UNIVERSITY, name="某大学团委")
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.text("UPDATE orgs SET is_leading_organ = false WHERE id = :u"),
            {"u": world.tree["U"].id},
        )
        await s.commit()
    _, token, _ = await make_cadre(api, world.tree, "student", "U", 1, 900)
    for kind in KINDS:
        await world.activity(kind, token=token)
    prov = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(prov.id)
    rid = (
        await api.gql(
            "mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: YEAR_END) { id } }",
            {"o": gid("Org", world.tree["P"].id), "y": league_today(api.services).year},
            token=t,
        )
    ).data["openAssessment"]["id"]
    await api.gql("mutation($id: ID!) { computeAssessment(id: $id) { id } }", {"id": rid}, token=t)
    res = (await api.gql(ROUND, {"id": rid}, token=t)).data["assessmentRound"]
    u = {
        i["item"]: i
        for i in next(x for x in res["results"]["nodes"] if x["org"]["name"] == "某大学团委")[
            "items"
        ]
    }
    assert "本级无考核对象" in u["1.1"]["evidence"]
    assert u["1.1"]["points"] > 0  # the mean of what the student's work earned elsewhere
