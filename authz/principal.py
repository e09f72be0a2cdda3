"""The Principal: who is asking, with their grants loaded once per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import DriverPool, DriverStatement


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
    # The cadre's city: their links and logs are all in it, the partition they live in.
    cadre_city_id: int | None = None
    youth_id: int | None = None
    youth_org_path: str | None = None
    grants: tuple[GrantRef, ...] = field(default=())
    field_grants: tuple[FieldGrantRef, ...] = field(default=())
    client: str = "WEB"  # the login's client: WEB or MOBILE
    # Open spot checks this account works as checker, and those whose sample's numbers a
    # field grant tied to the check lets it see (authz/checks.py).
    checks: tuple[int, ...] = field(default=())
    sample_grants: tuple[int, ...] = field(default=())
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


# The principal, its grants and the policy version in force in one statement, prepared once
# per connection and run on the driver itself: nothing is built, compiled or wrapped per
# request (it runs on every request). The grant conditions are `active_grant`'s.
# The youth is found by youth_keys (the account is unique there), which names its city, so
# only that city's partition of youth is read (migration 0027).
PRINCIPAL = DriverStatement("""
SELECT u.id, u.display_name, c.id AS cadre_id, c.org_path::text AS cadre_org_path,
       c.city_id AS cadre_city_id,
       y.id AS youth_id, y.org_path::text AS youth_org_path, s.client,
       (SELECT coalesce(json_agg(json_build_array(g.id, g.role, g.org_id, g.org_path::text,
                                                  g.delegated_by)), '[]')
          FROM grants g
         WHERE g.user_id = u.id AND g.revoked_at IS NULL
           AND (g.starts_at IS NULL OR g.starts_at <= now())
           AND (g.ends_at IS NULL OR g.ends_at > now())) AS grants,
       (SELECT coalesce(json_agg(json_build_array(f.id, f.object, f.field, f.org_path::text,
                                                  f.minors)), '[]')
          FROM field_grants f
         WHERE f.user_id = u.id AND f.revoked_at IS NULL AND f.spot_check_id IS NULL
           AND (f.ends_at IS NULL OR f.ends_at > now())) AS field_grants,
       (SELECT coalesce(array_agg(f.spot_check_id), '{}') FROM field_grants f
         WHERE f.user_id = u.id AND f.revoked_at IS NULL AND f.spot_check_id IS NOT NULL
           AND (f.ends_at IS NULL OR f.ends_at > now())) AS sample_grants,
       (SELECT coalesce(array_agg(k.id), '{}') FROM spot_checks k
         WHERE k.checker_id = u.id AND k.closed_at IS NULL
           AND (k.ends_at IS NULL OR k.ends_at > now())) AS checks,
       (SELECT version FROM policy_version) AS policy_version
  FROM users u
  JOIN auth_sessions s ON s.user_id = u.id
  LEFT JOIN cadres c ON c.user_id = u.id AND c.is_active
  LEFT JOIN youth_keys yk ON yk.user_id = u.id
  LEFT JOIN youth y ON y.id = yk.id AND y.city_id = yk.city_id
 WHERE u.id = $1 AND u.is_active AND s.id = $2 AND s.revoked_at IS NULL
""")


async def load_principal(
    on: AsyncSession | DriverPool, user_id: int, session_id: uuid.UUID
) -> Principal:
    """One prepared statement: the account, its live session, its cadre/youth record, its
    grants and the policy version in force (so the templates it is judged by can be checked
    current). On the service's DriverPool for a request; on a session elsewhere."""
    row = await PRINCIPAL.fetchrow(on, user_id, session_id)
    if row is None:
        return Principal.anonymous(token_error="revoked")
    return Principal(
        user_id=row["id"],
        display_name=row["display_name"],
        session_id=session_id,
        cadre_id=row["cadre_id"],
        cadre_org_path=row["cadre_org_path"],
        cadre_city_id=row["cadre_city_id"],
        youth_id=row["youth_id"],
        youth_org_path=row["youth_org_path"],
        # SQLAlchemy's asyncpg dialect registers a json codec: these arrive decoded.
        grants=tuple(GrantRef(*g) for g in row["grants"]),
        field_grants=tuple(FieldGrantRef(*f) for f in row["field_grants"]),
        client=str(row["client"]),
        checks=tuple(row["checks"]),
        sample_grants=tuple(row["sample_grants"]),
        policy_version=row["policy_version"],
    )
