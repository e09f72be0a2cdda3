"""最美青春故事 nominations name a cadre of the county by reference, with a form (演讲、征文、
微视频、H5), a title and the story, and carry materials (evidence): the county changes them
while the city has not decided; whoever sees the nomination sees its materials."""

from __future__ import annotations

import base64

import sqlalchemy as sa

from tests.assessment.test_campaigns_assessment import cadres_of, story_campaign
from tests.helpers import add_user, gid, snapshot
from tests.work.test_evidence import PDF, b64

NOMINATE = """mutation($c: ID!, $o: ID!, $n: ID!, $f: StoryForm!) {
  nominateStory(campaignId: $c, orgId: $o, cadreId: $n, form: $f, title: "大山里的团课",
  story: "三年走遍十二个村。\\n每月一堂团课。") {
  id nomineeName form title story level status nominee { id name } org { name } } }"""
UPDATE = """mutation($id: ID!, $n: ID, $f: StoryForm, $t: String) {
  updateNomination(id: $id, cadreId: $n, form: $f, title: $t) { nomineeName form title story } }"""
DECIDE = """mutation($id: ID!) { decideNomination(id: $id, select: true) { level status } }"""
ATTACH = """mutation($n: ID!, $name: String!, $data: String!) {
  attachEvidence(input: {nominationId: $n, filename: $name, contentBase64: $data}) {
  id filename contentType size downloadUrl } }"""
MATERIALS = """query($id: ID!) { node(id: $id) { ... on Nomination {
  nominee { name } evidence { filename contentType } } } }"""


def mp4(payload: bytes = b"\x00" * 4000) -> bytes:
    """The start of an MP4 file: an `ftyp` box (size 24, brand isom), then an `mdat` box."""
    ftyp = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    return ftyp + (len(payload) + 8).to_bytes(4, "big") + b"mdat" + payload


async def setting(world):
    api = world.api
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    county = await add_user(api.services, "countyA1", org=world.tree["A1"], roles=("county_admin",))
    other = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    tokens = [await api.token_for(u.id) for u in (province, city, county, other)]
    campaign = await story_campaign(api, tokens[0])
    return campaign, tokens


async def test_a_county_nominates_its_cadre_by_reference_and_not_another_countys(world) -> None:
    api = world.api
    c, (pt, _, kt, bt) = await setting(world)
    [ours] = await cadres_of(world, "A1x", "李青")
    [theirs] = await cadres_of(world, "B1", "外县")
    a1 = gid("Org", world.tree["A1"].id)
    made = await api.gql(NOMINATE, {"c": c, "o": a1, "n": ours, "f": "SPEECH"}, token=kt)
    n = made.data["nominateStory"]
    assert n == {
        "id": n["id"],
        "nomineeName": "李青",
        "form": "SPEECH",
        "title": "大山里的团课",
        "story": "三年走遍十二个村。\n每月一堂团课。",
        "level": "CITY",
        "status": "PENDING",
        "nominee": {"id": ours, "name": "李青"},
        "org": {"name": "甲一县"},
    }
    # A cadre outside the county's subtree: the county does not see them (NOT_FOUND); the
    # province sees them, but a county nominates its own (BAD_USER_INPUT); nothing written.
    before = await snapshot(api.services)
    outside = await api.gql(NOMINATE, {"c": c, "o": a1, "n": theirs, "f": "ESSAY"}, token=kt)
    assert outside.codes == ["NOT_FOUND"]
    wider = await api.gql(NOMINATE, {"c": c, "o": a1, "n": theirs, "f": "ESSAY"}, token=pt)
    assert wider.codes == ["BAD_USER_INPUT"]
    assert wider.error("BAD_USER_INPUT")["extensions"]["field"] == "cadreId"
    assert (await api.gql(UPDATE, {"id": n["id"], "n": theirs}, token=kt)).codes == ["NOT_FOUND"]
    assert await snapshot(api.services) == before
    # The sibling city sees neither the nomination nor its nominee.
    assert (await api.gql(MATERIALS, {"id": n["id"]}, token=bt)).codes == ["NOT_FOUND"]


async def test_the_county_edits_until_the_city_decides_and_the_flow_goes_on(world) -> None:
    api = world.api
    c, (pt, ct, kt, _) = await setting(world)
    li, wang = await cadres_of(world, "A1", "李青", "王禾")
    a1 = gid("Org", world.tree["A1"].id)
    n = (await api.gql(NOMINATE, {"c": c, "o": a1, "n": li, "f": "ESSAY"}, token=kt)).data[
        "nominateStory"
    ]["id"]
    changed = await api.gql(UPDATE, {"id": n, "n": wang, "f": "H5", "t": "新标题"}, token=kt)
    assert changed.data["updateNomination"] == {
        "nomineeName": "王禾",
        "form": "H5",
        "title": "新标题",
        "story": "三年走遍十二个村。\n每月一堂团课。",  # not given: unchanged
    }
    assert (await api.gql(UPDATE, {"id": n, "t": " "}, token=kt)).codes == ["BAD_USER_INPUT"]
    assert (await api.gql(DECIDE, {"id": n}, token=ct)).data["decideNomination"] == {
        "level": "PROVINCE",
        "status": "PENDING",
    }
    late = await api.gql(UPDATE, {"id": n, "t": "再改"}, token=kt)
    assert late.codes == ["CONFLICT"]
    assert late.error("CONFLICT")["extensions"]["reason"] == "ILLEGAL_TRANSITION"
    fin = await api.gql(DECIDE, {"id": n}, token=pt)
    assert fin.data["decideNomination"]["status"] == "FINALIST"


