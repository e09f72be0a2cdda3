"""Exports as downloads: a short-lived, single-use signed link next to the base64 content,
fetched over HTTP with the right type and a Chinese file name (RFC 6266), and audited."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from models import AuditEntry, Download
from tests.helpers import add_user, gid, league_today

EXPORT = """query($f: ExportFormat!) { exportYouth(format: $f) {
  filename contentBase64 rows downloadUrl downloadExpiresAt } }"""


def filename_of(disposition: str) -> tuple[str, str]:
    """(the ASCII fallback, the UTF-8 name) of an RFC 6266 Content-Disposition."""
    parts = dict(p.strip().split("=", 1) for p in disposition.split(";")[1:] if "=" in p)
    assert disposition.startswith("attachment;")
    assert parts["filename*"].startswith("UTF-8''")
    return parts["filename"].strip('"'), unquote(parts["filename*"][len("UTF-8''") :])


async def test_a_youth_list_downloads_once_as_a_real_spreadsheet(world) -> None:
    api = world.api
    r = (await api.gql(EXPORT, {"f": "XLSX"}, token=world.token)).data["exportYouth"]
    assert r["downloadUrl"].startswith("/files/") and r["rows"] == 3
    expires = datetime.fromisoformat(r["downloadExpiresAt"])
    assert datetime.now(UTC) < expires <= datetime.now(UTC) + timedelta(minutes=11)

    got = await api.client.get(r["downloadUrl"])  # no Authorization header: the link is the key
    assert got.status_code == 200
    assert got.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ascii_name, name = filename_of(got.headers["content-disposition"])
    assert name == r["filename"] and name.startswith("小伙伴名单") and name.endswith(".xlsx")
    assert ascii_name.isascii() and ascii_name.endswith(".xlsx")
    assert got.headers["cache-control"] == "no-store"
    assert got.content == base64.b64decode(r["contentBase64"])
    sheet = load_workbook(io.BytesIO(got.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "手机号", "行业") and len(rows) == 1 + 3

    again = await api.client.get(r["downloadUrl"])
    assert again.status_code == 410
    error = again.json()["errors"][0]
    assert error["extensions"]["code"] == "GONE"
    assert error["extensions"]["reason"] == "DOWNLOAD_USED" and "使用过" in error["message"]
    async with api.services.sessionmaker() as s:
        actions = list(
            await s.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.entity_type == "Download")
                .order_by(AuditEntry.id)
            )
        )
        kept = await s.scalar(sa.select(Download))
    assert actions == ["download.offer", "download.fetch"]
    assert kept.used_at is not None and kept.content is None  # the personal data is gone


async def test_a_csv_list_and_a_bulletin_page_download(world) -> None:
    api = world.api
    r = (await api.gql(EXPORT, {"f": "CSV"}, token=world.token)).data["exportYouth"]
    got = await api.client.get(r["downloadUrl"])
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["姓名", "手机号", "行业"] and len(table) == 4

    province = await add_user(api.services, "prov", org=world.tree["P"], roles=("province_admin",))
    t = await api.token_for(province.id)
    today = league_today(api.services)
    bulletin = (
        await api.gql(
            "mutation($o: ID!, $y: Int!, $q: Int!) { generateBulletin(orgId: $o, year: $y, quarter: $q) { id } }",
            {"o": gid("Org", world.tree["A"].id), "y": today.year, "q": (today.month - 1) // 3 + 1},
            token=t,
        )
    ).data["generateBulletin"]["id"]
    formats = (
        ("HTML", "text/html; charset=utf-8"),
        ("XLSX", "application/vnd"),
        ("PDF", "application/pdf"),
    )
    for fmt, content_type in formats:
        b = (
            await api.gql(
                "query($id: ID!, $f: BulletinFormat!) { exportBulletin(id: $id, format: $f) { filename downloadUrl } }",
                {"id": bulletin, "f": fmt},
                token=t,
            )
        ).data["exportBulletin"]
        page = await api.client.get(b["downloadUrl"])
        assert page.status_code == 200 and page.headers["content-type"].startswith(content_type)
        assert filename_of(page.headers["content-disposition"])[1] == b["filename"]
        assert "季度" in b["filename"]
        if fmt == "HTML":
            assert "甲一县" in page.text
        elif fmt == "PDF":  # a PDF that parses, its Chinese text readable (CID font)
            assert page.content.startswith(b"%PDF-") and b["filename"].endswith(".pdf")
            pdf = PdfReader(io.BytesIO(page.content))
            text = "".join(p.extract_text() for p in pdf.pages)
            assert {"甲一县", "甲二县", "五个一完成率"} <= {w for w in text.split()}
            assert "季度" in (pdf.metadata.title or "")
        else:
            names = [
                row[0]
                for row in load_workbook(io.BytesIO(page.content)).active.iter_rows(
                    values_only=True
                )
            ]
            assert "甲一县" in names


async def test_expired_altered_and_foreign_links_are_refused(world) -> None:
    api = world.api
    r = (await api.gql(EXPORT, {"f": "CSV"}, token=world.token)).data["exportYouth"]
    async with api.services.sessionmaker() as s:  # as if its ten minutes had passed
        await s.execute(
            sa.update(Download).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await s.commit()
    expired = await api.client.get(r["downloadUrl"])
    assert expired.status_code == 410
    assert expired.json()["errors"][0]["extensions"] | {"requestId": ""} == {
        "code": "GONE",
        "reason": "DOWNLOAD_EXPIRED",
        "requestId": "",
    }
    fresh = (await api.gql(EXPORT, {"f": "CSV"}, token=world.token)).data["exportYouth"]
    token = fresh["downloadUrl"].removeprefix("/files/")
    head, payload, signature = token.split(".")
    forged_payload = base64.urlsafe_b64encode(
        b'{"dl":1,"exp":9999999999,"aud":"youthlink:download"}'
    )
    for bad in (
        f"{head}.{payload}.{signature[:-2]}xx",  # altered signature
        f"{head}.{forged_payload.decode().rstrip('=')}.{signature}",  # another row, same signature
        world.token,  # an access token is not a download link
        "nothing",
    ):
        refused = await api.client.get(f"/files/{bad}")
        assert refused.status_code == 404, bad
        assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await api.client.get(fresh["downloadUrl"])).status_code == 200  # still good once
