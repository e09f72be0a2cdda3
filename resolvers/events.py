"""Live events: written with `pg_notify` in the mutation's own transaction, so subscribers on
every instance hear of a change only once it is committed (and never of a rolled-back one)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "youthlink_events"


async def publish(session: AsyncSession, kind: str, **ids: Any) -> None:
    """Only ids travel (NOTIFY payloads are public to the database's listeners, and small);
    each subscriber re-reads the object under its own authorization."""
    payload = json.dumps({"kind": kind, **ids}, separators=(",", ":"))
    await session.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))
