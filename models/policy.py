"""Authorization data: role templates (casbin `p` lines) and grants at tree nodes (`g` lines)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantOwned


class Role(Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(60))  # zh-CN, shown to people
    description: Mapped[str] = mapped_column(sa.Text, server_default="")
    is_builtin: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class RolePermission(Base):
    """`p, role, object, action`: what a role may do wherever it is granted."""

    __tablename__ = "role_permissions"
    __table_args__ = (sa.UniqueConstraint("role", "object", "action"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    role: Mapped[str] = mapped_column(
        sa.String(40), sa.ForeignKey("roles.name", ondelete="CASCADE")
    )
    object: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(40))


class Grant(Base, TenantOwned):
    """`g, user, role, org`: the role holds in the org's whole subtree, never a sibling's."""

    __tablename__ = "grants"
    __table_args__ = (
        sa.Index("ix_grants_org_path_gist", "org_path", postgresql_using="gist"),
        sa.Index(
            "uq_grants_active",
            "user_id",
            "role",
            "org_id",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"), index=True)
    # The role's name; no foreign key, so that revoked grants keep it as history once the
    # role is deleted (migration 0007: triggers require a live role for a live grant).
    role: Mapped[str] = mapped_column(sa.String(40))
    granted_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    # Delegation (代管): a grant that holds only from `starts_at` until `ends_at` (it lapses by
    # itself: the principal's grants are read with the clock), given by `delegated_by`.
    starts_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    delegated_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))


class FieldRule(Base):
    """Guarded fields: a role that may see personal data (`view_personal`) sees this field of
    records at most `max_distance` levels below the org where it is granted, and minors'
    only when `minors` says so. Defaults protect minors."""

    __tablename__ = "field_rules"
    __table_args__ = (sa.UniqueConstraint("role", "object", "field"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    role: Mapped[str] = mapped_column(
        sa.String(40), sa.ForeignKey("roles.name", ondelete="CASCADE")
    )
    object: Mapped[str] = mapped_column(sa.String(40))
    field: Mapped[str] = mapped_column(sa.String(40))
    max_distance: Mapped[int] = mapped_column(sa.Integer)
    minors: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class FieldGrant(Base, TenantOwned):
    """An exception of its own: one person may see one guarded field in a subtree (minors
    included if so granted), until it expires. Audited like every grant."""

    __tablename__ = "field_grants"
    __table_args__ = (
        sa.Index("ix_field_grants_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"), index=True)
    object: Mapped[str] = mapped_column(sa.String(40))
    field: Mapped[str] = mapped_column(sa.String(40))
    minors: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Tied to a spot check: the numbers of that check's sample only, for its checker, ending
    # with it (never a subtree-wide exception).
    spot_check_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("spot_checks.id"), index=True
    )


class PolicyChangeRequest(Base):
    """Four-eyes (双人复核): a change to the templates, a field rule or a field exception that
    would widen its requester's own rights waits here until another policy admin approves
    (and so makes it) or rejects it."""

    __tablename__ = "policy_change_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('PENDING', 'APPROVED', 'REJECTED')", name="status_known"),
        sa.Index(
            "ix_policy_change_requests_pending",
            "id",
            postgresql_where=sa.text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    payload: Mapped[dict] = mapped_column(JSONB)
    summary: Mapped[str] = mapped_column(sa.Text)  # zh-CN, what it changes
    status: Mapped[str] = mapped_column(sa.String(20), server_default="PENDING")
    requested_by: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    decided_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    note: Mapped[str] = mapped_column(sa.Text, server_default="")


class PolicyVersion(Base):
    """One row, bumped by a trigger on every change to roles, templates or field rules (in
    the changing transaction). Each request reads it with its principal: an instance whose
    cached templates are older reloads them before deciding anything."""

    __tablename__ = "policy_version"
    __table_args__ = (sa.CheckConstraint("id", name="one_row"),)

    id: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True, server_default=sa.true())
    version: Mapped[int] = mapped_column(sa.BigInteger, server_default="1")
