"""Readable templates (authz/visibility.py `readable_template`) say exactly what the rules say.

A rule that reads only the caller's scopes is built once as a template and bound per caller
(the loaders by id, the org look-ahead). For every entity whose rule is a template, and for
callers of every role, at several places in the tree, alone or combined, anonymous too: the
template bound to the caller, rendered as SQL with its values, is the very SQL the caller's
own `readable_one` renders — the same predicate, so the same rows on any data. Entities
come from the registry of rules, so a new entity is covered without a case of its own."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from authz.decide import _UNDER
from authz.defaults import default_lines
from authz.policy_store import PolicyLine, PolicyStore
from authz.principal import GrantRef, Principal
from authz.visibility import RULES, Subject, readable_one, readable_template
from authz.vocabulary import Act, Obj
from models.base import ltree_array

ROLES = sorted({role for role, _, _ in default_lines()})
PATHS = ["1", "1.2", "1.2.5", "1.3"]


def _store() -> PolicyStore:
    store = PolicyStore()
    store.replace([PolicyLine(*line) for line in default_lines()])
    return store


def _principals() -> list[Principal]:
    made = [Principal.anonymous(), Principal(user_id=7)]  # signed in, no grant
    grant_id = itertools.count(1)
    for role, path in itertools.product(ROLES, PATHS):
        made.append(Principal(user_id=7, grants=(GrantRef(next(grant_id), role, 1, path),)))
    for (r1, p1), (r2, p2) in [
        (("city_admin", "1.2"), ("county_admin", "1.3")),
        (("county_admin", "1.2.5"), ("city_admin", "1.2")),
        (("auditor", "1"), ("cadre", "1.3")),
    ]:
        grants = (GrantRef(next(grant_id), r1, 1, p1), GrantRef(next(grant_id), r2, 1, p2))
        made.append(Principal(user_id=7, grants=grants))
    return made


def _sql(predicate: sa.ColumnElement[bool], params: dict | None = None) -> str:
    stmt = sa.select(sa.literal(1)).where(predicate)
    if params:
        stmt = stmt.params(**params)
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


class _EmptyAsAny(Subject):
    """The caller's rule, except that a scope with no roots reads `<@ ANY('{}')` where
    `Scope.predicate` writes `false` — the form a bound template takes; the two are the same
    test (test_no_roots_holds_for_no_row), so the rest of the SQL must match exactly."""

    def within(self, obj: Obj, path: Any, act: Act = Act.VIEW) -> sa.ColumnElement[bool]:
        if self.scope(act, obj).roots:
            return super().within(obj, path, act)
        return path.operate(_UNDER, sa.any_(ltree_array([])))  # type: ignore[no-any-return]


TEMPLATED = [m for m in RULES if readable_template(m) is not None]


def test_scope_only_rules_are_templates() -> None:
    """The tree and the province's records are templates; rules of who the caller is are not
    (they stay per request): the split the loaders rely on."""
    names = {m.__name__ for m in TEMPLATED}
    assert {"Org", "AuditEntry", "Report"} <= names
    assert not {"Youth", "WorkLog", "Cadre", "User"} & names


@pytest.mark.parametrize("model", TEMPLATED, ids=lambda m: m.__name__)
def test_a_bound_template_is_the_callers_rule(model: type) -> None:
    store = _store()
    template = readable_template(model)
    assert template is not None and template.scopes
    for principal in _principals():
        subject = Subject(store, principal)
        bound = template.bind(subject)
        if principal.user_id is None:
            # `readable` refuses an anonymous caller outright; the bound template, with no
            # roots at all, holds for no row in the same way.
            assert all(roots == [] for roots in bound.values())
            continue
        expected = readable_one(_EmptyAsAny(store, principal), model)
        assert _sql(template.predicate, bound) == _sql(expected), (
            model.__name__,
            principal.grants,
        )


def test_a_template_needs_its_roots() -> None:
    """Unbound, a template's statement does not run: a caller's roots are never left out."""
    template = readable_template(next(iter(TEMPLATED)))
    assert template is not None
    with pytest.raises(sa.exc.InvalidRequestError):
        sa.select(sa.literal(1)).where(template.predicate).compile().construct_params()


async def test_no_roots_holds_for_no_row(engine) -> None:
    """`path <@ ANY('{}')` is false for every path, and for none (NULL): what a template
    bound to a caller without that scope says, as `false` does."""
    async with engine.connect() as conn:
        got = await conn.execute(
            sa.text(
                "SELECT p <@ ANY(CAST(ARRAY[]::text[] AS ltree[])) FROM (VALUES "
                "('1'::ltree), ('1.2.3'::ltree), (NULL::ltree)) AS v(p)"
            )
        )
        assert [r[0] for r in got] == [False, False, False]
