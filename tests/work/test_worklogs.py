"""Work logs: written in seconds, editable by the author for a window, then locked."""

from __future__ import annotations

import sqlalchemy as sa

from models import AuditEntry, PointEntry, WorkLog
from tests.helpers import add_user, gid, snapshot
from tests.work.conftest import make_cadre

UPDATE = "mutation($id: ID!, $c: String!) { updateWorkLog(input: {id: $id, content: $c}) { content updatedAt } }"
DELETE = (
    'mutation($id: ID!) { deleteWorkLog(id: $id, reason: "重复录入") { deletedAt deletedReason } }'
)


async def test_log_contact_and_activity(world) -> None:
    api = world.api
    cid = await world.contact(world.youth_ids[0], channel="PHONE", text="了解求职困难")
    aid = await world.activity("VOLUNTEER", participants=world.youth_ids[:2])
    r = await api.gql(
        """query($a: ID!, $c: ID!) {
        a: workLog(id: $a) { kind activityKind participantCount place locked cadre { name } }
        c: workLog(id: $c) { kind channel content youth { name mobile } } }""",
        {"a": aid, "c": cid},
        token=world.token,
    )
    assert r.data["a"] == {
        "kind": "ACTIVITY",
        "activityKind": "VOLUNTEER",
        "participantCount": 2,
        "place": "社区",
        "locked": False,
        "cadre": {"name": "worker"},
    }
    assert r.data["c"]["channel"] == "PHONE" and r.data["c"]["youth"]["mobile"] == "13300000000"
    # Text search finds Chinese substrings.
    found = await api.gql(
        '{ workLogs(search: "求职") { totalCount nodes { id } } }', token=world.token
    )
    assert found.data["workLogs"]["nodes"] == [{"id": cid}]


async def test_refusals_on_writing(world) -> None:
    api = world.api
    stranger = await add_user(api.services, "s", org=world.tree["B1"], roles=("cadre",))
    from tests.helpers import add_youth

    other_youth = await add_youth(api.services, "不在名单", "13399999999", world.tree["A1"])
    stranger_token = await api.token_for(stranger.id)
    before = await snapshot(api.services)
    r = await api.gql(
        """mutation($y: ID!) { logContact(input: {youthId: $y, channel: PHONE, content: "x",
        occurredAt: "2026-01-01T10:00:00+08:00"}) { id } }""",
        {"y": gid("Youth", other_youth.id)},
        token=world.token,
    )
    assert r.codes in (["NOT_FOUND"], ["BAD_USER_INPUT"])
    r = await api.gql(
        """mutation($p: [ID!]!) { logActivity(input: {kind: VOLUNTEER, content: "x",
        occurredAt: "2026-01-01T10:00:00+08:00", participantIds: $p}) { id } }""",
        {"p": [gid("Youth", other_youth.id)]},
        token=world.token,
    )
    assert r.codes in (["NOT_FOUND"], ["BAD_USER_INPUT"])
    r = await api.gql(
        """mutation { logActivity(input: {kind: VOLUNTEER, content: "x",
        occurredAt: "2026-01-01T10:00:00"}) { id } }""",
        token=world.token,
    )
    assert r.codes == ["BAD_USER_INPUT"]  # no time zone
    r = await api.gql(
        """mutation { logActivity(input: {kind: VOLUNTEER, content: "",
        occurredAt: "2026-01-01T10:00:00+08:00"}) { id } }""",
        token=stranger_token,
    )
    assert r.codes == ["BAD_USER_INPUT"]
    assert await snapshot(api.services) == before


async def test_only_the_author_edits_and_only_until_locked(world) -> None:
    api = world.api
    log_id = await world.activity("HEART_TALK")
    ok = await api.gql(UPDATE, {"id": log_id, "c": "补充：谈心两小时"}, token=world.token)
    assert ok.data["updateWorkLog"]["content"] == "补充：谈心两小时"
    # Another cadre in another subtree: not found. A leader who can see it: forbidden.
    _, other_token, _ = await make_cadre(api, world.tree, "other", "B1", 0, 100)
    assert (await api.gql(UPDATE, {"id": log_id, "c": "篡改"}, token=other_token)).codes == [
        "NOT_FOUND"
    ]
    leader = await add_user(api.services, "leader", org=world.tree["A"], roles=("city_admin",))
    leader_token = await api.token_for(leader.id)
    assert (await api.gql(UPDATE, {"id": log_id, "c": "篡改"}, token=leader_token)).codes == [
        "FORBIDDEN"
    ]
    assert (await api.gql(DELETE, {"id": log_id}, token=leader_token)).codes == ["FORBIDDEN"]
    # Past the window: locked, for the author too.
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(WorkLog).values(created_at=sa.func.now() - sa.text("interval '73 hours'"))
        )
        await s.commit()
    before = await snapshot(api.services)
    locked = await api.gql(UPDATE, {"id": log_id, "c": "改晚了"}, token=world.token)
    assert locked.codes == ["CONFLICT"]
    assert (await api.gql(DELETE, {"id": log_id}, token=world.token)).codes == ["CONFLICT"]
    assert await snapshot(api.services) == before
    r = await api.gql(
        "query($id: ID!) { workLog(id: $id) { content locked } }", {"id": log_id}, token=world.token
    )
    assert r.data["workLog"] == {"content": "补充：谈心两小时", "locked": True}


