"""Readable templates (authz/visibility.py `readable_template`) say exactly what the rules say.

A rule that reads the caller's scopes and who they are (their account, cadre, youth record,
city) is built once per shape of caller (`Who`) as a template and bound per caller (the
loaders by id, the org look-ahead, the lists of resolvers/listing.py). For every entity whose
rule is a template, and for callers of every role, at several places in the tree, alone or
combined, anonymous too, and for cadres, youth and both: the template bound to the caller,
rendered as SQL with its values, is the very SQL the caller's own `readable_one` renders —
the same predicate, so the same rows on any data; a scope the caller has no root in is
`false` in both (`template_for`), so a statement's text tells the planner so. Entities come
from the registry of rules, so a new entity is covered without a case of its own."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from authz.defaults import default_lines
from authz.policy_store import PolicyLine, PolicyStore
from authz.principal import GrantRef, Principal
from authz.visibility import (
    RULES,
    Subject,
    readable,
    readable_one,
    readable_template,
    template_for,
    who_is,
)
from models import Org, WorkLog, Youth

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
    # Who the caller is, in each shape, with no grant, a cadre's and a city admin's.
    identities = [
        {"cadre_id": 11, "cadre_city_id": 2},
        {"cadre_id": 11},  # a province-level cadre: no city
        {"youth_id": 12},
        {"cadre_id": 11, "cadre_city_id": 2, "youth_id": 12},
        {"cadre_id": 11, "cadre_city_id": 2, "checks": (31, 32)},
    ]
    for identity, grants in itertools.product(
        identities,
        [(), (GrantRef(1, "cadre", 1, "1.2.5"),), (GrantRef(2, "city_admin", 1, "1.2"),)],
    ):
        made.append(Principal(user_id=7, grants=grants, **identity))  # type: ignore[arg-type]
    return made


def _sql(predicate: sa.ColumnElement[bool], params: dict | None = None) -> str:
    stmt = sa.select(sa.literal(1)).where(predicate)
    if params:
        stmt = stmt.params(**params)
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


PRINCIPALS = _principals()


def test_rules_of_scopes_and_identity_are_templates() -> None:
    """The tree, the people and their work are templates for every caller without open spot
    checks; only rules that read a scope object itself (a pool, the root) stay per request."""
    for principal in PRINCIPALS:
        if principal.user_id is None or principal.checks:
            continue
        who = who_is(principal)
        names = {m.__name__ for m in RULES if readable_template(m, who) is not None}
        assert {"Org", "AuditEntry", "Report", "Youth", "WorkLog", "Cadre", "User"} <= names
        assert not {"Wish", "Campaign"} & names
    checker = next(p for p in PRINCIPALS if p.checks)
    assert readable_template(WorkLog, who_is(checker)) is None  # the sample: per request


@pytest.mark.parametrize("listed", [False, True], ids=["one", "listed"])
@pytest.mark.parametrize("model", list(RULES), ids=lambda m: m.__name__)
def test_a_bound_template_is_the_callers_rule(model: type, listed: bool) -> None:
    """`readable_one` (a row by id or through a parent), and `readable` (`listed`: what a
    list starts from, where a deleted log may be asked for)."""
    store = _store()
    rule = readable if listed else readable_one
    compared = 0
    for principal in PRINCIPALS:
        subject = Subject(store, principal)
        template = template_for(subject, model, listed=listed)
        if template is None:
            continue
        bound = template.bind(subject)
        if principal.user_id is None:
            # `readable` refuses an anonymous caller outright; so does the template.
            assert bound == {} and _sql(template.predicate) == _sql(sa.false())
            continue
        expected = rule(subject, model)
        assert _sql(template.predicate, bound) == _sql(expected), (model.__name__, principal)
        compared += 1
    if model.__name__ not in NOT_TEMPLATES:
        assert compared > 0, model.__name__


# Rules that read a scope object itself (its roots as a set: a pool, the root): per request.
NOT_TEMPLATES = {"Wish", "Campaign", "PolicyChangeRequest", "RubricVersion"}


def test_a_template_is_bound_to_its_own_shape() -> None:
    """A cadre's template bound to a youth would leave the cadre's branch out: refused."""
    store = _store()
    cadre = next(p for p in PRINCIPALS if p.cadre_id and not p.youth_id and not p.checks)
    youth = next(p for p in PRINCIPALS if p.youth_id and not p.cadre_id)
    template = readable_template(Youth, who_is(cadre))
    assert template is not None
    with pytest.raises(ValueError):
        template.bind(Subject(store, youth))


def test_a_template_needs_its_roots() -> None:
    """Unbound, a template's statement does not run: a caller's roots are never left out."""
    template = readable_template(Org, who_is(Principal(user_id=7)))
    assert template is not None
    with pytest.raises(sa.exc.InvalidRequestError):
        sa.select(sa.literal(1)).where(template.predicate).compile().construct_params()
