"""Cadres (团干部) and youth (小伙伴): read within scope, managed by the leading organs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa

from authz import Act, Obj, mask_mobile, may_see_personal
from authz.errors import BadInput, Conflict
from models import LEAGUE_AGE, AuthSession, Cadre, CadreKind, Grant, Membership, Org, User, Youth
from resolvers import accounts, orgs
from resolvers.base import Ctx, clean_mobile, clean_text, containing
from resolvers.listing import Listing
from resolvers.lookahead import Edge
from resolvers.pagination import Page
from resolvers.points import today
from resolvers.prebuilt import Shape

V = TypeVar("V")

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.]{2,31}$")


def _cadre_snapshot(c: Cadre) -> dict[str, Any]:
    return {
        "name": c.name,
        "kind": c.kind.value,
        "position": c.position,
        "org_id": c.org_id,
        "is_leading_organ_cadre": c.is_leading_organ_cadre,
        "is_active": c.is_active,
    }


def mask_name(name: str) -> str:
    """张伟 → 张*: enough to recognise a record, not to name a person."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def _youth_snapshot(y: Youth) -> dict[str, Any]:
    # Personal data goes to the audit log masked: the log is append-only, and a deleted
    # person's name and number must not outlive them there.
    return {
        "name": mask_name(y.name),
        "mobile": mask_mobile(y.mobile),
        "industry": y.industry,
        "membership": y.membership.value if y.membership else None,
        "org_id": y.org_id,
    }


async def _placed(ctx: Ctx, org_id: int, act: Act, obj: Obj) -> Org:
    org = await orgs.load(ctx, org_id)
    ctx.authorize(act, obj, org.path)
    if not org.is_active:
        raise Conflict("该组织已停用")
    return org


# ---------------------------------------------------------------- cadres


async def get_cadre(ctx: Ctx, cadre_id: int) -> Cadre:
    return await ctx.load(Cadre, cadre_id, Act.VIEW, Obj.CADRE)


async def list_cadres(
    ctx: Ctx,
    *,
    under: int | None = None,
    search: str | None = None,
    kind: CadreKind | None = None,
    include_inactive: bool = False,
    first: int | None = None,
    after: str | None = None,
    edges: Sequence[Edge] = (),
    nodes: Shape | None = None,
) -> Page[Cadre]:
    ctx.scope(Act.VIEW, Obj.CADRE)
    where = {
        "search": containing(search),
        "kind": kind,
        "active": not include_inactive,
    }
    return await CADRES.page(
        ctx, where, under=under, first=first, after=after, edges=edges, nodes=nodes
    )


CADRES = Listing(
    Cadre,
    Cadre.id,
    Cadre.org_path,
    {
        "search": lambda p: Cadre.name.ilike(p),
        "kind": lambda p: Cadre.kind == p,
    },
    flags={"active": Cadre.is_active},
)


