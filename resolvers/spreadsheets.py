"""Reading uploaded lists (youth, org and cadre rosters) from .xlsx (openpyxl) and .csv;
writing every export in both."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from authz.errors import BadInput

# A list's columns: key → the header texts that name it (first one shown in errors), and
# which keys are required.
Columns = dict[str, tuple[str, ...]]
HEADERS: Columns = {
    "name": ("姓名", "name", "名字"),
    "mobile": ("手机号", "手机号码", "手机", "mobile", "phone", "电话"),
    "industry": ("行业", "industry", "所在行业"),
    "membership": ("政治面貌", "身份", "membership", "是否团员"),
}
REQUIRED = ("name", "mobile")
# Reading stops at these, whatever the file claims: a list needs three short columns.
MAX_COLUMNS = 50
MAX_CELL_CHARS = 1_000


def read_rows(
    filename: str,
    content: bytes,
    max_rows: int,
    max_unpacked_bytes: int = 50_000_000,
    headers: Columns = HEADERS,
    required: tuple[str, ...] = REQUIRED,
) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {key: text} for the `headers` found) for each non-empty data
    row; a missing `required` column refuses the file (the youth list by default).

    Blocking work: call it in a thread. Every row read counts toward `max_rows`, empty
    ones too (a file of 400k empty rows is refused at row max_rows + 2, not read whole)."""
    lower = filename.lower()
    raw: Iterator[Sequence[object]]
    if lower.endswith(".xlsx"):
        raw = _xlsx(content, max_unpacked_bytes)
    elif lower.endswith(".csv"):
        raw = _csv(content)
    else:
        raise BadInput("只支持 .xlsx 和 .csv 文件", field="filename")
    try:
        header = next(raw)
    except StopIteration:
        raise BadInput("文件是空的", field="file") from None
    columns = _columns(header, headers, required)
    rows = []
    for number, values in enumerate(raw, start=2):
        if number > max_rows + 1:
            raise BadInput(f"一次最多导入 {max_rows} 行（空行也计算在内）", field="file")
        cells = [_cell(v, number) for v in values[:MAX_COLUMNS]]
        if not any(cells):
            continue
        rows.append(
            (number, {key: cells[i] if i < len(cells) else "" for key, i in columns.items()})
        )
    return rows


def _cell(value: object, number: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise BadInput(f"第 {number} 行有超过 {MAX_CELL_CHARS} 个字符的单元格", field="file")
    return text


def _columns(
    header: Iterable[object], headers: Columns, required: tuple[str, ...]
) -> dict[str, int]:
    names = [("" if h is None else str(h)).strip().lower() for h in list(header)[:MAX_COLUMNS]]
    found = {}
    for key, aliases in headers.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    missing = [headers[k][0] for k in required if k not in found]
    if missing:
        shown = "、".join(aliases[0] for aliases in headers.values())
        raise BadInput(
            f"缺少必需的列：{'、'.join(missing)}（第一行应为表头：{shown}）", field="file"
        )
    return found


def _xlsx(content: bytes, max_unpacked_bytes: int) -> Iterator[tuple[object, ...]]:
    """Rows streamed from the first sheet (read-only mode parses as it goes). The sizes the
    archive declares are checked first; zipfile never inflates an entry past its declared
    size, so a zip bomb stops at the cap."""
    unreadable = BadInput("无法读取 .xlsx 文件，文件可能已损坏", field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable from None
    if unpacked > max_unpacked_bytes:
        raise BadInput(
            f"文件解压后超过 {max_unpacked_bytes // 1_000_000} MB，请拆分后再导入", field="file"
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The declared dimension is the writer's claim: some tools get it wrong (rows past
        # it would be dropped silently), and the caps stop reading anyway.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except BadInput:
        raise
    except Exception:
        raise unreadable from None


def _csv(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInput("无法识别 .csv 文件的编码（请使用 UTF-8 或 GBK）", field="file")
    reader = csv.reader(io.StringIO(text))
    try:
        yield from reader
    except csv.Error:  # a field over the module's limit, a NUL byte …
        raise BadInput(
            f"第 {reader.line_num} 行无法读取（单元格过长或含有非法字符）", field="file"
        ) from None


# OWASP "CSV injection": a spreadsheet reads a cell beginning with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell as inert text: a leading single quote keeps a would-be formula (`=HYPERLINK(…)`,
    `=1+1`) from running when a leader opens the file. Every export goes through here."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write(
    rows: Iterable[Sequence[object]], header: Sequence[str], fmt: str, sheet: str = "小伙伴"
) -> bytes:
    """CSV or XLSX of text cells only (data type 's'), each neutralised."""
    lines = ([neutralise(v) for v in row] for row in itertools.chain([header], rows))
    if fmt == "CSV":
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_ALL).writerows(lines)
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for line in lines:
        ws.append([_text_cell(ws, v) for v in line])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def write_base64(
    rows: Iterable[Sequence[object]], header: Sequence[str], fmt: str, sheet: str = "小伙伴"
) -> str:
    """`write`, base64-encoded, in a worker thread: a 50,000-row workbook takes seconds of
    CPU, and the event loop must go on answering other requests meanwhile."""

    def work() -> str:
        return base64.b64encode(write(rows, header, fmt, sheet)).decode()

    return await asyncio.to_thread(work)


def _text_cell(ws: Any, value: str) -> Cell:
    # Control characters an .xlsx cannot hold (older rows, direct loads) are dropped rather
    # than failing the whole export.
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # never a formula or a number guessed from the text
    return cell
