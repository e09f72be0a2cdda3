"""工作小组: a city committee's groups answer for subtrees; sharing events; county cadres'
list of grassroots secretaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from authz import Act, Obj, is_in_subtree
from authz.errors import BadInput, Conflict, NotFound
from models import (
    Cadre,
    Grant,
    OrgLevel,
    SecretaryContact,
    SharingEvent,
    WorkingGroup,
    WorkingGroupMember,
)
from resolvers import orgs
from resolvers.base import Ctx, clean_text
from resolvers.contacts import my_cadre
from resolvers.pagination import Page, paginate_rows

LEADER_ROLE = "working_group_leader"


async def _cadres_in(ctx: Ctx, ids: list[int], root_path: str) -> list[Cadre]:
    """Active cadres the caller may view, all inside `root_path`; NOT_FOUND otherwise."""
    scope = ctx.scope(Act.VIEW, Obj.CADRE)
    rows = list(
        (
            await ctx.session.scalars(
                sa.select(Cadre).where(
                    Cadre.id.in_(ids),
                    Cadre.is_active,
                    scope.predicate(Cadre.org_path),
                    Cadre.org_path.descendant_of(root_path),
                )
            )
        ).all()
    )
    if len(rows) != len(set(ids)):
        raise NotFound("部分团干部不存在或不在本组织范围内")
    return rows


async def create(
    ctx: Ctx,
    *,
    org_id: int,
    name: str,
    leader_cadre_id: int,
    responsible_org_id: int,
    member_cadre_ids: list[int],
) -> WorkingGroup:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.GROUP, org.path)
    if org.level not in (OrgLevel.PROVINCE, OrgLevel.CITY) or not org.is_leading_organ:
        raise BadInput("工作小组由省、市团委机关设立", field="orgId")
    responsible = await orgs.load(ctx, responsible_org_id)
    if not is_in_subtree(responsible.path, org.path):
        raise NotFound(field="responsibleOrgId")
    (leader,) = await _cadres_in(ctx, [leader_cadre_id], org.path)
    members = await _cadres_in(ctx, list(dict.fromkeys(member_cadre_ids)), org.path)
    group = WorkingGroup(
        name=clean_text(name, "小组名称", max_len=100),
        leader_cadre_id=leader.id,
        responsible_org_id=responsible.id,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(group)
    await ctx.session.flush()
    ctx.session.add_all(WorkingGroupMember(group_id=group.id, cadre_id=m.id) for m in members)
    group.leader_grant_id = await _grant_leader(ctx, leader, responsible)
    await ctx.session.flush()
    await ctx.audit(
        "group.create",
        "WorkingGroup",
        group.id,
        org.path,
        after={
            "name": group.name,
            "leader_cadre_id": leader.id,
            "responsible_org_id": responsible.id,
            "members": [m.id for m in members],
        },
    )
    return group


async def _grant_leader(ctx: Ctx, leader: Cadre, responsible) -> int | None:
    """The leader's view of the subtree is an ordinary grant, revoked with the group."""
    existing = await ctx.session.scalar(
        sa.select(Grant.id).where(
            Grant.user_id == leader.user_id,
            Grant.role == LEADER_ROLE,
            Grant.org_id == responsible.id,
            Grant.revoked_at.is_(None),
        )
    )
    if existing is not None:
        return None  # held already (another group): this group does not own it
    grant = Grant(
        user_id=leader.user_id,
        role=LEADER_ROLE,
        org_id=responsible.id,
        org_path=responsible.path,
        city_id=responsible.city_id,
        granted_by=ctx.principal.user_id,
    )
    ctx.session.add(grant)
    await ctx.session.flush()
    await ctx.audit(
        "grant.create",
        "Grant",
        grant.id,
        responsible.path,
        after={"user_id": leader.user_id, "role": LEADER_ROLE, "org_id": responsible.id},
    )
    return grant.id


async def _manageable(ctx: Ctx, group_id: int) -> WorkingGroup:
    return await ctx.load(WorkingGroup, group_id, Act.MANAGE, Obj.GROUP, for_update=True)


async def set_members(ctx: Ctx, group_id: int, member_cadre_ids: list[int]) -> WorkingGroup:
    group = await _manageable(ctx, group_id)
    members = await _cadres_in(ctx, list(dict.fromkeys(member_cadre_ids)), group.org_path)
    before = list(
        await ctx.session.scalars(
            sa.select(WorkingGroupMember.cadre_id).where(WorkingGroupMember.group_id == group.id)
        )
    )
    await ctx.session.execute(
        sa.delete(WorkingGroupMember).where(WorkingGroupMember.group_id == group.id)
    )
    ctx.session.add_all(WorkingGroupMember(group_id=group.id, cadre_id=m.id) for m in members)
    await ctx.session.flush()
    await ctx.audit(
        "group.members",
        "WorkingGroup",
        group.id,
        group.org_path,
        {"members": before},
        {"members": [m.id for m in members]},
    )
    return group


