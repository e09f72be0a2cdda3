"""The only place that decides access: `authorize` for one object, `scope` for lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import operators

from authz import errors
from authz.errors import Forbidden, NotFound, Unauthenticated
from authz.policy_store import PolicyLine, PolicyStore
from authz.principal import GrantRef, Principal
from authz.vocabulary import Act, Obj
from models.base import ltree_array


def is_in_subtree(path: str, root: str) -> bool:
    """ltree's `path <@ root`, in Python (labels are whole ids, so compare by label)."""
    return path == root or path.startswith(root + ".")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    grant: GrantRef | None = None
    line: PolicyLine | None = None


# Allowed by a relationship (one's own record, one's own youth), not by any grant: a write it
# allows never acts for anyone.
BY_OWNERSHIP = Decision(True)


def decide(store: PolicyStore, principal: Principal, act: Act, obj: Obj, org_path: str) -> Decision:
    """Allowed when a grant at the org or any ancestor carries a role that allows (obj, act).
    The principal's grants come own-first, then by id (`Principal`), so the deciding grant is
    a delegated one only when no own grant allows: the acting-for mark is deterministic."""
    for grant in principal.grants:
        if is_in_subtree(org_path, grant.org_path) and store.allows(grant.role, obj, act):
            return Decision(True, grant, PolicyLine(grant.role, obj.value, act.value))
    return Decision(False)


def require_user(principal: Principal) -> int:
    if principal.user_id is None:
        if principal.token_error == "expired":
            raise Unauthenticated("登录已过期，请刷新令牌", reason=errors.TOKEN_EXPIRED)
        if principal.token_error == "revoked":
            raise Unauthenticated("登录已失效，请重新登录", reason=errors.TOKEN_REVOKED)
        if principal.token_error:
            raise Unauthenticated("登录凭证无效，请重新登录", reason=errors.TOKEN_INVALID)
        raise Unauthenticated(reason=errors.LOGIN_REQUIRED)
    return principal.user_id


def authorize(
    store: PolicyStore, principal: Principal, act: Act, obj: Obj, org_path: str
) -> Decision:
    """Raise unless allowed. An object whose org the principal cannot even see is NOT_FOUND,
    so that probing ids tells nothing about other subtrees."""
    require_user(principal)
    decision = decide(store, principal, act, obj, org_path)
    if decision.allowed:
        return decision
    if decide(store, principal, Act.VIEW, Obj.ORG, org_path).allowed:
        raise Forbidden()
    raise NotFound()


def authorize_global(
    store: PolicyStore, principal: Principal, act: Act, obj: Obj, root_path: str
) -> Decision:
    """For objects that hold for the whole province (role templates, quotas, point rules):
    the right must be held at the root. Those who may see them are told FORBIDDEN."""
    require_user(principal)
    decision = decide(store, principal, act, obj, root_path)
    if decision.allowed:
        return decision
    if any(store.allows(g.role, obj, Act.VIEW) for g in principal.grants):
        raise Forbidden("此项由团省委统一设定，下级不能修改")
    raise NotFound()


# ltree's "is a descendant of (or equal to)", made once: `.op()` builds an operator per call.
_UNDER: operators.custom_op[bool] = operators.custom_op("<@", is_comparison=True)


@dataclass(frozen=True)
class Scope:
    """The subtrees a principal may act in, as produced by `scope()` alone.

    List queries take a Scope, never raw org ids, so no resolver can widen it."""

    obj: Obj
    act: Act
    roots: tuple[str, ...]

    def covers(self, path: str) -> bool:
        return any(is_in_subtree(path, r) for r in self.roots)

    def predicate(
        self, path_column: sa.ColumnElement[Any] | QueryableAttribute[Any]
    ) -> sa.ColumnElement[bool]:
        """`org_path <@ ANY(:roots)`: one indexed predicate, no join over the tree."""
        if not self.roots:
            return sa.false()
        return path_column.operate(_UNDER, sa.any_(ltree_array(list(self.roots))))