async def test_soft_delete_is_audited_and_reverses_points(world) -> None:
    api = world.api
    log_id = await world.activity("CULTURE_SPORTS")
    r = await api.gql(DELETE, {"id": log_id}, token=world.token)
    assert r.data["deleteWorkLog"]["deletedReason"] == "重复录入"
    assert (await api.gql("{ workLogs { totalCount } }", token=world.token)).data["workLogs"][
        "totalCount"
    ] == 0
    assert (
        await api.gql("{ workLogs(includeDeleted: true) { totalCount } }", token=world.token)
    ).data["workLogs"]["totalCount"] == 1
    assert (await api.gql(DELETE, {"id": log_id}, token=world.token)).codes == ["NOT_FOUND"]
    async with api.services.sessionmaker() as s:
        entries = (
            await s.execute(
                sa.select(PointEntry.points, PointEntry.reverses_id).order_by(PointEntry.id)
            )
        ).all()
        actions = list(
            await s.scalars(sa.select(AuditEntry.action).where(AuditEntry.entity_type == "WorkLog"))
        )
    log_points = [e for e in entries if e[0] in (5, -5)]
    assert [p for p, _ in log_points] == [5, -5] and log_points[1][1] is not None
    assert actions == ["worklog.create", "worklog.delete"]


async def test_lists_are_own_or_in_scope(world) -> None:
    api = world.api
    await world.activity("VOLUNTEER")
    _, b_token, _ = await make_cadre(api, world.tree, "bworker", "B1", 0, 200)
    await world.activity("VOLUNTEER", token=b_token)
    mine = await api.gql("{ workLogs { nodes { cadre { name } } } }", token=world.token)
    assert [n["cadre"]["name"] for n in mine.data["workLogs"]["nodes"]] == ["worker"]
    city_a = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    seen = await api.gql(
        "{ workLogs { nodes { cadre { name } } } }", token=await api.token_for(city_a.id)
    )
    assert [n["cadre"]["name"] for n in seen.data["workLogs"]["nodes"]] == ["worker"]
    auditor = await add_user(
        api.services, "aud", roles=("auditor",), grant_org=world.tree["P"], cadre_kind=None
    )
    assert (
        await api.gql("{ workLogs { totalCount } }", token=await api.token_for(auditor.id))
    ).codes == ["FORBIDDEN"]


async def test_a_new_log_writes_its_rows_its_entry_and_its_points_at_once(world) -> None:
    """A log is written in one statement (resolvers/worklogs.py _NEW_LOG): its participants,
    its audit entry (in the chain at commit) and its points come with it, as they did from the
    ORM; a refused contact log writes nothing and answers as it always did."""
    from resolvers.audit import verify_chain
    from tests.helpers import add_youth
    from tests.work.conftest import CONTACT, hours_ago

    api = world.api
    cid = await world.contact(world.youth_ids[0], channel="PHONE", text="谈心")
    aid = await world.activity("VOLUNTEER", participants=world.youth_ids[:2])
    async with api.services.sessionmaker() as s:
        logs = {gid("WorkLog", log.id): log for log in (await s.scalars(sa.select(WorkLog))).all()}
        entries = (
            await s.scalars(sa.select(AuditEntry).where(AuditEntry.action == "worklog.create"))
        ).all()
        participants = (
            await s.execute(sa.text("SELECT log_id, youth_id FROM work_log_participants"))
        ).all()
        credited = {(p.source.value, p.source_id) for p in (await s.scalars(sa.select(PointEntry)))}
        chain = await verify_chain(s)
    contact, activity = logs[cid], logs[aid]
    by_id = {e.entity_id: e for e in entries}
    entry = by_id[str(contact.id)]
    assert entry.actor_user_id == world.cadre_user.id and entry.org_path == contact.org_path
    assert entry.after == {
        "kind": "CONTACT",
        "youth_id": contact.youth_id,
        "channel": "PHONE",
        "activity_kind": None,
        "place_sha256": entry.after["place_sha256"],
        "content_sha256": entry.after["content_sha256"],
        "occurred_at": entry.after["occurred_at"],
        "participant_count": 1,
        "for_organ": False,
    }
    assert by_id[str(activity.id)].after["participant_count"] == 2
    assert len([y for log_id, y in participants if log_id == activity.id]) == 2
    assert [y for log_id, y in participants if log_id == contact.id] == [contact.youth_id]
    assert ("CONTACT_LOG", contact.id) in credited and ("ACTIVITY_LOG", activity.id) in credited
    assert chain.ok, chain.breaks

    # Refused: not on the list (with bad input too: the link is checked first), bad input.
    stranger = await add_youth(api.services, "不在名单", "13399999998", world.tree["A1"])
    before = await snapshot(api.services)
    bad = {"c": "PHONE", "at": hours_ago(0.01), "text": " "}
    r = await api.gql(CONTACT, {**bad, "y": gid("Youth", stranger.id)}, token=world.token)
    assert r.codes == ["NOT_FOUND"]
    r = await api.gql(CONTACT, {**bad, "y": world.youth_ids[0]}, token=world.token)
    assert r.codes == ["BAD_USER_INPUT"]
    r = await api.gql(
        CONTACT, {**bad, "text": "好", "y": gid("Youth", stranger.id)}, token=world.token
    )
    assert r.codes == ["NOT_FOUND"]
    assert await snapshot(api.services) == before
