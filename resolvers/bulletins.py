"""季度通报: an org's quarterly bulletin over its children. Drafts can be regenerated; once
published it never changes (a database trigger enforces it). Exports: .xlsx, a printable
HTML page, and a PDF (reportlab, see `_pdf`)."""

from __future__ import annotations

import asyncio
import base64
import html
import io
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj
from authz.errors import Conflict
from models import Bulletin, BulletinLine, Org
from resolvers import orgs, spreadsheets
from resolvers.base import Ctx
from resolvers.figures import Figures
from resolvers.pagination import Page
from resolvers.quarters import quarter_label, quarter_period

COLUMNS = [  # (key, heading)
    ("name", "组织"),
    ("cadres", "团干部数"),
    ("active_cadres", "活跃团干部"),
    ("points", "积分"),
    ("points_per_cadre", "人均积分"),
    ("youth_in_contact", "联系小伙伴"),
    ("five_ones_done", "完成五个一人数"),
    ("five_ones_rate", "五个一完成率"),
    ("satisfaction", "满意度"),
    ("spot_check_pass_rate", "抽查核实率"),
    ("flags", "可疑标记"),
]

# What only bulletins show; the shared figures come from `resolvers.figures`. A child is
# never the province, so its subtree's ledger entries all carry its city (resolvers.orgs
# `subtree_city`): the city's range of ix_point_entries_city_day, not the country's GiST.
_OWN_FIGURES = """
SELECT ch.id AS org_id, ch.name,
  (SELECT coalesce(sum(p.points), 0) FROM point_entries p WHERE p.org_path <@ ch.path
     AND p.city_id = ch.city_id AND p.day BETWEEN :first_day AND :last_day) AS points,
  (SELECT round(avg(r.score), 2) FROM ratings r WHERE r.org_path <@ ch.path AND r.period = :label) AS satisfaction,
  (SELECT round(count(*) FILTER (WHERE i.confirmed)::numeric / nullif(count(*), 0), 4)
     FROM spot_check_items i JOIN work_logs l ON l.id = i.log_id
     WHERE l.org_path <@ ch.path AND i.reached AND i.recorded_at >= :start AND i.recorded_at < :end) AS spot_check_pass_rate,
  (SELECT count(*) FROM flags f WHERE f.org_path <@ ch.path AND f.created_at >= :start AND f.created_at < :end) AS flags
FROM orgs ch WHERE ch.id = ANY(:ids) ORDER BY ch.id
"""


async def compute(ctx: Ctx, org_id: int, year: int, quarter: int) -> list[dict[str, Any]]:
    """One row per active child org. Generating is authorized at the org: the whole subtree
    counts."""
    period = quarter_period(year, quarter)
    figures = Figures(ctx.session, ctx.settings.timezone)
    ids = (await figures.children([org_id]))[org_id]
    start, end = period.bounds(ctx.settings.timezone)
    rows = (
        (
            await ctx.session.execute(
                sa.text(_OWN_FIGURES),
                {
                    "ids": ids,
                    "label": quarter_label(year, quarter),
                    "first_day": period.start,
                    "last_day": period.end,
                    "start": start,
                    "end": end,
                },
            )
        )
        .mappings()
        .all()
    )
    head = await figures.headline(ids, period)
    five = await figures.five_ones(ids, period)
    out = []
    for r in rows:
        h, f = head[r["org_id"]], five[r["org_id"]]
        own = {k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in r.items()}
        out.append(
            {
                **own,
                "cadres": h.cadres,
                "active_cadres": h.active_cadres,
                "youth_in_contact": h.youth_in_contact,
                "points_per_cadre": round(r["points"] / h.cadres, 2) if h.cadres else 0.0,
                "five_ones_done": f.done,
                "five_ones_rate": round(f.done / f.subjects, 4) if f.subjects else 0.0,
            }
        )
    return out


async def generate(ctx: Ctx, org_id: int, year: int, quarter: int) -> Bulletin:
    """Make (or remake) the draft; a published bulletin is final."""
    org = await orgs.get(ctx, org_id)
    ctx.authorize(Act.APPROVE, Obj.WORK, org.path)
    rows = await compute(ctx, org.id, year, quarter)
    b = await ctx.session.scalar(
        sa.select(Bulletin)
        .where(Bulletin.org_id == org.id, Bulletin.year == year, Bulletin.quarter == quarter)
        .with_for_update()
    )
    if b is not None and b.published:
        raise Conflict("该季度通报已发布，不能更改")
    if b is None:
        b = Bulletin(
            year=year,
            quarter=quarter,
            rows=rows,
            published=False,
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
        )
        ctx.session.add(b)
    else:
        b.rows = rows
    await ctx.session.flush()
    await ctx.audit(
        "bulletin.generate", "Bulletin", b.id, org.path, after={"year": year, "quarter": quarter}
    )
    return b


async def publish(ctx: Ctx, bulletin_id: int) -> Bulletin:
    b = await ctx.load(Bulletin, bulletin_id, Act.APPROVE, Obj.WORK, for_update=True)
    if b.published:
        raise Conflict("该季度通报已发布")
    b.published, b.published_at = True, datetime.now(UTC)
    await _copy_lines(ctx, b)
    await ctx.session.flush()
    await ctx.audit("bulletin.publish", "Bulletin", b.id, b.org_path, after={"published": True})
    return b


