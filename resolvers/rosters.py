"""Rosters (名册): bulk import of orgs and of cadres with their accounts.

The youth import's pattern (resolvers/contacts.py: one upload read by resolvers/spreadsheets.py,
a per-row report, a dry run that writes nothing), made all-or-nothing: every row goes through
the same operation a single create uses (`orgs.create`, `people.create_cadre`: the same checks,
authorization and audit), each in its own savepoint so that a bad row is reported rather than
aborting the file; the whole file runs inside one outer savepoint that is released only when
no row was rejected and this is not a dry run. A dry run is therefore the real import, rolled
back: what it reports is exactly what applying the same file would do."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from authz import Act, Obj
from authz.errors import BadInput, DomainError, NotFound
from models import Cadre, CadreKind, Org, OrgKind, OrgLevel, User
from resolvers import accounts, orgs, people
from resolvers.base import Ctx
from resolvers.contacts import read_upload
from resolvers.spreadsheets import Columns

ORG_HEADERS: Columns = {
    "code": ("组织代码", "code", "组织编码"),
    "zhtj_code": ("智慧团建编码", "智慧团建组织编码", "zhtj_code"),
    "name": ("组织名称", "名称", "name"),
    "parent": ("上级组织代码", "上级代码", "parent_code"),
    "level": ("层级", "level"),
    "kind": ("类型", "kind", "组织类型"),
    "leading": ("领导机关", "是否领导机关", "leading_organ"),
}
CADRE_HEADERS: Columns = {
    "name": ("姓名", "name"),
    "username": ("用户名", "username", "账号"),
    "org": ("组织代码", "org_code", "所在组织代码"),
    "kind": ("类型", "kind", "干部类型"),
    "position": ("职务", "position"),
    "mobile": ("手机号", "手机号码", "mobile"),
    "leading": ("领导机关干部", "是否领导机关干部", "leading_organ_cadre"),
}

LEVELS = {
    **{level.value: level for level in OrgLevel},
    "省": OrgLevel.PROVINCE,
    "市": OrgLevel.CITY,
    "县": OrgLevel.COUNTY,
    "区": OrgLevel.COUNTY,
    "县/区": OrgLevel.COUNTY,
    "基层团委": OrgLevel.GRASSROOTS,
    "团工委": OrgLevel.GRASSROOTS,
    "团总支": OrgLevel.GENERAL_BRANCH,
    "团支部": OrgLevel.BRANCH,
}
KINDS = {
    **{kind.value: kind for kind in OrgKind},
    "地方团委": OrgKind.REGIONAL,
    "团工委": OrgKind.WORK_COMMITTEE,
    "高校团委": OrgKind.UNIVERSITY,
    "中学团委": OrgKind.SCHOOL,
    "企业团委": OrgKind.ENTERPRISE,
    "机关": OrgKind.DEPARTMENT,
    "机关部门团组织": OrgKind.DEPARTMENT,
    "街道、社区、乡镇": OrgKind.COMMUNITY,
    "社区": OrgKind.COMMUNITY,
    "驻外团工委": OrgKind.ABROAD,
    "其他": OrgKind.OTHER,
}
CADRE_KINDS = {
    **{kind.value: kind for kind in CadreKind},
    "专职": CadreKind.FULL_TIME,
    "挂职": CadreKind.SECONDED,
    "兼职": CadreKind.PART_TIME,
}
YES = {"是", "Y", "YES", "TRUE", "1"}
NO = {"", "否", "N", "NO", "FALSE", "0"}


class RosterOutcome(enum.StrEnum):
    CREATED = "CREATED"  # 新建（试运行时为“将新建”）
    UNCHANGED = "UNCHANGED"  # 已存在，不变
    REJECTED = "REJECTED"  # 有误


@dataclass
class RosterRow:
    row: int
    key: str  # the org's code, or the cadre's username
    name: str
    outcome: RosterOutcome = RosterOutcome.CREATED
    reason: str = ""


@dataclass
class RosterReport:
    written: bool
    dry_run: bool
    rows: list[RosterRow] = field(default_factory=list)

    def count(self, outcome: RosterOutcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


# One row's operation: creates and returns True, finds it there already and returns False
# (UNCHANGED, with the reason it sets), or raises a DomainError (REJECTED).
RowOp = Callable[[RosterRow, dict[str, str]], Awaitable[bool]]


async def _run(
    ctx: Ctx, rows: list[tuple[int, dict[str, str]]], key: str, op: RowOp, dry_run: bool
) -> RosterReport:
    report = RosterReport(written=False, dry_run=dry_run)
    outer = await ctx.session.begin_nested()
    for number, cells in rows:
        item = RosterRow(number, cells.get(key, ""), cells.get("name", ""))
        report.rows.append(item)
        try:
            async with ctx.session.begin_nested():
                if not await op(item, cells):
                    item.outcome = RosterOutcome.UNCHANGED
        except DomainError as exc:
            item.outcome, item.reason = RosterOutcome.REJECTED, exc.message
    if dry_run or report.count(RosterOutcome.REJECTED):
        await outer.rollback()
    else:
        await outer.commit()
        report.written = True
    return report


def _choice(value: str, table: dict[str, enum.StrEnum], what: str, field_name: str) -> object:
    found = table.get(value.strip().upper()) or table.get(value.strip())
    if found is None:
        raise BadInput(f"{what}「{value}」无法识别", field=field_name)
    return found


def _yes(value: str, what: str) -> bool:
    text = value.strip().upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise BadInput(f"{what}应填“是”或“否”", field="leading")


async def _org_by_code(ctx: Ctx, code: str) -> Org | None:
    """An org the caller may see, by its code or its 智慧团建 code (nothing about others)."""
    if not code:
        return None
    return await ctx.session.scalar(
        sa.select(Org).where(sa.or_(Org.code == code, Org.zhtj_code == code), ctx.readable(Org))
    )


# ---------------------------------------------------------------- orgs


async def import_orgs(
    ctx: Ctx, *, filename: str, content_base64: str, dry_run: bool
) -> RosterReport:
    """Each row an org under a parent that exists (and the caller may manage) or comes
    earlier in the file. The stable code is the 智慧团建 code when known: a row with only a
    智慧团建编码 takes it as its code too. A row whose code is there already is UNCHANGED, so
    importing the same file again changes nothing."""
    ctx.scope(Act.MANAGE, Obj.ORG)
    rows = await asyncio.to_thread(
        read_upload,
        filename,
        content_base64,
        ctx.settings,
        ORG_HEADERS,
        ("name", "parent", "level"),
    )

    async def one(item: RosterRow, cells: dict[str, str]) -> bool:
        zhtj = cells.get("zhtj_code", "").strip()
        code = cells.get("code", "").strip() or zhtj
        item.key = code
        if not code:
            raise BadInput("组织代码和智慧团建编码至少填一个", field="code")
        if await _org_by_code(ctx, code) or await _org_by_code(ctx, zhtj):
            item.reason = "组织代码已存在，未改动"
            return False
        parent = await _org_by_code(ctx, cells["parent"].strip())
        if parent is None:
            raise NotFound("上级组织代码不存在或无权查看（上级须已存在或在本文件中更早的行）")
        await orgs.create(
            ctx,
            parent_id=parent.id,
            code=code,
            zhtj_code=zhtj or None,
            name=cells["name"],
            level=_choice(cells["level"], LEVELS, "层级", "level"),  # type: ignore[arg-type]
            kind=_choice(cells.get("kind") or "OTHER", KINDS, "类型", "kind"),  # type: ignore[arg-type]
            is_leading_organ=_yes(cells.get("leading", ""), "领导机关"),
        )
        return True

    return await _run(ctx, rows, "code", one, dry_run)


# ---------------------------------------------------------------- cadres


async def import_cadres(
    ctx: Ctx, *, filename: str, content_base64: str, initial_password: str, dry_run: bool
) -> RosterReport:
    """Each row a cadre with a login account at an org (by code) the caller may manage,
    through `people.create_cadre`. Every new account starts with `initial_password` (hashed
    once for the file); with a mobile number the cadre can also log in by SMS code. A row
    whose username belongs to a cadre the caller can see already is UNCHANGED."""
    ctx.scope(Act.MANAGE, Obj.CADRE)
    password_hash = await accounts.hash_password(ctx, initial_password)
    rows = await asyncio.to_thread(
        read_upload,
        filename,
        content_base64,
        ctx.settings,
        CADRE_HEADERS,
        ("name", "username", "org", "kind"),
    )

    async def one(item: RosterRow, cells: dict[str, str]) -> bool:
        username = cells["username"].strip().lower()
        item.key = username
        existing = await ctx.session.scalar(
            sa.select(Cadre.id)
            .join(User, User.id == Cadre.user_id)
            .where(User.username == username, ctx.readable(Cadre))
        )
        if existing is not None:
            item.reason = "该用户名的团干部已存在，未改动"
            return False
        org = await _org_by_code(ctx, cells["org"].strip())
        if org is None:
            raise NotFound("组织代码不存在或无权查看")
        await people.create_cadre(
            ctx,
            org_id=org.id,
            name=cells["name"],
            kind=_choice(cells["kind"], CADRE_KINDS, "类型", "kind"),  # type: ignore[arg-type]
            username=username,
            password="",
            password_hash=password_hash,
            position=cells.get("position", ""),
            is_leading_organ_cadre=_yes(cells.get("leading", ""), "领导机关干部"),
            mobile=cells.get("mobile") or None,
        )
        return True

    return await _run(ctx, rows, "username", one, dry_run)
