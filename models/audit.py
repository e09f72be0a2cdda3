"""The append-only audit log: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_org_path_gist", "org_path", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), index=True
    )
    actor_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(60))  # e.g. org.move, grant.create
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    # Where in the tree it happened: auditors read the log of their subtree only.
    org_path: Mapped[str | None] = mapped_column(Ltree())
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Acting for someone else through a delegation (代管): whose rights were used.
    acting_for_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The first chain (migrations 0005, 0006) kept its links here, in id order; they are
    # frozen since 0009 (copied into audit_chain as its legacy links), never written again.
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))


class AuditChainLink(Base):
    """Tamper evidence: one link per audit entry, in the order the entries were sealed.

    A deferred trigger seals each entry at its transaction's commit, under the row lock of
    `audit_chain_head`: `seq` is the position taken under that lock (not the entry's id,
    which is handed out before any lock), and `hash` covers the entry, `seq` and the
    previous link's hash. Sealing last keeps the one global lock out of every other lock
    order (a write never waits for a row while holding the chain)."""

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    # A link of the first chain, hashed by its formula (without seq); see AuditEntry.hash.
    legacy: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class AuditChainHead(Base):
    """The chain's one head row: its lock orders the sealing; it also shows a cut tail."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (sa.CheckConstraint("id", name="one_row"),)

    id: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True, server_default=sa.true())
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Entries written before the chain existed (before migration 0005) are not in it.
    unchained_max_id: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class IdempotencyKey(Base):
    """A mutation's first answer, kept so that a retry with the same key gets it back and
    writes nothing new. Written in the mutation's own transaction."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # 0: anonymous
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class PersonalDataRead(Base):
    """Every read of a youth's whole mobile number by someone other than the youth (PIPL)."""

    __tablename__ = "personal_data_reads"
    __table_args__ = (sa.Index("ix_personal_data_reads_youth_at", "youth_id", "at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    youth_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("youth_keys.id"))
    viewer_user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(sa.String(30))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
