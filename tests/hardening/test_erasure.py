"""After processDataDeletion the person's name and number are found nowhere in the
database (issue 10 §9): they used to stay in work logs, replies, audit rows, codes sent,
cached answers…"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from models import Download, metadata
from resolvers.idempotency import HEADER
from resolvers.privacy import POLICY_VERSION
from tests.helpers import add_user, gid

NAME, MOBILE = "小明", "13200000001"  # the `people` fixture's youth


async def everywhere(services, *needles: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every row of every table whose text holds one of the needles."""
    found = {}
    async with services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = await conn.scalars(
                sa.text(f'SELECT t::text FROM "{table.name}" t WHERE t::text LIKE ANY(:n)'),
                {"n": [f"%{n}%" for n in needles]},
            )
            if hits := list(rows):
                found[table.name] = hits
    return found


async def pending_files(services) -> list[bytes]:  # type: ignore[no-untyped-def]
    async with services.engine.connect() as conn:
        return list(
            await conn.scalars(sa.select(Download.content).where(Download.content.is_not(None)))
        )


async def test_the_person_is_found_nowhere_after_deletion(people) -> None:
    api = people.api
    youth_gid = gid("Youth", people.youth_id)
    mentioned = f"和{NAME}电话谈心，号码 {MOBILE}，也写作 132 0000 0001 和 132-0000-0001"
    # A cadre's log about them, with an idempotent retry that caches the answer.
    log = await api.client.post(
        "/graphql",
        json={
            "query": """mutation($y: ID!, $c: String!, $t: DateTime!) { logContact(input: {
                youthId: $y, channel: PHONE, content: $c, occurredAt: $t }) {
                id content youth { name mobile } } }""",
            "variables": {"y": youth_gid, "c": mentioned, "t": datetime.now(UTC).isoformat()},
        },
        headers={"authorization": f"Bearer {people.cadre}", HEADER: "erasure-log-0001"},
    )
    log_id = log.json()["data"]["logContact"]["id"]

    async def run(query: str, token: str, **variables: object) -> dict:  # type: ignore[type-arg]
        return (await api.gql(query, variables, token=token)).data  # raises on any error

    await run(
        "mutation($id: ID!) { confirmContact(logId: $id, confirmed: true) }",
        people.youth,
        id=log_id,
    )
    # Their consent with a guardian, their voice and the replies, their wish and its notes,
    # their rating.
    await run(
        """mutation($v: String!) { acceptPrivacyPolicy(policyVersion: $v, birthDate:
        "2015-01-01", guardianName: "小明妈妈", guardianMobile: "13900009999") { byGuardian } }""",
        people.youth,
        v=POLICY_VERSION,
    )
    voice = await run(
        'mutation($c: ID!) { sendVoice(kind: QUESTION, title: "我是小明", body: "请回电 '
        '13200000001", cadreId: $c) { id } }',
        people.youth,
        c=people.cadre_id,
    )
    reply = "mutation($id: ID!, $b: String!) { replyVoice(id: $id, body: $b) { id } }"
    voice_id = voice["sendVoice"]["id"]
    await run(reply, people.cadre, id=voice_id, b=f"{NAME}你好，已打 {MOBILE}")
    await run(reply, people.youth, id=voice_id, b=f"谢谢，我是{NAME}")
    wish = await run(
        'mutation($c: ID!) { submitWish(cadreId: $c, category: STUDY, title: "小明想要书", '
        'description: "送到 13200000001") { id } }',
        people.youth,
        c=people.cadre_id,
    )
    act = """mutation($id: ID!, $a: WishAction!, $n: String!, $e: String) {
        actOnWish(id: $id, action: $a, note: $n, evidence: $e) { status } }"""
    wish_id = wish["submitWish"]["id"]
    await run(act, people.cadre, id=wish_id, a="ACCEPT", n=f"联系{NAME}", e=None)
    await run(act, people.cadre, id=wish_id, a="FULFIL", n="完成", e=f"已送到{NAME}手中")
    await run(
        'mutation($c: ID!) { rateCadre(cadreId: $c, score: 5, comment: "小明很满意") { count } }',
        people.youth,
        c=people.cadre_id,
    )
    # A code sent to the number, and a wrong one tried (a lock counter keyed by the number).
    await api.gql('mutation { requestLoginCode(mobile: "13200000001") { retryAfterSeconds } }')
    await api.gql(
        'mutation { loginWithCode(mobile: "13200000001", code: "000000") { accessToken } }'
    )
    # An export of the cadre's list, waiting to be fetched (kept as bytes: searched apart).
    await run("{ exportYouth(format: CSV) { downloadUrl } }", people.cadre)
    assert any(NAME.encode() in f for f in await pending_files(api.services))
    # A manager renames them (audited), then the deletion they asked for.
    province = await add_user(api.services, "prov", org=people.tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    rename = 'mutation($id: ID!) { updateYouth(input: {id: $id, name: "小明同学"}) { name } }'
    assert (await api.gql(rename, {"id": youth_gid}, token=t)).codes == []
    before = await everywhere(api.services, NAME, MOBILE)
    assert {
        "work_logs",
        "voices",
        "voice_replies",
        "wishes",
        "wish_events",
        "ratings",
        "consents",
        "sms_outbox",
        "idempotency_keys",
        "youth",
        "users",
    } <= set(before), before
    assert "audit_log" not in before  # it cannot be edited, so it never receives them
    request = (
        await api.gql(
            'mutation { requestDataDeletion(reason: "我是小明 13200000001，请删除") { id } }',
            token=people.youth,
        )
    ).data["requestDataDeletion"]["id"]
    done = await api.gql(
        "mutation($id: ID!) { processDataDeletion(id: $id) { status } }", {"id": request}, token=t
    )
    assert done.data["processDataDeletion"]["status"] == "DONE"

    assert await everywhere(api.services, NAME, MOBILE, "132 0000 0001", "132-0000-0001") == {}
    assert not any(
        w.encode() in f for f in await pending_files(api.services) for w in (NAME, MOBILE)
    )
    # What others wrote keeps its sense.
    kept = (
        await api.gql(
            "query($id: ID!) { workLog(id: $id) { content } }", {"id": log_id}, token=people.cadre
        )
    ).data
    assert kept["workLog"]["content"].startswith("和[已删除]电话谈心，号码 [已删除]")
    # The other youth on the same list is untouched.
    assert await everywhere(api.services, "小红", "13200000002")
