"""Personal data: consent, guardians, who holds it, download, deletion, read logs, and no
secret or whole mobile number in the logs."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from models import AuditEntry, Consent, PersonalDataRead
from resolvers.privacy import POLICY_VERSION
from tests.helpers import add_user, gid

SEND = 'mutation($c: ID!) { sendVoice(kind: QUESTION, title: "t", body: "b", cadreId: $c) { id } }'


async def test_consent_first_and_guardians_under_14(people) -> None:
    api = people.api
    async with api.services.engine.begin() as conn:
        await conn.execute(sa.delete(Consent))
    assert (await api.gql(SEND, {"c": people.cadre_id}, token=people.youth)).codes == ["FORBIDDEN"]
    accept = """mutation($v: String!, $b: Date, $g: String, $m: String) { acceptPrivacyPolicy(policyVersion: $v,
        birthDate: $b, guardianName: $g, guardianMobile: $m) { policyVersion byGuardian } }"""
    assert (await api.gql(accept, {"v": "old"}, token=people.youth)).codes == ["BAD_USER_INPUT"]
    child = await api.gql(accept, {"v": POLICY_VERSION, "b": "2016-05-01"}, token=people.youth)
    assert child.codes == ["BAD_USER_INPUT"]  # under 14: a guardian must agree
    ok = await api.gql(
        accept,
        {"v": POLICY_VERSION, "b": "2016-05-01", "g": "小明妈妈", "m": "13900009999"},
        token=people.youth,
    )
    assert ok.data["acceptPrivacyPolicy"] == {"policyVersion": POLICY_VERSION, "byGuardian": True}
    assert (await api.gql(SEND, {"c": people.cadre_id}, token=people.youth)).data
    assert (await api.gql("{ myConsent { byGuardian } }", token=people.youth)).data[
        "myConsent"
    ] == {"byGuardian": True}


async def test_holders_export_and_read_log(people) -> None:
    api = people.api
    q = "query($id: ID!) { youth(id: $id) { mobile } }"
    province = await add_user(api.services, "prov", org=people.tree["P"], roles=("province_admin",))
    assert (
        await api.gql(
            q, {"id": gid("Youth", people.youth_id)}, token=await api.token_for(province.id)
        )
    ).data["youth"]["mobile"] == "13200000001"
    assert (await api.gql(q, {"id": gid("Youth", people.youth_id)}, token=people.county)).data[
        "youth"
    ]["mobile"] == "132****0001"
    async with api.services.sessionmaker() as s:
        reads = (
            await s.execute(
                sa.select(
                    PersonalDataRead.viewer_user_id,
                    PersonalDataRead.field,
                    PersonalDataRead.youth_id,
                    sa.func.length(PersonalDataRead.request_id) > 0,
                    PersonalDataRead.at.is_not(None),
                )
            )
        ).all()
    # the whole read is logged (whose, by whom, in which request, when); the masked one is not
    assert reads == [(province.id, "mobile", people.youth_id, True, True)]
    holders = (
        await api.gql(
            """{ myDataHolders { cadres { name orgName status } roles { role orgName }
            recentReads { by at } } }""",
            token=people.youth,
        )
    ).data["myDataHolders"]
    assert holders["cadres"] == [{"name": "cadre1", "orgName": "甲一县某支部", "status": "ACTIVE"}]
    assert {"role": "province_admin", "orgName": "省"} in holders["roles"]
    assert holders["recentReads"][0]["by"] == "prov"
    assert datetime.fromisoformat(holders["recentReads"][0]["at"]).tzinfo is not None
    data = (await api.gql("{ exportMyData }", token=people.youth)).data["exportMyData"]
    assert data["profile"]["mobile"] == "13200000001" and data["contacts"][0]["cadre"] == "cadre1"
    assert (await api.gql("{ exportMyData }", token=people.cadre)).codes == ["FORBIDDEN"]


async def test_an_export_stays_in_the_audit_log(people) -> None:
    """The export is a query, whose session keeps nothing: its audit entry is committed apart,
    on the first sight of the document and on the read-only session of a known one."""
    api = people.api
    for _ in range(2):
        assert (await api.gql("{ exportMyData }", token=people.youth)).data["exportMyData"]
    async with api.services.sessionmaker() as s:
        entries = (
            await s.execute(
                sa.select(AuditEntry.entity_type, AuditEntry.entity_id, AuditEntry.org_path).where(
                    AuditEntry.action == "privacy.export"
                )
            )
        ).all()
    assert [(t, int(i)) for t, i, _ in entries] == [("Youth", people.youth_id)] * 2
    assert all(path for _, _, path in entries)


async def test_deletion_on_request(people) -> None:
    api = people.api
    await api.gql(SEND, {"c": people.cadre_id}, token=people.youth)
    r = await api.gql(
        'mutation { requestDataDeletion(reason: "不再使用") { id status } }', token=people.youth
    )
    req = r.data["requestDataDeletion"]
    assert (await api.gql("mutation { requestDataDeletion { id } }", token=people.youth)).codes == [
        "CONFLICT"
    ]
    process = "mutation($id: ID!) { processDataDeletion(id: $id) { status } }"
    assert (await api.gql(process, {"id": req["id"]}, token=people.cadre)).codes in (
        ["FORBIDDEN"],
        ["NOT_FOUND"],
    )
    listed = await api.gql(
        "{ deletionRequests(status: PENDING) { nodes { id } } }", token=people.county
    )
    assert listed.data["deletionRequests"]["nodes"] == [{"id": req["id"]}]
    assert (await api.gql(process, {"id": req["id"]}, token=people.county)).data[
        "processDataDeletion"
    ]["status"] == "DONE"
    # The login ends; the cadre's list no longer has them; their words are gone.
    assert (await api.gql("{ me { user { displayName } } }", token=people.youth)).codes == [
        "UNAUTHENTICATED"
    ]
    mine = await api.gql("{ myContacts { nodes { youth { name } } } }", token=people.cadre)
    assert {"youth": {"name": "已注销用户"}} not in mine.data["myContacts"]["nodes"]
    voices = await api.gql(
        "{ myVoices { nodes { body youth { name mobile } } } }", token=people.cadre
    )
    assert voices.data["myVoices"]["nodes"][0]["body"] == "[已删除]"
    # The link ended with the deletion: the cadre no longer sees the person at all.
    assert voices.data["myVoices"]["nodes"][0]["youth"] is None


async def test_no_secret_token_or_whole_number_reaches_the_logs(people, caplog) -> None:
    """Sentinels go through logins, one-time codes, bad input and errors; none shows up."""
    api = people.api
    caplog.set_level(logging.DEBUG)
    sentinel_mobile, sentinel_password = "13912344321", "Sentinel#9876pw"
    await api.gql(
        "mutation($m: String!) { requestLoginCode(mobile: $m) { retryAfterSeconds } }",
        {"m": sentinel_mobile},
    )
    await api.gql(
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
        {"u": "cadre1", "p": sentinel_password},
    )
    ok = await api.gql(
        'mutation { login(username: "cadre1", password: "Secret123") { accessToken refreshToken } }'
    )
    token, refresh = ok.data["login"]["accessToken"], ok.data["login"]["refreshToken"]
    await api.gql("{ me { user { displayName } } }", token=token)
    await api.gql(
        "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }", {"t": refresh}
    )
    dup = 'mutation($o: ID!, $m: String!) { createYouth(input: {orgId: $o, name: "x", mobile: $m}) { id } }'
    await api.gql(
        dup, {"o": gid("Org", people.tree["A1"].id), "m": "13200000001"}, token=people.county
    )  # IntegrityError path
    text = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for secret in (sentinel_mobile, sentinel_password, "Secret123", token, refresh, "13200000001"):
        assert secret not in text, f"leaked into logs: {secret[:6]}…"


async def test_retention_purge(api) -> None:
    from datetime import UTC, datetime, timedelta

    from models import Download, OtpCode, SmsOutbox
    from resolvers.privacy import purge

    old = datetime.now(UTC) - timedelta(days=api.services.settings.retain_otp_days + 1)
    user = await add_user(api.services, "exporter")
    async with api.services.sessionmaker() as s:
        s.add_all(
            [
                OtpCode(mobile="13800000077", code_hash="x", expires_at=old, created_at=old),
                OtpCode(mobile="13800000078", code_hash="y", expires_at=datetime.now(UTC)),
                SmsOutbox(mobile="13800000077", body="old", created_at=old),
                *(
                    Download(
                        user_id=user.id,
                        filename=f"{name}.csv",
                        content_type="text/csv",
                        content=b"x",
                        size=1,
                        expires_at=when,
                    )
                    for name, when in (
                        ("late", old),
                        ("live", datetime.now(UTC) + timedelta(hours=1)),
                    )
                ),
            ]
        )
        await s.commit()
        removed = await purge(s, api.services.settings)
        await s.commit()
        left = list(await s.scalars(sa.select(OtpCode.mobile)))
    assert removed["otp_codes"] == 1 and removed["sms_outbox"] == 1 and left == ["13800000078"]
    async with api.services.sessionmaker() as s:
        files = dict((await s.execute(sa.select(Download.filename, Download.content))).all())
    assert removed["downloads"] == 1 and files == {"late.csv": None, "live.csv": b"x"}


async def test_an_export_runs_on_the_read_only_session(people) -> None:
    """Its audit entry goes apart, so the export is a query like any other: once its text is
    known it needs no transaction of its own (schema/writes.py declares no writer)."""
    from tests.platform.test_read_only import isolation_levels

    api = people.api
    for _ in range(2):  # the second time the document is known
        with isolation_levels(api) as seen:
            assert (await api.gql("{ exportMyData }", token=people.youth)).data["exportMyData"]
    assert "AUTOCOMMIT" in seen