async def _copy_lines(ctx: Ctx, b: Bulletin) -> None:
    """Each child's line, as published, tenant-owned by the child: the org a line is about
    reads it (results flow down), its siblings do not."""
    by_id = {int(r["org_id"]): r for r in b.rows}
    if not by_id:
        return
    found = await ctx.session.execute(
        sa.select(Org.id, Org.path, Org.city_id).where(Org.id.in_(list(by_id)))
    )
    ctx.session.add_all(
        BulletinLine(
            bulletin_id=b.id,
            year=b.year,
            quarter=b.quarter,
            published_at=b.published_at,
            figures=by_id[i],
            org_id=i,
            org_path=path,
            city_id=city_id,
        )
        for i, path, city_id in found
    )


async def list_lines(
    ctx: Ctx,
    *,
    under: int | None,
    year: int | None,
    quarter: int | None,
    first: int | None,
    after: str | None,
) -> Page[BulletinLine]:
    """Published bulletin lines the caller may read: about their own org (and below), or in
    bulletins they see whole."""
    stmt = sa.select(BulletinLine).where(ctx.readable(BulletinLine))
    stmt = await orgs.within(ctx, stmt, BulletinLine.org_path, under)
    if year is not None:
        stmt = stmt.where(BulletinLine.year == year)
    if quarter is not None:
        stmt = stmt.where(BulletinLine.quarter == quarter)
    return await ctx.page(stmt, BulletinLine.id, first, after)


async def get(ctx: Ctx, bulletin_id: int) -> Bulletin:
    b = await ctx.load(Bulletin, bulletin_id, Act.VIEW, Obj.WORK)
    return b


async def list_bulletins(
    ctx: Ctx, *, under: int | None, year: int | None, first: int | None, after: str | None
) -> Page[Bulletin]:
    ctx.scope(Act.VIEW, Obj.WORK)
    stmt = sa.select(Bulletin).where(ctx.readable(Bulletin))
    stmt = await orgs.within(ctx, stmt, Bulletin.org_path, under)
    if year is not None:
        stmt = stmt.where(Bulletin.year == year)
    return await ctx.page(stmt, Bulletin.id, first, after)


async def export(ctx: Ctx, bulletin_id: int, fmt: str) -> tuple[str, str]:
    """(filename, base64 content): XLSX, a PDF, or a self-contained printable HTML page."""
    b = await get(ctx, bulletin_id)
    org = await orgs.load(ctx, b.org_id)
    title = f"{org.name}{b.year}年第{b.quarter}季度“1+100”工作通报" + (
        "" if b.published else "（草稿）"
    )
    cells = [[_cell(r.get(k)) for k, _ in COLUMNS] for r in b.rows]
    if fmt == "XLSX":
        content = await spreadsheets.write_base64(
            cells, [h for _, h in COLUMNS], "XLSX", sheet="通报"
        )
        return f"{title}.xlsx", content
    if fmt == "PDF":
        # reportlab lays the table out in pure Python: in a worker thread, off the event loop.
        def pdf() -> str:
            return base64.b64encode(_pdf(title, cells, b.published_at)).decode()

        return f"{title}.pdf", await asyncio.to_thread(pdf)
    # The printable page is built off the event loop too.
    page = await asyncio.to_thread(_printable, title, cells, b.published_at)
    return f"{title}.html", page


def _printable(title: str, cells: list[list[str]], published_at: datetime | None) -> str:
    """A self-contained HTML page of the bulletin, base64-encoded."""
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells
    )
    issued = f"<p>发布时间：{published_at:%Y-%m-%d %H:%M}</p>" if published_at else ""
    page = (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2cm}table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #444;padding:4px 6px;text-align:center}th{background:#eee}"
        "@media print{body{margin:1cm}}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"{issued}</body></html>"
    )
    return base64.b64encode(page.encode()).decode()


def _pdf(title: str, cells: list[list[str]], published_at: datetime | None) -> bytes:
    """A landscape A4 PDF of the bulletin's table. reportlab draws the Chinese with the
    Adobe CID font STSong-Light, which every PDF reader carries (Adobe-GB1), so nothing is
    embedded and no font file ships with the app."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    heading = ParagraphStyle("title", parent=body, fontSize=15, leading=20, alignment=1)
    grid = [[Paragraph(html.escape(h), body) for _, h in COLUMNS]]
    grid += [[Paragraph(html.escape(c), body) for c in row] for row in cells]
    table = Table(grid, colWidths=[5 * cm] + [2.2 * cm] * (len(COLUMNS) - 1), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [Paragraph(html.escape(title), heading), Spacer(1, 0.4 * cm), table]
    if published_at:
        story += [Spacer(1, 0.4 * cm), Paragraph(f"发布时间：{published_at:%Y-%m-%d %H:%M}", body)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=title,
        author="共青团“1+100”数据平台",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    doc.build(story)
    return out.getvalue()


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)
