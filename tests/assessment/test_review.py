"""One review for reports and implementation plans (resolvers/review.py): the same moves and
the same refusals, with the same codes and reasons, for both."""

from __future__ import annotations

from tests.assessment.test_plans import REVIEW as REVIEW_PLAN
from tests.assessment.test_plans import SUBMIT as SUBMIT_PLAN
from tests.assessment.test_reports_bulletins import SUBMIT as SUBMIT_REPORT
from tests.assessment.test_reports_bulletins import previous_quarter
from tests.helpers import add_user, gid, league_today, snapshot

REVIEW_REPORT = """mutation($id: ID!, $a: Boolean!, $c: String!) { reviewReport(id: $id,
  approve: $a, comment: $c) { status version reviewComment } }"""


def refusal(r) -> tuple[str, str]:
    ext = r.body["errors"][0]["extensions"]
    return ext["code"], ext.get("reason", "")


async def walk(api, submit, review, key: str, city: str, province: str) -> list[object]:
    """submit → return → submit → approve, then what an approved one refuses; what each
    step answered, for comparing the two kinds."""
    seen: list[object] = []
    first = (await submit()).data[f"submit{key}"]
    seen.append((first["status"], first["version"]))
    rid = first["id"]
    back = (await api.gql(review, {"id": rid, "a": False, "c": "补充"}, token=province)).data
    seen.append(tuple(back[f"review{key}"].values()))
    again = (await submit()).data[f"submit{key}"]
    seen.append((again["status"], again["version"]))
    ok = (await api.gql(review, {"id": rid, "a": True, "c": "同意"}, token=province)).data
    seen.append(tuple(ok[f"review{key}"].values()))
    before = await snapshot(api.services)
    seen.append(refusal(await submit()))  # approved is final
    seen.append(
        refusal(await api.gql(review, {"id": rid, "a": False, "c": "再改"}, token=province))
    )
    assert await snapshot(api.services) == before
    return seen


async def test_reports_and_plans_move_alike(world) -> None:
    api = world.api
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    ct, pt = await api.token_for(city.id), await api.token_for(province.id)
    org = gid("Org", world.tree["A"].id)
    y, q = previous_quarter(league_today(api.services))

    async def report():
        return await api.gql(SUBMIT_REPORT, {"o": org, "y": y, "q": q, "p": "做法"}, token=ct)

    async def plan():
        return await api.gql(SUBMIT_PLAN, {"o": org, "y": y, "t": "方案", "c": "内容"}, token=ct)

    reports = await walk(api, report, REVIEW_REPORT, "Report", ct, pt)
    plans = await walk(api, plan, REVIEW_PLAN, "ImplementationPlan", ct, pt)
    assert (
        reports
        == plans
        == [
            ("SUBMITTED", 1),
            ("RETURNED", 1, "补充"),
            ("SUBMITTED", 2),
            ("APPROVED", 2, "同意"),
            ("CONFLICT", "ILLEGAL_TRANSITION"),
            ("CONFLICT", "ILLEGAL_TRANSITION"),
        ]
    )