async def create_cadre(
    ctx: Ctx,
    *,
    org_id: int,
    name: str,
    kind: CadreKind,
    username: str,
    password: str,
    position: str = "",
    is_leading_organ_cadre: bool = False,
    mobile: str | None = None,
    password_hash: str | None = None,
) -> Cadre:
    """A cadre with a login account and the `cadre` role at their org. A roster import
    hashes its one initial password once and passes `password_hash` for every row."""
    org = await _placed(ctx, org_id, Act.MANAGE, Obj.CADRE)
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise BadInput(
            "用户名须以字母开头，由 3–32 位小写字母、数字、下划线或点组成", field="username"
        )
    user = User(
        username=username,
        mobile=await _unbound_mobile(ctx, mobile),
        password_hash=password_hash or await accounts.hash_password(ctx, password),
        display_name=clean_text(name, "姓名", max_len=50),
    )
    ctx.session.add(user)
    # Usernames stay unique province-wide (login is by username alone): a taken one is
    # CONFLICT, which names no one and says nothing of where.
    await ctx.flush_or_conflict("用户名已被使用")
    cadre = Cadre(
        user_id=user.id,
        name=user.display_name,
        kind=kind,
        position=clean_text(position, "职务", max_len=100, required=False),
        is_leading_organ_cadre=is_leading_organ_cadre,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(cadre)
    # Every cadre holds the `cadre` role at their own org.
    ctx.session.add(
        Grant(
            user_id=user.id,
            role="cadre",
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
            granted_by=ctx.principal.user_id,
        )
    )
    await ctx.session.flush()
    await ctx.audit("cadre.create", "Cadre", cadre.id, org.path, after=_cadre_snapshot(cadre))
    return cadre


async def _unbound_mobile(ctx: Ctx, mobile: str | None) -> str | None:
    """The new account's mobile (for code login), unless another account holds it: then it is
    left unbound and the answer is the same, so that creating a cadre is no oracle over which
    numbers (a youth's, say) have an account. The account's mobile is shown nowhere."""
    if not mobile:
        return None
    mobile = clean_mobile(mobile)
    taken = await ctx.session.scalar(sa.select(User.id).where(User.mobile == mobile))
    return None if taken is not None else mobile


async def update_cadre(
    ctx: Ctx,
    cadre_id: int,
    *,
    name: str | None = None,
    kind: CadreKind | None = None,
    position: str | None = None,
    is_leading_organ_cadre: bool | None = None,
    is_active: bool | None = None,
) -> Cadre:
    cadre = await ctx.load(Cadre, cadre_id, Act.MANAGE, Obj.CADRE, for_update=True)
    before = _cadre_snapshot(cadre)
    if name is not None:
        cadre.name = clean_text(name, "姓名", max_len=50)
    if kind is not None:
        cadre.kind = kind
    if position is not None:
        cadre.position = clean_text(position, "职务", max_len=100, required=False)
    if is_leading_organ_cadre is not None:
        cadre.is_leading_organ_cadre = is_leading_organ_cadre
    if is_active is not None and is_active != cadre.is_active:
        cadre.is_active = is_active
        await _set_account_active(ctx, cadre.user_id, is_active)
    await ctx.session.flush()
    await ctx.audit(
        "cadre.update",
        "Cadre",
        cadre.id,
        cadre.org_path,
        before=before,
        after=_cadre_snapshot(cadre),
    )
    return cadre


async def _set_account_active(ctx: Ctx, user_id: int, active: bool) -> None:
    """A cadre who leaves loses their login, their sessions and their grants at once."""
    s = ctx.session
    await s.execute(sa.update(User).where(User.id == user_id).values(is_active=active))
    if not active:
        await s.execute(
            sa.update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=sa.func.now(), revoked_reason="deactivated")
        )
        await s.execute(
            sa.update(Grant)
            .where(Grant.user_id == user_id, Grant.revoked_at.is_(None))
            .values(revoked_at=sa.func.now(), revoked_by=ctx.principal.user_id)
        )


# ---------------------------------------------------------------- youth


async def get_youth(ctx: Ctx, youth_id: int) -> Youth:
    return await ctx.load(Youth, youth_id, Act.VIEW, Obj.YOUTH)


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


MEMBERSHIP_TEXT = {
    "团员": Membership.LEAGUE_MEMBER,
    "共青团员": Membership.LEAGUE_MEMBER,
    "LEAGUE_MEMBER": Membership.LEAGUE_MEMBER,
    "青年": Membership.YOUTH,
    "非团员": Membership.YOUTH,
    "群众": Membership.YOUTH,
    "YOUTH": Membership.YOUTH,
}


def parse_membership(text: str | None) -> Membership | None:
    """政治面貌 as a list writes it: 团员 or 青年 (blank: not known)."""
    value = (text or "").strip()
    if not value:
        return None
    if value.upper() not in MEMBERSHIP_TEXT and value not in MEMBERSHIP_TEXT:
        raise BadInput("政治面貌应填“团员”或“青年”", field="membership")
    return MEMBERSHIP_TEXT.get(value) or MEMBERSHIP_TEXT[value.upper()]


def in_league_age(birth_date: date | None, on: date) -> bool | None:
    """14 to 28 (团员年龄), or None when the birth date is unknown."""
    if birth_date is None:
        return None
    return LEAGUE_AGE[0] <= age_on(birth_date, on) <= LEAGUE_AGE[1]


