"""Authorization data: role templates (casbin `p` lines) and grants at tree nodes (`g` lines)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
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
    role: Mapped[str] = mapped_column(sa.String(40), sa.ForeignKey("roles.name"))
    granted_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
