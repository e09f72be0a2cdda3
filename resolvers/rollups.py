"""The rollups' check (`youthlink check-rollups`): each rollup against a recount from its
rows, and, when asked, a rebuild. The rollups are kept by triggers (migration 0023); a
difference means a trigger was dropped or bypassed (a restore without triggers, a bulk load
with triggers disabled), never an expected state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

_KEY = "cadre_id, day, org_id, kind, activity_kind, channel, client, for_organ"
# What work_log_days must hold: the live logs counted per key, with their tenant columns.
_RECOUNT = f"""
    SELECT {_KEY}, org_path, city_id, count(*)::int AS n
    FROM (SELECT cadre_id, league_day(occurred_at) AS day, org_id, kind,
                 coalesce(activity_kind, '') AS activity_kind, coalesce(channel, '') AS channel,
                 client, for_organ, org_path, city_id
          FROM work_logs WHERE deleted_at IS NULL) l
    GROUP BY {_KEY}, org_path, city_id"""
_KEPT = f"SELECT {_KEY}, org_path, city_id, n FROM work_log_days"


@dataclass(frozen=True)
class Difference:
    rollup: str
    row: str  # the row as text
    side: str  # "kept only" (the rollup has it, the recount not) or "recount only"


async def differences(session: AsyncSession, limit: int = 100) -> list[Difference]:
    """Rows where the rollup and the recount disagree (both directions), at most `limit`."""
    rows: Sequence[sa.Row] = (
        await session.execute(
            sa.text(f"""
                (SELECT 'kept only' AS side, k::text AS row FROM ({_KEPT} EXCEPT {_RECOUNT}) k
                 LIMIT :limit)
                UNION ALL
                (SELECT 'recount only', r::text FROM ({_RECOUNT} EXCEPT {_KEPT}) r LIMIT :limit)"""),
            {"limit": limit},
        )
    ).all()
    return [Difference("work_log_days", r.row, r.side) for r in rows]


async def rebuild(session: AsyncSession) -> int:
    """Recount the rollup from the rows, writes to the logs held off meanwhile; the rows
    written."""
    await session.execute(sa.text("LOCK TABLE work_logs IN SHARE MODE"))
    await session.execute(sa.text("DELETE FROM work_log_days"))
    result = await session.execute(
        sa.text(f"INSERT INTO work_log_days ({_KEY}, org_path, city_id, n) {_RECOUNT}")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