async def test_materials_on_a_nomination_and_video_for_a_micro_video(world) -> None:
    api = world.api
    c, (pt, ct, kt, bt) = await setting(world)
    li, wang = await cadres_of(world, "A1", "李青", "王禾")
    a1 = gid("Org", world.tree["A1"].id)
    video_n = (
        await api.gql(NOMINATE, {"c": c, "o": a1, "n": li, "f": "MICRO_VIDEO"}, token=kt)
    ).data["nominateStory"]["id"]
    essay_n = (await api.gql(NOMINATE, {"c": c, "o": a1, "n": wang, "f": "ESSAY"}, token=kt)).data[
        "nominateStory"
    ]["id"]
    clip = mp4()
    made = await api.gql(ATTACH, {"n": video_n, "name": "故事.mov", "data": b64(clip)}, token=kt)
    video = made.data["attachEvidence"]
    assert (video["filename"], video["contentType"], video["size"]) == (
        "故事.mp4",
        "video/mp4",
        len(clip),
    )
    got = await api.client.get(video["downloadUrl"])
    assert got.status_code == 200 and got.content == clip
    assert got.headers["content-type"] == "video/mp4"
    pdf = await api.gql(ATTACH, {"n": essay_n, "name": "征文.pdf", "data": b64(PDF)}, token=kt)
    assert pdf.data["attachEvidence"]["contentType"] == "application/pdf"

    before = await snapshot(api.services)
    # A video only on a 微视频 nomination; a file that only says it is one is refused.
    refused = [
        (essay_n, "视频.mp4", b64(clip)),
        (video_n, "假.mp4", b64(b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 64)),
        (video_n, "假.mp4", b64(b"not a video at all" * 10)),
    ]
    for n, name, data in refused:
        r = await api.gql(ATTACH, {"n": n, "name": name, "data": data}, token=kt)
        assert r.codes == ["BAD_USER_INPUT"], (name, r.body)
    # Larger than a photo may be, within the video limit: only as a video.
    big = mp4(b"\x00" * 6_000_000)
    assert (
        await api.gql(ATTACH, {"n": essay_n, "name": "大.mp4", "data": b64(big)}, token=kt)
    ).codes == ["BAD_USER_INPUT"]
    # Who may not change them: the sibling city (cannot see it: NOT_FOUND), a cadre of the
    # county who sees it but may not nominate (FORBIDDEN).
    assert (
        await api.gql(ATTACH, {"n": video_n, "name": "x.pdf", "data": b64(PDF)}, token=bt)
    ).codes == ["NOT_FOUND"]
    assert (
        await api.gql(ATTACH, {"n": video_n, "name": "x.pdf", "data": b64(PDF)}, token=world.token)
    ).codes == ["FORBIDDEN"]
    assert await snapshot(api.services) == before
    kept = await api.gql(
        ATTACH, {"n": video_n, "name": "长.mp4", "data": b64(big)}, token=kt
    )  # 6 MB: above the photo limit, within the video limit
    assert kept.data["attachEvidence"]["size"] == len(big)

    # Whoever sees the nomination sees its materials: the county, the city, the province.
    for token in (kt, ct, pt):
        seen = await api.gql(MATERIALS, {"id": video_n}, token=token)
        assert seen.data["node"]["evidence"] == [
            {"filename": "故事.mp4", "contentType": "video/mp4"},
            {"filename": "长.mp4", "contentType": "video/mp4"},
        ]
    # Once the city forwarded it, the materials are what the city judged: no more changes.
    assert (await api.gql(DECIDE, {"id": video_n}, token=ct)).data["decideNomination"]
    late = await api.gql(ATTACH, {"n": video_n, "name": "x.pdf", "data": b64(PDF)}, token=kt)
    assert late.codes == ["CONFLICT"]
    remove = "mutation($id: ID!) { removeEvidence(id: $id) { filename } }"
    assert (await api.gql(remove, {"id": video["id"]}, token=kt)).codes == ["CONFLICT"]


async def test_a_nomination_from_before_the_reference_still_reads(world) -> None:
    """Rows written before migration 0026 have a name only: no cadre, form or title."""
    from models import Nomination, NominationStatus

    api = world.api
    c, (pt, *_rest) = await setting(world)
    a1 = world.tree["A1"]
    async with api.services.sessionmaker() as s:
        s.add(
            Nomination(
                campaign_id=int(base64.b64decode(c).decode().split(":")[1]),
                nominee_name="旧推荐",
                story="只有姓名",
                level="CITY",
                status=NominationStatus.PENDING,
                org_id=a1.id,
                org_path=a1.path,
                city_id=a1.city_id,
            )
        )
        await s.commit()
        assert await s.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 1
    listed = await api.gql(
        "query($c: ID!) { nominations(campaignId: $c) { nodes { nomineeName nominee { id }"
        " form title evidence { id } } } }",
        {"c": c},
        token=pt,
    )
    assert listed.data["nominations"]["nodes"] == [
        {"nomineeName": "旧推荐", "nominee": None, "form": None, "title": "", "evidence": []}
    ]
