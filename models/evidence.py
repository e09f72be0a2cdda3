"""Evidence (佐证材料): photos and files that show the work happened — on a work log (a contact
or an activity), on a quarterly report or on a 最美青春故事 nomination. §五: 不能“只有数据没有工作过程”."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantOwned


class Evidence(Base, TenantOwned):
    """One file on exactly one record; the tenant columns are the record's. Images are kept
    re-encoded (no EXIF: no location, no device), so what is stored is what is shown."""

    __tablename__ = "evidence"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(log_id, report_id, nomination_id) = 1", name="one_owner"),
        # Kept in the row (PostgreSQL) or in the object store under `store_key`.
        sa.CheckConstraint("num_nonnulls(content, store_key) = 1", name="one_place"),
        sa.Index("ix_evidence_org_path_gist", "org_path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    log_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("work_log_keys.id"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("reports.id"), index=True
    )
    nomination_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("nominations.id"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    store_key: Mapped[str | None] = mapped_column(sa.String(200))
    uploaded_by: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
