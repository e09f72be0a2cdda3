"""The rollups' check (`youthlink check-rollups`): each rollup against a recount from its
rows, and, when asked, a rebuild. The rollups are kept by triggers (migration 0023); a
difference means a trigger was dropped or bypassed (a restore without triggers, a bulk load
with triggers disabled), never an expected state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

# Each rollup: its key, and what it must hold, recounted from its rows.
_ROLLUPS = {
    "work_log_days": (
        "cadre_id, day, org_id, kind, activity_kind, channel, client, for_organ",
        """SELECT cadre_id, league_day(occurred_at) AS day, org_id, kind,
                  coalesce(activity_kind, '') AS activity_kind, coalesce(channel, '') AS channel,
                  client, for_organ, org_path, city_id
           FROM work_logs WHERE deleted_at IS NULL""",
    ),
    "cadre_industries": (
        "cadre_id, org_id, industry",
        """SELECT c.cadre_id, c.org_id, coalesce(nullif(y.industry, ''), '未填写') AS industry,
                  c.org_path, c.city_id
           FROM contacts c JOIN youth y ON y.id = c.youth_id WHERE c.status = 'ACTIVE'""",
    ),
}


def _recount(table: str) -> str:
    key, rows = _ROLLUPS[table]
    return f"SELECT {key}, org_path, city_id, count(*)::int AS n FROM ({rows}) r GROUP BY {key}, org_path, city_id"


def _kept(table: str) -> str:
    return f"SELECT {_ROLLUPS[table][0]}, org_path, city_id, n FROM {table}"


@dataclass(frozen=True)
class Difference:
    rollup: str
    row: str  # the row as text
    side: str  # "kept only" (the rollup has it, the recount not) or "recount only"


async def differences(session: AsyncSession, limit: int = 100) -> list[Difference]:
    """Rows where a rollup and its recount disagree (both directions), at most `limit` of
    each per rollup."""
    found: list[Difference] = []
    for table in _ROLLUPS:
        rows: Sequence[sa.Row] = (
            await session.execute(
                sa.text(f"""
                    (SELECT 'kept only' AS side, k::text AS row
                     FROM ({_kept(table)} EXCEPT {_recount(table)}) k LIMIT :limit)
                    UNION ALL
                    (SELECT 'recount only', r::text
                     FROM ({_recount(table)} EXCEPT {_kept(table)}) r LIMIT :limit)"""),
                {"limit": limit},
            )
        ).all()
        found += [Difference(table, r.row, r.side) for r in rows]
    return found


async def rebuild(session: AsyncSession) -> int:
    """Recount every rollup from its rows, writes to their sources held off meanwhile; the
    rows written."""
    await session.execute(sa.text("LOCK TABLE work_logs, contacts, youth IN SHARE MODE"))
    written = 0
    for table, (key, _) in _ROLLUPS.items():
        await session.execute(sa.text(f"DELETE FROM {table}"))
        result = await session.execute(
            sa.text(f"INSERT INTO {table} ({key}, org_path, city_id, n) {_recount(table)}")
        )
        written += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return written
