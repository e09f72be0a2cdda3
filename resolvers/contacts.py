"""Youth lists (联系): a cadre invites, the youth accepts from their phone and may leave at
any time (§六: no forcing). Imports, batch industry tags and exports."""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from app.records import BoundStatement
from authz import (
    BY_OWNERSHIP,
    Act,
    Obj,
    require_cadre,
    require_youth,
)
from authz.errors import BadInput, Conflict, NotFound
from models import Cadre, Contact, ContactStatus, Membership, Org, PointSource, Youth
from resolvers import orgs, people, points, spreadsheets
from resolvers.base import Ctx, clean_mobile, clean_text
from resolvers.listing import Listing
from resolvers.pagination import Page

if TYPE_CHECKING:
    from app.settings import Settings

# An open link, pending or accepted: one per pair, and what a person's list shows. Rights
# (the whole number, guarded fields, "my youth") come only with ACTIVE: an invitation is a
# question to the youth, not a relationship, and nothing is left once a link ends.
LIVE = (ContactStatus.INVITED, ContactStatus.ACTIVE)


async def my_cadre(ctx: Ctx) -> Cadre:
    cadre = await ctx.session.get(Cadre, require_cadre(ctx.principal))
    assert cadre is not None
    return cadre


def _snapshot(c: Contact) -> dict[str, Any]:
    return {"cadre_id": c.cadre_id, "youth_id": c.youth_id, "status": c.status.value}


async def _live_contact(ctx: Ctx, cadre_id: int, youth_id: int) -> Contact | None:
    return await ctx.session.scalar(
        sa.select(Contact).where(
            Contact.cadre_id == cadre_id, Contact.youth_id == youth_id, Contact.status.in_(LIVE)
        )
    )


async def _invite(ctx: Ctx, cadre: Cadre, youth: Youth) -> Contact:
    contact = Contact(
        cadre_id=cadre.id,
        youth_id=youth.id,
        status=ContactStatus.INVITED,
        org_id=cadre.org_id,
        org_path=cadre.org_path,
        city_id=cadre.city_id,
    )
    ctx.session.add(contact)
    await ctx.flush_or_conflict("该小伙伴已在你的名单中")
    await ctx.audit(
        "contact.invite", "Contact", contact.id, cadre.org_path, after=_snapshot(contact)
    )
    return contact


async def add_to_my_list(ctx: Ctx, *, name: str, mobile: str, industry: str = "") -> Contact:
    """Invite a youth by mobile, registering them at the caller's org if the number is new.
    The answer is the same whether or not the number was registered (every input checked the
    same way, the same INVITED link); who the youth is shows only once they accept, or to a
    caller who may view them anyway (schema: Contact.youth goes through their visibility)."""
    cadre = await my_cadre(ctx)
    mobile = clean_mobile(mobile)
    name = clean_text(name, "姓名", max_len=50)
    industry = clean_text(industry, "行业", max_len=50, required=False)
    youth = await _find_or_register(ctx, cadre, name=name, mobile=mobile, industry=industry)
    if await _live_contact(ctx, cadre.id, youth.id):
        raise Conflict("该小伙伴已在你的名单中")  # the caller's own link: nothing new to them
    return await _invite(ctx, cadre, youth)


async def _find_or_register(
    ctx: Ctx,
    cadre: Cadre,
    *,
    name: str,
    mobile: str,
    industry: str,
    membership: Membership | None = None,
) -> Youth:
    """The youth with this mobile, or a new one at the cadre's org. A concurrent
    registration of the same number is found again, never reported as CONFLICT."""
    found = sa.select(Youth).where(Youth.mobile == mobile)
    youth = await ctx.session.scalar(found)
    if youth is not None:
        return youth
    # The mobile is unique in youth_keys (youth is partitioned by city, migration 0027),
    # written by youth's insert trigger: a concurrent registration's number fails there,
    # and only this savepoint is undone.
    try:
        async with ctx.session.begin_nested():
            await ctx.session.execute(
                sa.insert(Youth).values(
                    name=name,
                    mobile=mobile,
                    industry=industry,
                    membership=membership,
                    org_id=cadre.org_id,
                    org_path=cadre.org_path,
                    city_id=cadre.city_id,
                )
            )
    except IntegrityError:
        pass
    youth = await ctx.session.scalar(found)
    assert youth is not None
    return youth