def minimal_roots(paths: list[str]) -> tuple[str, ...]:
    """Drop every path that lies under another one: O(paths × depth)."""
    unique = set(paths)
    roots = []
    for path in sorted(unique):
        labels = path.split(".")
        if not any(".".join(labels[:i]) in unique for i in range(1, len(labels))):
            roots.append(path)
    return tuple(roots)


def scope(
    store: PolicyStore, principal: Principal, act: Act, obj: Obj, *, required: bool = True
) -> Scope:
    """The principal's subtree roots for (obj, act). With `required`, having none anywhere is
    FORBIDDEN (a denial is said, never disguised as an empty list)."""
    require_user(principal)
    roots = minimal_roots([g.org_path for g in principal.grants if store.allows(g.role, obj, act)])
    if required and not roots:
        raise Forbidden()
    return Scope(obj, act, roots)


# Ownership rules: a person and their own record.
def require_cadre(principal: Principal) -> int:
    """The caller's own cadre id: the cadre's own list, logs and choices."""
    require_user(principal)
    if principal.cadre_id is None:
        raise Forbidden("仅团干部可以执行此操作")
    return principal.cadre_id


def require_youth(principal: Principal) -> int:
    require_user(principal)
    if principal.youth_id is None:
        raise Forbidden("仅小伙伴本人可以执行此操作")
    return principal.youth_id


def own_or_scope(
    principal: Principal,
    scope: Scope,
    path_column: sa.ColumnElement,
    own: Callable[[int], sa.ColumnElement[bool]],
) -> sa.ColumnElement[bool]:
    """What the caller owns as a cadre (`own(cadre_id)`: their logs, the groups they lead or
    belong to), plus whatever the scope covers (for leaders)."""
    mine = own(principal.cadre_id) if principal.cadre_id is not None else sa.false()
    return sa.or_(mine, scope.predicate(path_column)) if scope.roots else mine


def is_own_youth(principal: Principal, youth_id: int) -> bool:
    return principal.youth_id is not None and principal.youth_id == youth_id


def is_own_cadre(principal: Principal, cadre_id: int) -> bool:
    return principal.cadre_id is not None and principal.cadre_id == cadre_id


def may_see_field(
    store: PolicyStore,
    principal: Principal,
    obj: Obj,
    field_name: str,
    org_path: str,
    *,
    own: bool = False,
    minor: bool = False,
) -> bool:
    """A guarded personal field, whole: the person themself and their own cadres (`own`);
    a role with `view_personal` whose field rule reaches this far below its grant (and covers
    minors if the record is a minor's); or a field grant of one's own (an audited exception)."""
    if own:
        return True
    depth = org_path.count(".")
    for g in principal.grants:
        if not is_in_subtree(org_path, g.org_path) or not store.allows(
            g.role, obj, Act.VIEW_PERSONAL
        ):
            continue
        rule = store.field_rules.get((g.role, obj.value, field_name))
        if rule and depth - g.org_path.count(".") <= rule[0] and (rule[1] or not minor):
            return True
    return any(
        f.object == obj.value
        and f.field == field_name
        and is_in_subtree(org_path, f.org_path)
        and (f.minors or not minor)
        for f in principal.field_grants
    )


def may_see_personal(
    store: PolicyStore,
    principal: Principal,
    youth_id: int,
    org_path: str,
    *,
    own_contact: bool = False,
    minor: bool = False,
    field_name: str = "mobile",
) -> bool:
    """A youth's guarded field: themself, their own cadres (`own_contact`: a live link to the
    asking cadre), and what the field rules and exceptions allow."""
    own = is_own_youth(principal, youth_id) or (own_contact and principal.cadre_id is not None)
    return may_see_field(store, principal, Obj.YOUTH, field_name, org_path, own=own, minor=minor)


def mask_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 7 else "****"
