"""The Principal: who is asking, with their grants loaded once per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuthSession, Cadre, FieldGrant, Grant, PolicyVersion, User, Youth


@dataclass(frozen=True)
class GrantRef:
    id: int
    role: str
    org_id: int
    org_path: str
    delegated_by: int | None = None  # a delegation (代管): acting for this user


@dataclass(frozen=True)
class FieldGrantRef:
    """An exception to the field rules: one guarded field in a subtree."""

    id: int
    object: str
    field: str
    org_path: str
    minors: bool


def grant_order(g: GrantRef) -> tuple[bool, int]:
    return (g.delegated_by is not None, g.id)


def active_grant(model: type) -> sa.ColumnElement[bool]:
    """Not revoked, begun, not lapsed: a delegation stops counting by itself at its end."""
    return sa.and_(
        model.revoked_at.is_(None),  # type: ignore[attr-defined]
        sa.or_(model.starts_at.is_(None), model.starts_at <= sa.func.now()),  # type: ignore[attr-defined]
        sa.or_(model.ends_at.is_(None), model.ends_at > sa.func.now()),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Principal:
    user_id: int | None = None
    display_name: str = ""
    session_id: uuid.UUID | None = None
    cadre_id: int | None = None
    cadre_org_path: str | None = None
    youth_id: int | None = None
    youth_org_path: str | None = None
    grants: tuple[GrantRef, ...] = field(default=())
    field_grants: tuple[FieldGrantRef, ...] = field(default=())
    client: str = "WEB"  # the login's client: WEB or MOBILE
    # Why a presented token was not accepted (expired, revoked …), for a precise message.
    token_error: str | None = None
    # The policy version in force when the principal was read (the same statement).
    policy_version: int | None = None

    def __post_init__(self) -> None:
        # Own grants before delegated ones, then by id: `decide` takes the first grant that
        # allows, so the user's own right wins over acting for someone, whatever order the
        # grants were loaded in.
        object.__setattr__(self, "grants", tuple(sorted(self.grants, key=grant_order)))

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @classmethod
    def anonymous(cls, token_error: str | None = None) -> Principal:
        return cls(token_error=token_error)


async def load_principal(session: AsyncSession, user_id: int, session_id: uuid.UUID) -> Principal:
    """One statement: the account, its live session, its cadre/youth record, its grants and
    the policy version in force (so the templates it is judged by can be checked current)."""
    grants = (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(
                    sa.func.json_build_array(
                        Grant.id, Grant.role, Grant.org_id, Grant.org_path, Grant.delegated_by
                    )
                ),
                sa.text("'[]'::json"),
            )
        )
        .where(Grant.user_id == User.id, active_grant(Grant))
        .scalar_subquery()
    )
    field_grants = (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(
                    sa.func.json_build_array(
                        FieldGrant.id,
                        FieldGrant.object,
                        FieldGrant.field,
                        FieldGrant.org_path,
                        FieldGrant.minors,
                    )
                ),
                sa.text("'[]'::json"),
            )
        )
        .where(
            FieldGrant.user_id == User.id,
            FieldGrant.revoked_at.is_(None),
            sa.or_(FieldGrant.ends_at.is_(None), FieldGrant.ends_at > sa.func.now()),
        )
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            User.id,
            User.display_name,
            Cadre.id.label("cadre_id"),
            Cadre.org_path.label("cadre_org_path"),
            Youth.id.label("youth_id"),
            Youth.org_path.label("youth_org_path"),
            grants.label("grants"),
            field_grants.label("field_grants"),
            AuthSession.client,
            sa.select(PolicyVersion.version).scalar_subquery().label("policy_version"),
        )
        .join(AuthSession, AuthSession.user_id == User.id)
        .outerjoin(Cadre, sa.and_(Cadre.user_id == User.id, Cadre.is_active))
        .outerjoin(Youth, Youth.user_id == User.id)
        .where(
            User.id == user_id,
            User.is_active,
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
        )
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return Principal.anonymous(token_error="revoked")
    return Principal(
        user_id=row.id,
        display_name=row.display_name,
        session_id=session_id,
        cadre_id=row.cadre_id,
        cadre_org_path=row.cadre_org_path,
        youth_id=row.youth_id,
        youth_org_path=row.youth_org_path,
        grants=tuple(GrantRef(g[0], g[1], g[2], g[3], g[4]) for g in row.grants),
        field_grants=tuple(FieldGrantRef(*f) for f in row.field_grants),
        client=str(row.client),
        policy_version=row.policy_version,
    )
