"""importYouth(dryRun: true): the per-row report a client shows before the user confirms,
with nothing written; the confirmed import then does what the preview said."""

from __future__ import annotations

from tests.helpers import snapshot
from tests.work.test_contacts import setup, xlsx

IMPORT = """mutation($c: String!, $dry: Boolean!) {
  importYouth(input: {filename: "名单.xlsx", contentBase64: $c, dryRun: $dry}) {
    written invited matched unchanged rejected rows { row outcome reason } } }"""


async def test_a_preview_writes_nothing_and_the_confirmed_import_matches_it(api) -> None:
    _tree, _cadre, t = await setup(api)
    content = xlsx([["姓名", "手机号"], ["甲", "13600000001"], ["乙", "13600000002"]])
    before = await snapshot(api.services)
    preview = (await api.gql(IMPORT, {"c": content, "dry": True}, token=t)).data["importYouth"]
    assert await snapshot(api.services) == before
    assert preview["written"] is False and preview["invited"] == 2
    done = (await api.gql(IMPORT, {"c": content, "dry": False}, token=t)).data["importYouth"]
    assert done["written"] is True
    assert {k: v for k, v in done.items() if k != "written"} == {
        k: v for k, v in preview.items() if k != "written"
    }
    assert await snapshot(api.services) != before


async def test_a_preview_reports_bad_rows(api) -> None:
    _tree, _cadre, t = await setup(api)
    content = xlsx([["姓名", "手机号"], ["甲", "13600000001"], ["乙", "123"]])
    preview = (await api.gql(IMPORT, {"c": content, "dry": True}, token=t)).data["importYouth"]
    assert (preview["written"], preview["invited"], preview["rejected"]) == (False, 1, 1)
    assert preview["rows"][1]["outcome"] == "REJECTED" and preview["rows"][1]["reason"]
