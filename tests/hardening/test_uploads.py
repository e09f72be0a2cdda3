"""Uploads are read with every cap applied while reading, off the event loop (issue 10 §8)."""

from __future__ import annotations

import base64
import io
import zipfile

from openpyxl import Workbook

from tests.helpers import add_user, snapshot, standard_tree

IMPORT = """mutation($f: String!, $c: String!) {
  importYouth(input: {filename: $f, contentBase64: $c, importValidRows: true}) {
    written invited } }"""


def xlsx_with_sheet(sheet_rows_xml: str) -> bytes:
    """A real workbook whose first sheet's rows are replaced by the given XML (building
    400k rows through openpyxl would take the test longer than the attack)."""
    book = Workbook()
    book.active.append(["姓名", "手机号"])
    buf = io.BytesIO()
    book.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start, end = text.index("<sheetData>"), text.index("</sheetData>")
                header = (
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
                    '<c r="B1" t="inlineStr"><is><t>手机号</t></is></c></row>'
                )
                data = (
                    text[: start + len("<sheetData>")] + header + sheet_rows_xml + text[end:]
                ).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


async def cadre_token(api) -> str:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    return await api.token_for(cadre.id)


async def test_empty_rows_count_toward_the_row_cap(api) -> None:
    """The issue's file: 400k empty rows, then one real row. Before, empty rows were
    skipped without counting (8 s of parsing on the event loop) and the row was created."""
    t = await cadre_token(api)
    empty = "".join(f'<row r="{i}"><c r="A{i}"/></row>' for i in range(2, 400_002))
    real = (
        '<row r="400002"><c r="A400002" t="inlineStr"><is><t>甲</t></is></c>'
        '<c r="B400002" t="inlineStr"><is><t>13600000001</t></is></c></row>'
    )
    content = xlsx_with_sheet(empty + real)
    assert len(content) < api.services.settings.import_max_bytes
    before = await snapshot(api.services)
    r = await api.gql(IMPORT, {"f": "a.xlsx", "c": base64.b64encode(content).decode()}, token=t)
    assert r.codes == ["BAD_USER_INPUT"], r.body
    assert "2000" in r.body["errors"][0]["message"]
    assert await snapshot(api.services) == before


async def test_rows_the_file_skips_count_too(api) -> None:
    """A sheet may jump from row 2 to row 1,000,000; the reader fills the gap with empty
    rows, which are counted like written ones."""
    t = await cadre_token(api)
    far = (
        '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>甲</t></is></c>'
        '<c r="B1000000" t="inlineStr"><is><t>13600000001</t></is></c></row>'
    )
    c = base64.b64encode(xlsx_with_sheet(far)).decode()
    assert (await api.gql(IMPORT, {"f": "a.xlsx", "c": c}, token=t)).codes == ["BAD_USER_INPUT"]


async def test_a_workbook_that_unpacks_past_the_cap_is_refused(api) -> None:
    t = await cadre_token(api)
    cap = api.services.settings.import_max_unpacked_bytes
    padding = f"<!--{' ' * (cap + 1)}-->"  # compresses to a few tens of kB
    content = xlsx_with_sheet(padding)
    assert len(content) < api.services.settings.import_max_bytes
    r = await api.gql(IMPORT, {"f": "a.xlsx", "c": base64.b64encode(content).decode()}, token=t)
    assert r.codes == ["BAD_USER_INPUT"] and "解压" in r.body["errors"][0]["message"], r.body


async def test_a_csv_field_beyond_any_cell_is_bad_input(api) -> None:
    """One 200k-character field used to raise `_csv.Error` (field larger than field limit)
    and answer INTERNAL_SERVER_ERROR; a long one under that limit was read whole."""
    t = await cadre_token(api)
    for size in (200_000, 5_000):
        text = f"姓名,手机号\n{'x' * size},13600000001\n"
        c = base64.b64encode(text.encode()).decode()
        r = await api.gql(IMPORT, {"f": "a.csv", "c": c}, token=t)
        assert r.codes == ["BAD_USER_INPUT"], (size, r.body)
        assert "第 2 行" in r.body["errors"][0]["message"]


async def test_an_oversized_upload_is_refused_before_decoding(api) -> None:
    t = await cadre_token(api)
    too_long = "A" * ((api.services.settings.import_max_bytes // 3 + 2) * 4)
    r = await api.gql(IMPORT, {"f": "a.csv", "c": too_long}, token=t)
    assert r.codes == ["BAD_USER_INPUT"] and "MB" in r.body["errors"][0]["message"]
