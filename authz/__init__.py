"""Authorization, decided here alone: Casbin role templates, grants at tree nodes, scopes."""

from authz.decide import (
    BY_OWNERSHIP,
    Decision,
    Scope,
    authorize,
    authorize_global,
    decide,
    is_in_subtree,
    is_own_cadre,
    is_own_youth,
    mask_mobile,
    may_see_personal,
    own_or_scope,
    require_cadre,
    require_user,
    require_youth,
    scope,
)
from authz.policy_store import PolicyLine, PolicyStore
from authz.principal import GrantRef, Principal, load_principal
from authz.vocabulary import Act, Obj

__all__ = [
    "BY_OWNERSHIP",
    "Act",
    "Decision",
    "GrantRef",
    "Obj",
    "PolicyLine",
    "PolicyStore",
    "Principal",
    "Scope",
    "authorize",
    "authorize_global",
    "decide",
    "is_in_subtree",
    "is_own_cadre",
    "is_own_youth",
    "load_principal",
    "mask_mobile",
    "may_see_personal",
    "own_or_scope",
    "require_cadre",
    "require_user",
    "require_youth",
    "scope",
]
