"""Honest checks (§五.1 电话抽查、实地检查、委托调查): who works a spot check's sample, who
sees the numbers they must call, and the rule that nobody samples, checks or reviews flags
on their own records."""

from __future__ import annotations

from datetime import UTC, datetime

from authz.decide import is_in_subtree
from authz.errors import OWN_RECORDS, Forbidden
from authz.principal import Principal


def refuse_own_records(principal: Principal, cadre_id: int | None, what: str) -> None:
    """A record written by the asking cadre: they may not check it (sample, call, review)."""
    if cadre_id is not None and principal.cadre_id == cadre_id:
        raise Forbidden(f"不能{what}本人的记录", reason=OWN_RECORDS)


def refuse_inside(cadre_org_path: str | None, subtree_path: str, who: str) -> None:
    """A check over a subtree that holds `who`'s own records (their cadre's org lies in it)
    is no check: the level above, or an outside account, draws and works it."""
    if cadre_org_path is not None and is_in_subtree(cadre_org_path, subtree_path):
        raise Forbidden(
            f"{who}本人的记录在被抽查范围内：不能抽查本人的记录，请由上级或委托的外部账号抽查",
            reason=OWN_RECORDS,
        )


def is_live_checker(
    principal: Principal,
    checker_id: int | None,
    closed_at: datetime | None,
    ends_at: datetime | None,
) -> bool:
    """The checker of an open spot check (before its end): records what they find."""
    live = closed_at is None and (ends_at is None or ends_at > datetime.now(UTC))
    return live and principal.user_id is not None and principal.user_id == checker_id


def may_call_sample(principal: Principal, check_id: int) -> bool:
    """The whole numbers of one check's sample: its checker, through the field grant tied to
    that check, which ends with it."""
    return check_id in principal.sample_grants
