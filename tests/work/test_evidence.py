"""Evidence (佐证材料) on logs and reports: kinds by content, photos re-encoded without their
metadata, limits, who may attach and remove, who sees it, the file through a download link."""

from __future__ import annotations

import base64
import io

from PIL import Image

from tests.assessment.test_reports_bulletins import SUBMIT, previous_quarter
from tests.helpers import add_user, count_rows, gid, league_today, snapshot, statements_sent

ATTACH = """mutation($log: ID, $report: ID, $name: String!, $data: String!) {
  attachEvidence(input: {logId: $log, reportId: $report, filename: $name, contentBase64: $data}) {
  id filename contentType size sha256 downloadUrl } }"""
OF_LOG = (
    "query($id: ID!) { node(id: $id) { ... on WorkLog { evidence { filename contentType } } } }"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def photo_with_location() -> bytes:
    """A JPEG whose EXIF names where it was taken (GPS latitude) and the device."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 15.0, 0.0)}  # GPS: 34°15' N, 西安
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_a_photo_on_a_log_is_kept_without_its_metadata_and_served_by_link(world) -> None:
    api = world.api
    log = await world.contact(world.youth_ids[0])
    original = photo_with_location()
    assert Image.open(io.BytesIO(original)).getexif()  # the location is in the original
    r = await api.gql(
        ATTACH, {"log": log, "name": "走访.png", "data": b64(original)}, token=world.token
    )
    attached = r.data["attachEvidence"]
    assert attached["filename"] == "走访.jpg" and attached["contentType"] == "image/jpeg"
    file = await api.client.get(attached["downloadUrl"])
    assert file.status_code == 200 and file.headers["content-type"].startswith("image/jpeg")
    kept = Image.open(io.BytesIO(file.content))
    assert kept.size == (64, 48) and not kept.getexif() and "exif" not in kept.info
    assert (await api.client.get(attached["downloadUrl"])).status_code == 410  # once only

    # Whoever sees the log sees its evidence: the cadre, the county above; not a sibling city.
    county = await add_user(api.services, "cnty", org=world.tree["A"], roles=("county_admin",))
    other = await add_user(api.services, "cityB", org=world.tree["B"], roles=("city_admin",))
    for token in (world.token, await api.token_for(county.id)):
        seen = await api.gql(OF_LOG, {"id": log}, token=token)
        assert seen.data["node"]["evidence"] == [
            {"filename": "走访.jpg", "contentType": "image/jpeg"}
        ]
    assert (await api.gql(OF_LOG, {"id": log}, token=await api.token_for(other.id))).codes == [
        "NOT_FOUND"
    ]
    # Only the author attaches: the leader who sees the log may not.
    leader = await api.gql(
        ATTACH,
        {"log": log, "name": "x.pdf", "data": b64(PDF)},
        token=await api.token_for(county.id),
    )
    assert leader.codes == ["FORBIDDEN"]


async def test_what_is_not_evidence_is_refused_and_nothing_is_written(world) -> None:
    api = world.api
    log = await world.contact(world.youth_ids[0])
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, format="PNG")  # 100 M pixels in a few KB
    before = await snapshot(api.services)
    for name, data in [
        ("伪装.jpg", b64("这不是照片".encode())),
        ("坏的.jpg", "不是base64!"),
        ("空.pdf", ""),
        ("炸弹.png", b64(bomb.getvalue())),
        ("大.pdf", "A" * 7_000_000),
    ]:
        r = await api.gql(ATTACH, {"log": log, "name": name, "data": data}, token=world.token)
        assert r.codes == ["BAD_USER_INPUT"], (name, r.body)
    both = await api.gql(
        ATTACH,
        {"log": log, "report": gid("Report", 1), "name": "a.pdf", "data": b64(PDF)},
        token=world.token,
    )
    assert both.codes == ["BAD_USER_INPUT"]
    assert await snapshot(api.services) == before


async def test_at_most_nine_per_record_and_removal_by_the_author(world) -> None:
    from models import Evidence

    api = world.api
    log = await world.contact(world.youth_ids[0])
    ids = []
    for i in range(9):
        r = await api.gql(
            ATTACH, {"log": log, "name": f"第{i}页.pdf", "data": b64(PDF)}, token=world.token
        )
        ids.append(r.data["attachEvidence"]["id"])
    tenth = await api.gql(
        ATTACH, {"log": log, "name": "多.pdf", "data": b64(PDF)}, token=world.token
    )
    assert tenth.codes == ["CONFLICT"]
    remove = "mutation($id: ID!) { removeEvidence(id: $id) { filename } }"
    assert (await api.gql(remove, {"id": ids[0]}, token=world.token)).data["removeEvidence"] == {
        "filename": "第0页.pdf"
    }
    assert await count_rows(api.services, Evidence) == 8
    assert (await api.gql(remove, {"id": ids[0]}, token=world.token)).codes == ["NOT_FOUND"]


async def test_a_report_takes_evidence_until_it_is_approved(world) -> None:
    api = world.api
    city = await add_user(api.services, "cityA", org=world.tree["A"], roles=("city_admin",))
    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    ct, pt = await api.token_for(city.id), await api.token_for(province.id)
    y, q = previous_quarter(league_today(api.services))
    report = (
        await api.gql(
            SUBMIT, {"o": gid("Org", world.tree["A"].id), "y": y, "q": q, "p": "做法"}, token=ct
        )
    ).data["submitReport"]["id"]
    r = await api.gql(ATTACH, {"report": report, "name": "方案.pdf", "data": b64(PDF)}, token=ct)
    assert r.data["attachEvidence"]["contentType"] == "application/pdf"
    assert r.data["attachEvidence"]["size"] == len(PDF)
    seen = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Report { evidence { filename } } } }",
        {"id": report},
        token=pt,
    )
    assert seen.data["node"]["evidence"] == [{"filename": "方案.pdf"}]
    cadre = await api.gql(
        ATTACH, {"report": report, "name": "a.pdf", "data": b64(PDF)}, token=world.token
    )
    assert cadre.codes == ["NOT_FOUND"]  # a cadre does not see the city's reports
    review = 'mutation($id: ID!) { reviewReport(id: $id, approve: true, comment: "好") { status } }'
    assert (await api.gql(review, {"id": report}, token=pt)).data["reviewReport"][
        "status"
    ] == "APPROVED"
    late = await api.gql(ATTACH, {"report": report, "name": "b.pdf", "data": b64(PDF)}, token=ct)
    assert late.codes == ["CONFLICT"]
    assert late.body["errors"][0]["extensions"]["reason"] == "ILLEGAL_TRANSITION"


PAGE = """query { workLogs(first: 10) { edges { node { evidence { filename downloadUrl } } } } }"""


async def links_and_statements(api, token: str) -> tuple[list[dict], list[str]]:
    with statements_sent(api) as sent:
        r = await api.gql(PAGE, token=token)
    files = [f for e in r.data["workLogs"]["edges"] for f in e["node"]["evidence"]]
    return files, sent


async def test_a_page_of_evidence_gets_its_links_in_one_go(world) -> None:
    """Download links for a page of files: one statement reads the files and keeps them as
    downloads, one more audits the offers, whatever the number of files."""
    api = world.api
    logs = [await world.contact(world.youth_ids[0], text=f"第{i}次") for i in range(3)]
    await api.gql(ATTACH, {"log": logs[0], "name": "一.pdf", "data": b64(PDF)}, token=world.token)
    await api.gql(PAGE, token=world.token)  # the document is known from now on
    one, sent_for_one = await links_and_statements(api, world.token)
    assert len(one) == 1
    for i in range(8):
        content = PDF + f"% {i}\n".encode()
        r = await api.gql(
            ATTACH,
            {"log": logs[i % 3], "name": f"{i}.pdf", "data": b64(content)},
            token=world.token,
        )
        assert r.data["attachEvidence"]["filename"] == f"{i}.pdf"
    nine, sent_for_nine = await links_and_statements(api, world.token)
    assert len(nine) == 9 and len({f["downloadUrl"] for f in nine}) == 9
    assert len(sent_for_nine) == len(sent_for_one)
    writes = [s for s in sent_for_nine if s.lstrip().upper().startswith("INSERT")]
    assert [w.split()[2] for w in writes] == ["downloads", "audit_log"]
    # Each link serves its own file.
    for f in nine:
        got = await api.client.get(f["downloadUrl"])
        expected = PDF if f["filename"] == "一.pdf" else PDF + f"% {f['filename'][0]}\n".encode()
        assert got.status_code == 200 and got.content == expected