def check_membership(membership: Membership | None, birth_date: date | None, on: date) -> None:
    """A League member's known age must be 14 to 28 (超龄应办理离团)."""
    if membership == Membership.LEAGUE_MEMBER and in_league_age(birth_date, on) is False:
        raise BadInput(
            f"团员年龄须在 {LEAGUE_AGE[0]}–{LEAGUE_AGE[1]} 周岁之间，该小伙伴的年龄不符",
            field="membership",
        )


def is_minor(youth: Youth) -> bool:
    """Under 18 by birth date (unknown birth dates are treated as adults)."""
    if youth.birth_date is None:
        return False
    from datetime import UTC, datetime

    return age_on(youth.birth_date, datetime.now(UTC).date()) < 18


def youth_field(
    ctx: Ctx, youth: Youth, field_name: str, value: V, masked: V, *, own_contact: bool = False
) -> V:
    """A guarded field whole, or masked; every whole read by someone else is logged."""
    if may_see_personal(
        ctx.policy,
        ctx.principal,
        youth.id,
        youth.org_path,
        own_contact=own_contact,
        minor=is_minor(youth),
        field_name=field_name,
    ):
        viewer = ctx.principal.user_id
        if viewer is not None and ctx.principal.youth_id != youth.id:
            ctx.personal_reads.append((youth.id, viewer, field_name, ctx.request_id))
        return value
    return masked


def youth_mobile(ctx: Ctx, youth: Youth, *, own_contact: bool = False) -> str:
    return youth_field(
        ctx, youth, "mobile", youth.mobile, mask_mobile(youth.mobile), own_contact=own_contact
    )


def youth_birth_date(ctx: Ctx, youth: Youth, *, own_contact: bool = False) -> date | None:
    """The whole date, or None to those who see only the year (Youth.birthYear)."""
    if youth.birth_date is None:
        return None
    return youth_field(ctx, youth, "birth_date", youth.birth_date, None, own_contact=own_contact)


async def list_youth(
    ctx: Ctx,
    *,
    under: int | None = None,
    search: str | None = None,
    industry: str | None = None,
    first: int | None = None,
    after: str | None = None,
    edges: Sequence[Edge] = (),
    nodes: Shape | None = None,
) -> Page[Youth]:
    ctx.scope(Act.VIEW, Obj.YOUTH)
    where = {"search": containing(search), "industry": (industry or "").strip() or None}
    return await YOUTH.page(
        ctx, where, under=under, first=first, after=after, edges=edges, nodes=nodes
    )


YOUTH = Listing(
    Youth,
    Youth.id,
    Youth.org_path,
    {"search": lambda p: Youth.name.ilike(p), "industry": lambda p: Youth.industry == p},
)


async def create_youth(
    ctx: Ctx,
    *,
    org_id: int,
    name: str,
    mobile: str,
    industry: str = "",
    membership: Membership | None = None,
) -> Youth:
    org = await _placed(ctx, org_id, Act.MANAGE, Obj.YOUTH)
    youth = Youth(
        name=clean_text(name, "姓名", max_len=50),
        mobile=clean_mobile(mobile),
        industry=clean_text(industry, "行业", max_len=50, required=False),
        membership=membership,
        org_id=org.id,
        org_path=org.path,
        city_id=org.city_id,
    )
    ctx.session.add(youth)
    await ctx.flush_or_conflict("该手机号已登记")
    await ctx.audit("youth.create", "Youth", youth.id, org.path, after=_youth_snapshot(youth))
    return youth


async def update_youth(
    ctx: Ctx,
    youth_id: int,
    *,
    name: str | None = None,
    industry: str | None = None,
    membership: Membership | None = None,
) -> Youth:
    youth = await ctx.load(Youth, youth_id, Act.MANAGE, Obj.YOUTH, for_update=True)
    before = _youth_snapshot(youth)
    if name is not None:
        youth.name = clean_text(name, "姓名", max_len=50)
    if industry is not None:
        youth.industry = clean_text(industry, "行业", max_len=50, required=False)
    if membership is not None:
        check_membership(membership, youth.birth_date, today(ctx))
        youth.membership = membership
    await ctx.session.flush()
    await ctx.audit(
        "youth.update",
        "Youth",
        youth.id,
        youth.org_path,
        before=before,
        after=_youth_snapshot(youth),
    )
    return youth
