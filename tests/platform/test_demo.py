"""The demo province that `make run` loads: real cities, one login per role, work to look at."""

from __future__ import annotations

import sqlalchemy as sa

from app.demo import CITIES, DEMO_PASSWORD, seed_demo
from models import Org, OrgLevel


async def test_demo_province_loads_and_each_login_sees_its_subtree(api) -> None:
    async with api.services.sessionmaker() as s:
        assert await seed_demo(s) is True
        await s.commit()
        assert await seed_demo(s) is False  # only into an empty database
        cities = list(
            await s.scalars(sa.select(Org.name).where(Org.level == OrgLevel.CITY).order_by(Org.id))
        )
    assert len(cities) == 13 and cities[0] == "共青团西安市委" and "共青团韩城市委" in cities
    assert sum(len(c) for _, c in CITIES) >= 100  # the real counties

    async def login(username: str) -> str:
        r = await api.gql(
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
            {"u": username, "p": DEMO_PASSWORD},
        )
        return r.data["login"]["accessToken"]

    cities_seen = "{ orgs(level: CITY) { totalCount } }"
    assert (await api.gql(cities_seen, token=await login("admin"))).data["orgs"]["totalCount"] == 13
    xian = await login("xian_admin")
    assert (await api.gql(cities_seen, token=xian)).data["orgs"]["totalCount"] == 1
    counties = await api.gql("{ orgs(level: COUNTY) { totalCount } }", token=xian)
    assert counties.data["orgs"]["totalCount"] == 13  # 西安's districts and counties
    dash = await api.gql(
        "query($o: ID!) { dashboard(orgId: $o) { cadres logs } }",
        {
            "o": (await api.gql("{ me { cadre { org { id } } } }", token=xian)).data["me"]["cadre"][
                "org"
            ]["id"]
        },
        token=xian,
    )
    assert dash.data["dashboard"]["cadres"] > 0
    cadre = await login("cadre_demo")
    mine = await api.gql(
        "{ myContacts { totalCount nodes { status youth { mobile } } } }", token=cadre
    )
    nodes = mine.data["myContacts"]["nodes"]
    assert {"status": "INVITED", "youth": None} in nodes  # shown once the youth accepts
    assert all("*" not in n["youth"]["mobile"] for n in nodes if n["status"] == "ACTIVE")
    for username in ("yanta_admin", "baoji_group", "auditor", "policy_admin"):
        assert await login(username)


async def test_every_quarter_of_the_demo_year_has_figures(api) -> None:
    """The demo's work spans the last year: each quarter's bulletin and each half's
    assessment show figures, the current quarter's too."""
    from tests.helpers import league_today

    async with api.services.sessionmaker() as s:
        assert await seed_demo(s) is True
        await s.commit()
    token = (
        await api.gql(
            'mutation { login(username: "admin", password: "Demo@2017") { accessToken } }'
        )
    ).data["login"]["accessToken"]
    province = (await api.gql("{ me { cadre { org { id } } } }", token=token)).data["me"]["cadre"][
        "org"
    ]["id"]
    today = league_today(api.services)
    quarters = [(today.year, q) for q in range(1, (today.month - 1) // 3 + 2)]
    quarters += [(today.year - 1, q) for q in range(quarters[-1][1] + 1, 5)]  # the year before
    generate = """mutation($o: ID!, $y: Int!, $q: Int!) {
      generateBulletin(orgId: $o, year: $y, quarter: $q) {
        rows { points activeCadres youthInContact } } }"""
    for year, quarter in quarters:
        rows = (
            await api.gql(generate, {"o": province, "y": year, "q": quarter}, token=token)
        ).data["generateBulletin"]["rows"]
        assert sum(r["points"] or 0 for r in rows) > 0, (year, quarter)
        assert sum(r["activeCadres"] or 0 for r in rows) > 0, (year, quarter)
        assert sum(r["youthInContact"] or 0 for r in rows) > 0, (year, quarter)
    open_round = """mutation($o: ID!, $y: Int!, $h: RoundHalf!) {
      openAssessment(orgId: $o, year: $y, half: $h) { id } }"""
    compute = "mutation($id: ID!) { computeAssessment(id: $id) { results(first: 100) { nodes { total } } } }"
    half = "MID_YEAR" if today.month > 6 else "YEAR_END"
    year = today.year if today.month > 6 else today.year - 1
    rid = (await api.gql(open_round, {"o": province, "y": year, "h": half}, token=token)).data[
        "openAssessment"
    ]["id"]
    results = (await api.gql(compute, {"id": rid}, token=token)).data["computeAssessment"][
        "results"
    ]["nodes"]
    assert results and all(r["total"] > 0 for r in results)