async def _youth_contact(ctx: Ctx, contact_id: int) -> Contact:
    youth_id = require_youth(ctx.principal)
    contact = await ctx.session.get(Contact, contact_id, with_for_update=True)
    if contact is None or contact.youth_id != youth_id:
        raise NotFound()  # someone else's link: not even its existence
    return contact


async def accept(ctx: Ctx, contact_id: int) -> Contact:
    contact = await _youth_contact(ctx, contact_id)
    if contact.status != ContactStatus.INVITED:
        raise Conflict("该邀请已处理")
    before = _snapshot(contact)
    contact.status, contact.accepted_at = ContactStatus.ACTIVE, datetime.now(UTC)
    await ctx.session.flush()
    await ctx.audit(
        "contact.accept", "Contact", contact.id, contact.org_path, before, _snapshot(contact)
    )
    cadre = await ctx.session.get(Cadre, contact.cadre_id)
    assert cadre is not None
    await points.award(ctx, cadre, PointSource.CONTACT_ACCEPTED, contact.id)
    return contact


async def leave(ctx: Ctx, contact_id: int, *, by_youth: bool) -> Contact:
    """Either side may end a link at any time."""
    if by_youth:
        contact = await _youth_contact(ctx, contact_id)
    else:
        cadre_id = require_cadre(ctx.principal)
        found = await ctx.session.get(Contact, contact_id, with_for_update=True)
        if found is None or found.cadre_id != cadre_id:
            raise NotFound()
        contact = found
    if contact.status == ContactStatus.LEFT:
        raise Conflict("该联系已结束")
    before = _snapshot(contact)
    contact.status, contact.left_at = ContactStatus.LEFT, datetime.now(UTC)
    contact.left_by = "YOUTH" if by_youth else "CADRE"
    await ctx.session.flush()
    await ctx.audit(
        "contact.leave", "Contact", contact.id, contact.org_path, before, _snapshot(contact)
    )
    return contact


