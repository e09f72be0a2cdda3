"""Reading the audit log, within the auditor's subtrees."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj
from models import AuditChainHead, AuditChainLink, AuditEntry, Org, User
from resolvers import orgs
from resolvers.base import Ctx
from resolvers.pagination import Page


@dataclass(frozen=True)
class EntryView:
    """An entry as the caller may see it: users outside their reach are not named."""

    row: AuditEntry
    actor_user_id: int | None
    acting_for_user_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    above_your_level: bool  # someone was left unnamed


# Keys of before/after snapshots that hold a user id.
USER_KEYS = ("user_id", "to_user_id", "granted_by", "delegated_by", "requested_by", "decided_by")


async def list_entries(
    ctx: Ctx,
    *,
    under: int | None = None,
    entity_type: str | None = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[EntryView]:
    ctx.scope(Act.VIEW, Obj.AUDIT)  # none anywhere: FORBIDDEN, not an empty list
    stmt = sa.select(AuditEntry).where(ctx.readable(AuditEntry))
    stmt = await orgs.within(ctx, stmt, AuditEntry.org_path, under)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_user_id is not None:
        # Only someone the caller may name can be looked for: no oracle over who acted.
        known = actor_user_id in await visible_users(ctx, {actor_user_id})
        stmt = stmt.where(AuditEntry.actor_user_id == actor_user_id if known else sa.false())
    page = await ctx.page(stmt, AuditEntry.id, first, after)
    rows: list[AuditEntry] = list(page.rows)
    named = await visible_users(ctx, {u for r in rows for u in _users_in(r)})
    page.rows = [_view(r, named) for r in rows]
    return page


def _users_in(r: AuditEntry) -> list[int]:
    ids = [r.actor_user_id, r.acting_for_user_id]
    for snap in (r.before, r.after):
        if isinstance(snap, dict):
            ids += [snap.get(k) for k in USER_KEYS]
    return [i for i in ids if isinstance(i, int)]


def _view(r: AuditEntry, named: set[int]) -> EntryView:
    hidden = [u for u in _users_in(r) if u not in named]

    def keep(user_id: int | None) -> int | None:
        return user_id if user_id in named else None

    def scrub(snap: Any) -> Any:
        if not isinstance(snap, dict):
            return snap
        return {k: keep(v) if k in USER_KEYS and isinstance(v, int) else v for k, v in snap.items()}

    return EntryView(
        r,
        keep(r.actor_user_id),
        keep(r.acting_for_user_id),
        scrub(r.before),
        scrub(r.after),
        bool(hidden),
    )


async def visible_users(ctx: Ctx, ids: set[int]) -> set[int]:
    """Of `ids`, the users the caller may name (authz/visibility.py, the User rule); everyone
    else stands above (or beside) the caller."""
    if not ids:
        return set()
    found = await ctx.session.scalars(
        sa.select(User.id).where(User.id.in_(ids), ctx.readable(User))
    )
    return set(found)


EPOCH_ACTION = "audit.epoch"


@dataclass(frozen=True)
class ChainBreak:
    """One place where the chain does not hold. `found` and `expected` pin it down: an epoch
    acknowledges exactly this break, and any later change there is a new one."""

    kind: str  # altered | deleted | link | unsealed | head
    seq: int | None  # the link's position (None for an entry that has no link)
    entry_id: int | None
    found: str | None
    expected: str | None
    acknowledged_by: int | None = None  # the seq of the epoch that acknowledged it

    def key(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "seq": self.seq,
            "entryId": self.entry_id,
            "found": self.found,
            "expected": self.expected,
        }


@dataclass(frozen=True)
class ChainCheck:
    checked: int  # links verified
    breaks: tuple[ChainBreak, ...]
    epochs: int  # epochs started (audit-epoch), each an entry of the chain itself
    unchained: int  # entries older than the chain (before migration 0005)

    @property
    def open_breaks(self) -> tuple[ChainBreak, ...]:
        return tuple(b for b in self.breaks if b.acknowledged_by is None)

    @property
    def ok(self) -> bool:
        return not self.open_breaks

    @property
    def first_bad_id(self) -> int | None:
        return next((b.entry_id for b in self.open_breaks), None)


# Every link recomputed from its entry (altered, deleted), and joined to its predecessor
# (link: a removed, inserted or reordered link); entries without a link (unsealed), and a
# head that is not the last link (a cut tail). All of them, in chain order.
_BREAKS = sa.text("""
    WITH c AS (
        SELECT c.seq, c.entry_id, c.prev_hash, c.hash, a.id IS NOT NULL AS present,
               CASE WHEN c.legacy THEN audit_entry_digest_v1(c.prev_hash, a)
                    ELSE audit_entry_digest(c.prev_hash, c.seq, a) END AS expected,
               lag(c.hash) OVER w AS previous, lag(c.seq) OVER w AS previous_seq
        FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.entry_id
        WINDOW w AS (ORDER BY c.seq)),
    head AS (SELECT seq, hash, unchained_max_id FROM audit_chain_head),
    last AS (SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1)
    SELECT 'deleted' AS kind, seq, entry_id, hash AS found, NULL AS expected, seq AS o
        FROM c WHERE NOT present
    UNION ALL
    SELECT 'altered', seq, entry_id, hash, expected, seq FROM c
        WHERE present AND hash IS DISTINCT FROM expected
    UNION ALL
    SELECT 'link', seq, entry_id, prev_hash, previous, seq FROM c
        WHERE prev_hash IS DISTINCT FROM previous OR seq <> coalesce(previous_seq, 0) + 1
    UNION ALL
    SELECT 'unsealed', NULL, a.id, NULL, NULL, NULL FROM audit_log a
        WHERE NOT EXISTS (SELECT FROM audit_chain c WHERE c.entry_id = a.id)
          AND a.id > coalesce((SELECT unchained_max_id FROM head), 0)
    UNION ALL
    SELECT 'head', h.seq, NULL, h.hash, l.hash, h.seq FROM head h FULL JOIN last l ON true
        WHERE coalesce(h.seq, 0) <> coalesce(l.seq, 0) OR h.hash IS DISTINCT FROM l.hash
    ORDER BY o NULLS LAST, kind, entry_id""")

# The epochs: entries of the chain, each listing the breaks it acknowledges.
_EPOCHS = (
    sa.select(AuditChainLink.seq, AuditEntry.after)
    .join(AuditChainLink, AuditChainLink.entry_id == AuditEntry.id)
    .where(AuditEntry.action == EPOCH_ACTION)
)


async def verify_chain(session: AsyncSession) -> ChainCheck:
    """Recompute every link: any edited, removed or inserted entry or link shows, every
    break is listed (one false alarm does not hide what follows it), and the breaks an
    epoch acknowledged are marked as such (an epoch that was itself altered counts not)."""
    rows = (await session.execute(_BREAKS)).all()
    found = [ChainBreak(r.kind, r.seq, r.entry_id, r.found, r.expected) for r in rows]
    damaged = {b.seq for b in found if b.kind in ("altered", "deleted")}
    acknowledged: dict[tuple[Any, ...], int] = {}
    epochs = 0
    for seq, after in (await session.execute(_EPOCHS)).all():
        epochs += 1
        if seq in damaged:
            continue
        for key in (after or {}).get("acknowledged", []):
            acknowledged.setdefault(tuple(sorted(key.items())), seq)
    breaks = tuple(
        replace(b, acknowledged_by=acknowledged.get(tuple(sorted(b.key().items())))) for b in found
    )
    checked = await session.scalar(sa.select(sa.func.count()).select_from(AuditChainLink))
    unchained = await session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.id <= sa.select(AuditChainHead.unchained_max_id).scalar_subquery(),
            ~sa.exists().where(AuditChainLink.entry_id == AuditEntry.id),
        )
    )
    return ChainCheck(int(checked or 0), breaks, epochs, int(unchained or 0))


async def start_epoch(session: AsyncSession, reason: str, operator: str) -> tuple[ChainBreak, ...]:
    """Acknowledge the open breaks (known false alarms, say those of the first chain's race)
    with an audited entry of the chain itself: history stays as it is, verify shows them as
    acknowledged, and any break after this, or any other change there, is open again.
    Returns what it acknowledged; with nothing open, nothing is written."""
    check = await verify_chain(session)
    if check.ok:
        return ()
    root = await session.scalar(sa.select(Org.path).where(Org.parent_id.is_(None)).limit(1))
    session.add(
        AuditEntry(
            action=EPOCH_ACTION,
            entity_type="AuditChain",
            entity_id=str(check.checked),
            org_path=root,
            after={
                "reason": reason,
                "operator": operator,
                "acknowledged": [b.key() for b in check.open_breaks],
            },
        )
    )
    await session.flush()
    return check.open_breaks


async def verify(ctx: Ctx) -> ChainCheck:
    root = await orgs.root_path(ctx)
    ctx.authorize_global(Act.VIEW, Obj.AUDIT, root)
    return await verify_chain(ctx.session)
