"""Reading and writing youth lists as .xlsx (openpyxl) and .csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook, load_workbook

from authz.errors import BadInput

HEADERS = {
    "name": ("姓名", "name", "名字"),
    "mobile": ("手机号", "手机号码", "手机", "mobile", "phone", "电话"),
    "industry": ("行业", "industry", "所在行业"),
}


def read_rows(filename: str, content: bytes, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {name, mobile, industry}) for each non-empty data row."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        raw = _xlsx(content)
    elif lower.endswith(".csv"):
        raw = _csv(content)
    else:
        raise BadInput("只支持 .xlsx 和 .csv 文件", field="filename")
    try:
        header = next(raw)
    except StopIteration:
        raise BadInput("文件是空的", field="file") from None
    columns = _columns(header)
    rows = []
    for number, values in enumerate(raw, start=2):
        cells = [("" if v is None else str(v)).strip() for v in values]
        if not any(cells):
            continue
        if len(rows) >= max_rows:
            raise BadInput(f"一次最多导入 {max_rows} 行", field="file")
        rows.append(
            (number, {key: cells[i] if i < len(cells) else "" for key, i in columns.items()})
        )
    return rows


def _columns(header: Iterable[object]) -> dict[str, int]:
    names = [("" if h is None else str(h)).strip().lower() for h in header]
    found = {}
    for key, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    missing = [HEADERS[k][0] for k in ("name", "mobile") if k not in found]
    if missing:
        raise BadInput(
            f"缺少必需的列：{'、'.join(missing)}（第一行应为表头：姓名、手机号、行业）",
            field="file",
        )
    return found


def _xlsx(content: bytes) -> Iterable[tuple[object, ...]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise BadInput("无法读取 .xlsx 文件，文件可能已损坏", field="file") from None
    return iter(book.worksheets[0].iter_rows(values_only=True))


def _csv(content: bytes) -> Iterable[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInput("无法识别 .csv 文件的编码（请使用 UTF-8 或 GBK）", field="file")
    return iter(list(csv.reader(io.StringIO(text))))


def write(rows: list[list[str]], header: list[str], fmt: str, sheet: str = "小伙伴") -> bytes:
    if fmt == "CSV":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