async def dissolve(ctx: Ctx, group_id: int) -> WorkingGroup:
    group = await _manageable(ctx, group_id)
    if not group.is_active:
        raise Conflict("该工作小组已撤销")
    group.is_active = False
    if group.leader_grant_id is not None:
        await ctx.session.execute(
            sa.update(Grant)
            .where(Grant.id == group.leader_grant_id, Grant.revoked_at.is_(None))
            .values(revoked_at=sa.func.now(), revoked_by=ctx.principal.user_id)
        )
    await ctx.session.flush()
    await ctx.audit(
        "group.dissolve",
        "WorkingGroup",
        group.id,
        group.org_path,
        {"is_active": True},
        {"is_active": False},
    )
    return group


async def list_groups(
    ctx: Ctx, *, under: int | None, include_inactive: bool, first: int | None, after: str | None
) -> Page[WorkingGroup]:
    """Groups in the caller's subtrees, and those they lead or belong to."""
    ctx.scope(Act.VIEW, Obj.GROUP, required=ctx.principal.cadre_id is None)
    stmt = sa.select(WorkingGroup).where(ctx.readable(WorkingGroup))
    stmt = await orgs.within(ctx, stmt, WorkingGroup.org_path, under)
    if not include_inactive:
        stmt = stmt.where(WorkingGroup.is_active)
    return await ctx.page(stmt, WorkingGroup.id, first, after)


async def members(ctx: Ctx, group_id: int, *, first: int | None, after: str | None) -> Page[Cadre]:
    stmt = (
        sa.select(Cadre)
        .join(WorkingGroupMember, WorkingGroupMember.cadre_id == Cadre.id)
        .where(WorkingGroupMember.group_id == group_id, ctx.readable(Cadre))
    )
    return await ctx.page(stmt, Cadre.id, first, after)


async def record_sharing(
    ctx: Ctx,
    *,
    org_id: int,
    title: str,
    held_on: date,
    attendees: int,
    note: str = "",
    group_id: int | None = None,
) -> SharingEvent:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(Act.MANAGE, Obj.GROUP, org.path)
    if not 0 <= attendees <= 100_000:
        raise BadInput("参加人数不正确", field="attendees")
    if group_id is not None:
        group = await ctx.session.get(WorkingGroup, group_id)
        if group is None or group.org_id != org.id:
            raise NotFound(field="groupId")
    event = SharingEvent(
        title=clean_text(title, "主题", max_len=200),
        held_on=held_on,
        attendees=attendees,
        note=clean_text(note, "说明", max_len=2000, required=False),
        group_id=group_id,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(event)
    await ctx.session.flush()
    await ctx.audit(
        "sharing.create",
        "SharingEvent",
        event.id,
        org.path,
        after={"title": event.title, "held_on": held_on.isoformat(), "attendees": attendees},
    )
    return event


async def sharing_events(
    ctx: Ctx, *, under: int | None, year: int | None, first: int | None, after: str | None
) -> Page[SharingEvent]:
    ctx.scope(Act.VIEW, Obj.GROUP)
    stmt = sa.select(SharingEvent).where(ctx.readable(SharingEvent))
    stmt = await orgs.within(ctx, stmt, SharingEvent.org_path, under)
    if year is not None:
        stmt = stmt.where(sa.extract("year", SharingEvent.held_on) == year)
    return await ctx.page(stmt, SharingEvent.id, first, after)


async def add_secretary(ctx: Ctx, secretary_cadre_id: int, note: str = "") -> SecretaryContact:
    """A county cadre adds a grassroots committee's secretary (a cadre of a grassroots org in
    their own subtree) to the list they keep in touch with."""
    me = await my_cadre(ctx)
    secretary = await ctx.session.get(Cadre, secretary_cadre_id)
    if (
        secretary is None
        or not secretary.is_active
        or not is_in_subtree(secretary.org_path, me.org_path)
    ):
        raise NotFound()
    org = await orgs.load(ctx, secretary.org_id)
    if org.level != OrgLevel.GRASSROOTS:
        raise BadInput("只能添加基层团委的团干部", field="secretaryCadreId")
    row = SecretaryContact(
        cadre_id=me.id,
        secretary_cadre_id=secretary.id,
        note=clean_text(note, "备注", max_len=200, required=False),
        org_id=me.org_id,
        org_path=me.org_path,
        city_id=me.city_id,
    )
    ctx.session.add(row)
    await ctx.flush_or_conflict("已在你的联系名单中")
    await ctx.audit(
        "secretary.add",
        "SecretaryContact",
        row.id,
        me.org_path,
        after={"secretary_cadre_id": secretary.id},
    )
    return row


async def my_secretaries(ctx: Ctx, *, first: int | None, after: str | None) -> Page[Any]:
    """A page of (SecretaryContact, Cadre) rows by contact id."""
    me = await my_cadre(ctx)
    stmt = (
        sa.select(SecretaryContact, Cadre)
        .join(Cadre, Cadre.id == SecretaryContact.secretary_cadre_id)
        .where(SecretaryContact.cadre_id == me.id, ctx.readable(Cadre))
    )
    return await paginate_rows(
        ctx.session,
        stmt,
        SecretaryContact.id,
        lambda r: r[0].id,
        size=ctx.page_size(first),
        after=after,
    )