async def my_contacts(
    ctx: Ctx,
    *,
    status: ContactStatus | None,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page[Contact]:
    """The caller's own links: a cadre's list, or a youth's cadres."""
    if ctx.principal.cadre_id is not None:
        stmt = sa.select(Contact).where(*_callers_links(ctx))
    else:
        stmt = sa.select(Contact).where(Contact.youth_id == require_youth(ctx.principal))
    stmt = stmt.where(Contact.status == status) if status else stmt.where(Contact.status.in_(LIVE))
    if search and search.strip():
        # Only names the caller is shown (as `shows_youth`): no oracle over invitations.
        shown = sa.or_(
            Contact.status == ContactStatus.ACTIVE,
            Contact.youth_id == ctx.principal.youth_id,
            ctx.scope(Act.VIEW, Obj.YOUTH, required=False).predicate(Youth.org_path),
        )
        stmt = stmt.join(Youth, Youth.id == Contact.youth_id).where(
            Youth.name.icontains(search.strip(), autoescape=True), shown
        )
    return await ctx.page(stmt, Contact.id, first, after)


async def list_contacts(
    ctx: Ctx,
    *,
    under: int | None,
    status: ContactStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Contact]:
    """Leaders: the links of the cadres in their subtrees."""
    ctx.scope(Act.VIEW, Obj.WORK)
    where = {"status": status}
    return await CONTACTS.page(ctx, where, under=under, first=first, after=after)


CONTACTS = Listing(Contact, Contact.id, Contact.org_path, {"status": lambda p: Contact.status == p})


async def contact_counts(ctx: Ctx, cadre_id: int) -> dict[str, int]:
    rows = await ctx.session.execute(
        sa.select(Contact.status, sa.func.count())
        .where(Contact.cadre_id == cadre_id)
        .group_by(Contact.status)
    )
    return {s.value: n for s, n in rows}


async def on_my_list(ctx: Ctx, youth_id: int) -> bool:
    """Is this youth on the caller's own list (their cadre sees the whole number)?"""
    return await ctx.loader(_on_my_list).load(youth_id)


async def read_my_list(ctx: Ctx, youth_ids: Sequence[int]) -> None:
    """`on_my_list` for a page's youth at once, before their fields are completed: each
    guarded field then answers without waiting (`known_on_my_list`)."""
    if ctx.principal.cadre_id is not None and youth_ids:
        await ctx.loader(_on_my_list).load_many(list(youth_ids))


def known_on_my_list(ctx: Ctx, youth_id: int) -> bool | None:
    """`on_my_list` if this request has read it already, else None."""
    known = ctx.loader(_on_my_list).cache_map.get(youth_id)
    if known is None or not known.done() or known.cancelled() or known.exception():
        return None
    return bool(known.result())


async def _on_my_list(ctx: Ctx, youth_ids: Sequence[int]) -> list[bool]:
    mine = await own_contact_youth_ids(ctx, list(youth_ids))
    return [y in mine for y in youth_ids]


def _callers_links(ctx: Ctx) -> tuple[sa.ColumnElement[bool], ...]:
    """The calling cadre's links: all in the cadre's city (their org's), so the planner reads
    that city's partition of contacts alone (migration 0027)."""
    return (
        Contact.cadre_id == ctx.principal.cadre_id,
        Contact.city_id == ctx.principal.cadre_city_id,
    )


async def own_contact_youth_ids(ctx: Ctx, youth_ids: list[int]) -> set[int]:
    """Of these youth, those with an ACTIVE link to the caller (their own youth)."""
    cadre, city = ctx.principal.cadre_id, ctx.principal.cadre_city_id
    if cadre is None or not youth_ids:
        return set()
    statement = _own_youth(city is not None, ctx.session.get_bind().dialect)
    rows = await statement.fetch(ctx.session, {"cadre": cadre, "city": city, "ids": youth_ids})
    return {r[0] for r in rows}


@cache
def _own_youth(in_city: bool, dialect: Dialect) -> BoundStatement:
    """`own_contact_youth_ids`' statement, built once (the ids as one array: the same text
    for any number of them), on the session's connection: asked for each page of youth
    with whole numbers. The links of `_callers_links`: a cadre with no city has theirs
    with none."""
    city = Contact.city_id == sa.bindparam("city") if in_city else Contact.city_id.is_(None)
    ids = sa.bindparam("ids", type_=postgresql.ARRAY(sa.BigInteger))
    return BoundStatement(
        sa.select(Contact.youth_id).where(
            Contact.cadre_id == sa.bindparam("cadre"),
            city,
            Contact.youth_id == sa.any_(ids),
            Contact.status == ContactStatus.ACTIVE,
        ),
        dialect,
    )


async def set_industry(ctx: Ctx, youth_ids: list[int], industry: str) -> list[Youth]:
    """Batch tag: every youth must be on the caller's list or in a subtree they manage
    youth in; otherwise nothing changes."""
    industry = clean_text(industry, "行业", max_len=50)
    ids = list(dict.fromkeys(youth_ids))
    if not ids or len(ids) > 500:
        raise BadInput("一次可修改 1–500 位小伙伴", field="youthIds")
    rows = list(
        (
            await ctx.session.scalars(sa.select(Youth).where(Youth.id.in_(ids)).with_for_update())
        ).all()
    )
    own = await own_contact_youth_ids(ctx, ids)
    # Each youth's own reason: their cadre's link, else the grant that decides (marked
    # when it is a delegated one).
    allowed = {
        y.id: None if y.id in own else ctx.decide(Act.MANAGE, Obj.YOUTH, y.org_path) for y in rows
    }
    if len(ids) != sum(1 for d in allowed.values() if d is None or d.allowed):
        raise NotFound("部分小伙伴不存在或不在你的名单中，未作任何修改")
    for y in rows:
        if y.industry != industry:
            await ctx.audit(
                "youth.industry",
                "Youth",
                y.id,
                y.org_path,
                {"industry": y.industry},
                {"industry": industry},
                decision=allowed[y.id] or BY_OWNERSHIP,
            )
            y.industry = industry
    await ctx.session.flush()
    return sorted(rows, key=lambda y: ids.index(y.id))


# ---------------------------------------------------------------- import


class RowOutcome(enum.StrEnum):
    # Invited: a new number, or one registered where the importer may not view youth. The
    # two are one outcome so that an import is no oracle over who is registered elsewhere.
    INVITED = "INVITED"
    MATCHED = "MATCHED"  # 按手机号匹配到你有权查看的小伙伴，已邀请
    UNCHANGED = "UNCHANGED"  # 已在名单中（或对方已退出），不变
    REJECTED = "REJECTED"  # 有误，未导入


@dataclass
class ImportRow:
    row: int
    name: str
    mobile: str
    outcome: RowOutcome
    reason: str = ""


@dataclass
class ImportReport:
    written: bool
    rows: list[ImportRow] = field(default_factory=list)

    def count(self, outcome: RowOutcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


def decode_file(content_base64: str, max_bytes: int) -> bytes:
    too_big = BadInput(f"文件不能超过 {max_bytes // 1_000_000} MB", field="contentBase64")
    if len(content_base64) > (max_bytes + 2) // 3 * 4 + 4:
        raise too_big  # refused before decoding anything
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("文件内容不是有效的 Base64", field="contentBase64") from None
    if len(content) > max_bytes:
        raise too_big
    return content


def read_upload(
    filename: str,
    content_base64: str,
    settings: Settings,
    headers: spreadsheets.Columns = spreadsheets.HEADERS,
    required: tuple[str, ...] = spreadsheets.REQUIRED,
) -> list[tuple[int, dict[str, str]]]:
    """Decode and parse an upload, with every cap applied while reading. Blocking: run it
    in a thread so that the event loop keeps serving others meanwhile."""
    content = decode_file(content_base64, settings.import_max_bytes)
    return spreadsheets.read_rows(
        filename,
        content,
        settings.import_max_rows,
        settings.import_max_unpacked_bytes,
        headers,
        required,
    )


async def import_youth(
    ctx: Ctx,
    *,
    filename: str,
    content_base64: str,
    import_valid_rows: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Each row: invited, matched (a youth the caller may view), unchanged, or rejected with
    the reason. A file with a rejected row writes nothing unless `import_valid_rows`; a
    `dry_run` writes nothing and reports what the same file would do (a client's preview);
    the whole import is one transaction. Idempotent."""
    cadre = await my_cadre(ctx)
    rows = await asyncio.to_thread(read_upload, filename, content_base64, ctx.settings)
    report = ImportReport(written=False)
    plan: list[tuple[ImportRow, dict[str, str]]] = []
    seen: set[str] = set()
    for number, cells in rows:
        item = ImportRow(number, cells.get("name", ""), cells.get("mobile", ""), RowOutcome.INVITED)
        try:
            cells["name"] = clean_text(cells.get("name"), "姓名", max_len=50)
            cells["mobile"] = item.mobile = clean_mobile(cells.get("mobile", ""))
            cells["industry"] = clean_text(
                cells.get("industry"), "行业", max_len=50, required=False
            )
            people.parse_membership(cells.get("membership"))
        except BadInput as exc:
            item.outcome, item.reason = RowOutcome.REJECTED, exc.message
        if item.outcome != RowOutcome.REJECTED and item.mobile in seen:
            item.outcome, item.reason = RowOutcome.REJECTED, "手机号在文件中重复"
        seen.add(item.mobile)
        plan.append((item, cells))
        report.rows.append(item)
    await _classify(ctx, cadre, plan)
    if dry_run or (report.count(RowOutcome.REJECTED) and not import_valid_rows):
        return report
    for item, cells in plan:
        if item.outcome in (RowOutcome.INVITED, RowOutcome.MATCHED):
            youth = await _find_or_register(
                ctx,
                cadre,
                name=cells["name"],
                mobile=cells["mobile"],
                industry=cells["industry"],
                membership=people.parse_membership(cells.get("membership")),
            )
            await _invite(ctx, cadre, youth)
    report.written = True
    return report


async def _classify(ctx: Ctx, cadre: Cadre, plan: list[tuple[ImportRow, dict[str, str]]]) -> None:
    """Existing youth by mobile (one statement), and their link with this cadre. Only what
    the cadre knows already (their own links) or may view (youth:view) is told apart."""
    mobiles = [cells["mobile"] for item, cells in plan if item.outcome != RowOutcome.REJECTED]
    if not mobiles:
        return
    latest = (
        sa.select(Contact.status)
        .where(Contact.cadre_id == cadre.id, Contact.youth_id == Youth.id)
        .order_by(Contact.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    viewable = ctx.scope(Act.VIEW, Obj.YOUTH, required=False)
    known = {
        m: (status, viewable.covers(path))
        for m, path, status in await ctx.session.execute(
            sa.select(Youth.mobile, Youth.org_path, latest).where(Youth.mobile.in_(mobiles))
        )
    }
    for item, cells in plan:
        if item.outcome == RowOutcome.REJECTED or cells["mobile"] not in known:
            continue
        status, visible = known[cells["mobile"]]
        if status in LIVE:
            item.outcome, item.reason = RowOutcome.UNCHANGED, "已在名单中"
        elif status == ContactStatus.LEFT:
            item.outcome, item.reason = RowOutcome.UNCHANGED, "对方已退出联系，不再自动邀请"
        elif visible:
            item.outcome = RowOutcome.MATCHED


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_base64: str
    rows: int


async def export_youth(ctx: Ctx, *, under: int | None, fmt: str) -> ExportFile:
    """The caller's own list (ACTIVE links), or (with `under`) the youth of a subtree they may
    view. Each cell keeps the API's rules: guarded fields through `people.youth_mobile` (field
    rules, minors), the org's name only where the caller may see the org."""
    if under is None:
        cadre = await my_cadre(ctx)
        stmt = (
            sa.select(Youth, Org.name, sa.true())
            .join(Contact, Contact.youth_id == Youth.id)
            .join(Org, Org.id == Youth.org_id)
            .where(Contact.cadre_id == cadre.id, Contact.status == ContactStatus.ACTIVE)
        )
        label = cadre.name
    else:
        ctx.scope(Act.VIEW, Obj.YOUTH)
        root = await orgs.get(ctx, under)
        stmt = (
            sa.select(Youth, Org.name, _active_link_with_me(ctx))
            .join(Org, Org.id == Youth.org_id)
            .where(ctx.readable(Youth), Youth.org_path.descendant_of(root.path))
        )
        label = root.name
    result = (await ctx.session.execute(stmt.order_by(Youth.id).limit(50_000))).all()
    rows = [
        [
            youth.name,
            people.youth_mobile(ctx, youth, own_contact=own),
            youth.industry,
            org_name if ctx.decide(Act.VIEW, Obj.ORG, youth.org_path).allowed else "",
            ContactStatus.ACTIVE.value if own else "",
        ]
        for youth, org_name, own in result
    ]
    content = await spreadsheets.write_base64(
        rows, ["姓名", "手机号", "行业", "组织", "联系状态"], fmt
    )
    ext = "csv" if fmt == "CSV" else "xlsx"
    return ExportFile(f"小伙伴名单-{label}.{ext}", content, len(rows))


def _active_link_with_me(ctx: Ctx) -> sa.ColumnElement[bool]:
    """Per youth row: is it on the caller's own list with an ACTIVE link?"""
    if ctx.principal.cadre_id is None:
        return sa.false()
    return (
        sa.select(Contact.id)
        .where(
            Contact.youth_id == Youth.id,
            *_callers_links(ctx),
            Contact.status == ContactStatus.ACTIVE,
        )
        .exists()
    )
