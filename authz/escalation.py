"""No escalation: what a giver may give, to whom, and which policy changes widen the
changer's own rights (and so need a second policy admin: four-eyes).

Rights are compared as permission sets from the policy store, never by role names: a role
may be given at an org only when every (object, action) line of it is allowed to the giver
there by the giver's OWN grants. Rights that came by delegation are never passed on (neither
granted nor delegated again), so nothing given can outlive the delegation it came from."""

from __future__ import annotations

from collections.abc import Iterable

from authz.decide import is_in_subtree
from authz.errors import ESCALATION, NEEDS_SECOND_APPROVAL, SELF_GRANT, Forbidden, NotFound
from authz.policy_store import PolicyStore
from authz.principal import GrantRef, Principal

Line = tuple[str, str, str]  # (role, object, action)


def own_grants(principal: Principal) -> tuple[GrantRef, ...]:
    return tuple(g for g in principal.grants if g.delegated_by is None)


def _holds(
    store: PolicyStore, grants: Iterable[GrantRef], obj: str, act: str, org_path: str
) -> bool:
    return any(
        is_in_subtree(org_path, g.org_path) and store.allows(g.role, obj, act) for g in grants
    )


def role_lines(store: PolicyStore, role: str) -> list[tuple[str, str]]:
    return sorted((p.object, p.action) for p in store.lines() if p.role == role)


def require_may_give(
    store: PolicyStore, principal: Principal, role: str, org_path: str, to_user_id: int
) -> None:
    """A grant or a delegation of `role` at `org_path` to `to_user_id`: never to oneself, and
    only a role whose every permission the giver holds there by their own grants."""
    if principal.user_id is not None and to_user_id == principal.user_id:
        raise Forbidden("不能给自己授权或委托", reason=SELF_GRANT)
    own = own_grants(principal)
    lacking = [(o, a) for o, a in role_lines(store, role) if not _holds(store, own, o, a, org_path)]
    if not lacking:
        return
    missing = [f"{o}:{a}" for o, a in lacking]
    if all(_holds(store, principal.grants, o, a, org_path) for o, a in lacking):
        raise Forbidden("代管得来的权限不能再授予或委托他人", reason=ESCALATION)
    raise Forbidden(
        f"只能授予或委托自己在该组织持有的全部权限；你缺少：{'、'.join(missing[:6])}"
        + ("等" if len(missing) > 6 else ""),
        reason=ESCALATION,
    )


def require_delegate_inside(principal: Principal, org_path: str, delegate_homes: list[str]) -> None:
    """A delegation goes only to someone inside the delegator's subtree: one of the
    delegate's places (cadre or youth record, own grants) lies under an own grant of the
    delegator that covers the delegated org. Anyone else answers as if absent."""
    roots = [g.org_path for g in own_grants(principal) if is_in_subtree(org_path, g.org_path)]
    if not any(is_in_subtree(home, root) for home in delegate_homes for root in roots):
        raise NotFound("受托人不存在或不在你的管辖范围内")


# ---------------------------------------------------------------- four-eyes


def widening_lines(store: PolicyStore, principal: Principal, lines: Iterable[Line]) -> list[Line]:
    """The template lines (after a change) that would give the principal a right it does not
    hold now: a line of a role they hold, for a pair not already allowed where it is held."""
    held = {g.role: [h for h in principal.grants if h.role == g.role] for g in principal.grants}
    out = []
    for role, obj, act in lines:
        if any(
            not _holds(store, principal.grants, obj, act, g.org_path) for g in held.get(role, [])
        ):
            out.append((role, obj, act))
    return out


def widens_field_rule(
    principal: Principal,
    role: str,
    old: tuple[int, bool] | None,
    new: tuple[int, bool] | None,
) -> bool:
    """A rule (max distance, minors) of a role the principal holds, reaching farther or to
    minors where the old one did not."""
    if new is None or not any(g.role == role for g in principal.grants):
        return False
    return old is None or new[0] > old[0] or (new[1] and not old[1])


FieldRuleLine = tuple[str, str, str, int, bool]  # (role, object, field, max distance, minors)


def require_no_widening(
    store: PolicyStore,
    principal: Principal,
    *,
    lines: Iterable[Line] = (),
    field_rules: Iterable[FieldRuleLine] = (),
    field_grant_to: int | None = None,
) -> None:
    """Refuse (NEEDS_SECOND_APPROVAL) a change that would widen the changer's own rights:
    template lines, field rules of a role they hold, a field exception for themself."""
    reasons = [f"给 {r} 增加 {o}:{a}" for r, o, a in widening_lines(store, principal, lines)]
    reasons += [
        f"放宽 {r} 对 {o}.{f} 的可见范围"
        for r, o, f, d, m in field_rules
        if widens_field_rule(principal, r, store.field_rules.get((r, o, f)), (d, m))
    ]
    if field_grant_to is not None and field_grant_to == principal.user_id:
        reasons.append("给自己开受保护字段的例外授权")
    if reasons:
        raise Forbidden(
            f"此变更会扩大你自己的权限（{'；'.join(reasons[:5])}），须由另一位权限管理员批准："
            "请用 requestPolicyChange 提交变更申请",
            reason=NEEDS_SECOND_APPROVAL,
        )
