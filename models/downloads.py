"""Files an export made, kept for a short-lived download link (GET /files/<token>)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree


class Download(Base):
    """One export's file. The link names the row and is signed; the row says until when it
    works and whether it was used (once only). The content is dropped when it is fetched."""

    __tablename__ = "downloads"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # A file kept in the object store (EVIDENCE_STORE=s3) is not copied: the link streams
    # it from there. Set to NULL, like `content`, once fetched.
    store_key: Mapped[str | None] = mapped_column(sa.String(200))
    size: Mapped[int] = mapped_column(sa.Integer)
    # Where the exported data lies (the audit entry of the fetch is filed there).
    org_path: Mapped[str | None] = mapped_column(Ltree())
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
