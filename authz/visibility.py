"""Who may see which rows: one readable statement per entity, as polar's
`get_readable_statement(auth_subject)`.

Every read of a tenant-owned row starts here: lists, lookups by id, the loaders behind nested
fields, counts, aggregates and exports. A row another rule would show "because its parent was
visible" is not visible: each entity answers for itself. The table of rules is in
docs/authorization.md ("Visibility").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import operators, visitors

from authz.decide import _UNDER, Scope, scope
from authz.policy_store import PolicyStore
from authz.principal import Principal, active_grant
from authz.vocabulary import Act, Obj
from models import (
    AssessmentContribution,
    AssessmentRound,
    AssessmentScore,
    AuditEntry,
    Bulletin,
    BulletinLine,
    Cadre,
    Campaign,
    Contact,
    ContactStatus,
    DeletionRequest,
    Discussion,
    Evidence,
    FieldGrant,
    Flag,
    Grant,
    ImplementationPlan,
    LearnAndDoChoice,
    LearnAndDoRecommendation,
    LearnAndDoRecord,
    Nomination,
    Org,
    PointEntry,
    PolicyChangeRequest,
    Post,
    PostAudience,
    Rating,
    Reminder,
    Report,
    Resource,
    RubricVersion,
    SecretaryContact,
    SharingEvent,
    SpotCheck,
    SpotCheckItem,
    User,
    Voice,
    Wish,
    WorkingGroup,
    WorkingGroupMember,
    WorkLog,
    Youth,
)
from models.base import ltree_array_param

M = TypeVar("M")


class Subject:
    """The principal and the policy, with the subtree roots of each (act, obj) computed once."""

    def __init__(self, store: PolicyStore, principal: Principal) -> None:
        self.store = store
        self.principal = principal
        self._scopes: dict[tuple[Act, Obj], Scope] = {}
        self._within: dict[tuple[Act, Obj, Any], sa.ColumnElement[bool]] = {}
        self.who = who_is(principal)

    def scope(self, act: Act, obj: Obj) -> Scope:
        key = (act, obj)
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = scope(self.store, self.principal, act, obj, required=False)
        return found

    def within(self, obj: Obj, path: Any, act: Act = Act.VIEW) -> sa.ColumnElement[bool]:
        """`path <@ ANY(roots)` for the grants whose role allows (obj, act); made once per
        request and column (a clause is immutable: every statement of the request shares it)."""
        key = (act, obj, path)
        found = self._within.get(key)
        if found is None:
            found = self._within[key] = self.scope(act, obj).predicate(path)
        return found

    @property
    def cadre_id(self) -> int | None:
        return self.principal.cadre_id

    @property
    def youth_id(self) -> int | None:
        return self.principal.youth_id


Rule = Callable[[Subject], sa.ColumnElement[bool]]
RULES: dict[type, Rule] = {}


def rule(model: type) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[model] = fn
        return fn

    return register


def readable(subject: Subject, model: type) -> sa.ColumnElement[bool]:
    """The predicate a row of `model` must meet to be seen by `subject`."""
    if not isinstance(subject, _Parametric) and subject.principal.user_id is None:
        return sa.false()
    return RULES[model](subject)


# Rows a lookup by id or a nested field never shows, though a list may when asked
# (`workLogs(includeDeleted: true)`): a deleted log is not there unless one asks for it.
HIDDEN_UNLESS_ASKED: dict[type, Callable[[], sa.ColumnElement[bool]]] = {
    WorkLog: lambda: WorkLog.deleted_at.is_(None),
}


def readable_one(subject: Subject, model: type) -> sa.ColumnElement[bool]:
    """`readable`, for a row reached by id or through a parent."""
    hidden = HIDDEN_UNLESS_ASKED.get(model)
    rule = readable(subject, model)
    return sa.and_(rule, hidden()) if hidden else rule


class NotTemplatable(Exception):
    """A rule that reads more of the caller than their scopes and who they are (the scope
    object itself, their open spot checks): built per request."""


class Who(NamedTuple):
    """Which parts of who the caller is they have: the shape their rules take. A rule reads
    these (`_is(Cadre.id, s.cadre_id)` is there for a cadre, absent for anyone else), so
    callers of one shape share one template, their values bound as parameters."""

    user: bool
    cadre: bool
    youth: bool
    city: bool
    checks: bool


def who_is(principal: Principal) -> Who:
    return Who(
        principal.user_id is not None,
        principal.cadre_id is not None,
        principal.youth_id is not None,
        principal.cadre_city_id is not None,
        bool(principal.checks),
    )


# Who the caller is, as a template's parameters: the principal's attribute of each name.
IDENTITY = ("user_id", "cadre_id", "youth_id", "cadre_city_id")


class _Identity:
    """The principal of a parametric subject: each part of who the caller is that `who`
    says they have, as a parameter `me_<attribute>` (recorded as read); None for a part
    they do not have, as a real principal says."""

    def __init__(self, who: Who, read: set[str]) -> None:
        self._has = dict(zip(IDENTITY, (who.user, who.cadre, who.youth, who.city), strict=True))
        self._checks = who.checks
        self._read = read

    def __getattr__(self, name: str) -> Any:
        if name == "checks":  # open spot checks are a few callers': built per request
            if self._checks:
                raise NotTemplatable("a rule reading the caller's open spot checks")
            return ()
        if name not in self._has:
            raise NotTemplatable(f"a rule reading the principal's {name}")
        if not self._has[name]:
            return None
        self._read.add(name)
        return sa.bindparam(f"me_{name}")


class _Parametric(Subject):
    """A subject whose scopes and identity are parameters. A rule applied to it gives a
    predicate of one shape for every caller of the same `Who`: `path <@ ANY(:roots_<obj>_
    <act>)`, `cadres.id = :me_cadre_id` …: a statement around it is built once and bound
    per caller (`ReadableTemplate.bind`)."""

    def __init__(self, who: Who, empty: frozenset[tuple[Act, Obj]]) -> None:
        self.scopes: dict[str, tuple[Act, Obj]] = {}
        self.identity: set[str] = set()
        self.who, self.empty = who, empty
        self.principal = _Identity(who, self.identity)  # type: ignore[assignment]

    def within(self, obj: Obj, path: Any, act: Act = Act.VIEW) -> sa.ColumnElement[bool]:
        if (act, obj) in self.empty:  # as `Scope.predicate` writes it: `false`, no parameter
            return sa.false()
        name = f"roots_{obj.name}_{act.name}".lower()
        self.scopes[name] = (act, obj)
        return path.operate(_UNDER, sa.any_(ltree_array_param(name)))

    def scope(self, act: Act, obj: Obj) -> Scope:
        raise NotTemplatable(f"a rule reading the scope of {obj.name}/{act.name} itself")

    def __getattr__(self, name: str) -> Any:
        # The policy (store) and the rest: not set here, so a rule that reads them is no
        # template.
        raise NotTemplatable(f"a rule reading {name}")


@dataclass(frozen=True, eq=False)  # one object per rule and shape: compared by identity
class ReadableTemplate:
    """`readable_one(subject, model)` with the subject's roots and identity as parameters:
    the same rows for every subject of its `who` once bound (tests/authz/test_templates.py
    holds every template to it, for callers of every shape)."""

    predicate: sa.ColumnElement[bool]
    scopes: tuple[tuple[str, Act, Obj], ...]
    identity: tuple[str, ...]
    who: Who
    empty: frozenset[tuple[Act, Obj]] = frozenset()  # the scopes written `false`

    def bind(self, subject: Subject) -> dict[str, Any]:
        """The subject's roots for each scope the rule reads, and each part of who they are
        it reads. Only for a subject of the template's own shape: another's rule differs."""
        if subject.who != self.who:
            raise ValueError(f"a template for {self.who} bound to a caller of {subject.who}")
        bound: dict[str, Any] = {
            name: list(subject.scope(act, obj).roots) for name, act, obj in self.scopes
        }
        for name in self.identity:
            bound[f"me_{name}"] = getattr(subject.principal, name)
        return bound


def template_for(subject: Subject, model: type, *, listed: bool = False) -> ReadableTemplate | None:
    """The template of `model`'s rule for this caller (`readable_template`), with each scope
    the rule reads and the caller has no root in written `false`, as the caller's own rule
    writes it. A statement's text then differs between a caller without a scope and one
    with it, as it did when built per request: asyncpg prepares every statement, and after
    five runs PostgreSQL may keep a generic plan, made without the values; one made for
    `org_path <@ ANY($1)`, not knowing that $1 is empty, read a cadre's own 50 logs at
    scale 1 in 24.7 s (EXPLAIN ANALYZE with plan_cache_mode = force_generic_plan)."""
    base = readable_template(model, subject.who, listed=listed)
    if base is None or not base.scopes:
        return base
    empty = frozenset((a, o) for _, a, o in base.scopes if not subject.scope(a, o).roots)
    return _template(model, RULES[model], subject.who, listed, empty) if empty else base


def one_subtree(subject: Subject, template: ReadableTemplate, path: Any) -> str | None:
    """The one root under which lie all the rows `template` shows this caller, when its
    predicate is exactly `path <@ ANY(roots)` of one scope (a leader who is neither cadre
    nor youth) and the caller has one root there. A list without `under` narrowed to it
    restates the rule, and the planner then reads that city's partition alone: a city
    admin's newest work logs at scale 1 took 1.2 s across every city's partition (each
    read to its end for rows it cannot hold), and 0.3 ms narrowed."""
    scope = _exact_scope(template, path)
    if scope is None:
        return None
    roots = subject.scope(*scope).roots
    return roots[0] if len(roots) == 1 else None


@cache
def _exact_scope(template: ReadableTemplate, path: Any) -> tuple[Act, Obj] | None:
    if template.identity or len(template.scopes) != 1:
        return None
    name, act, obj = template.scopes[0]
    alone = path.operate(_UNDER, sa.any_(ltree_array_param(name)))
    return (act, obj) if _same_sql(template.predicate, alone) else None


@dataclass(frozen=True)
class Spread:
    """Where the rows a caller's rule shows can lie: under `roots` (the roots of every scope
    the rule tests), or among the rows `own` shows (the rule with every scope empty: what
    the caller sees as who they are; None when that is nothing)."""

    roots: tuple[str, ...]
    own: ReadableTemplate | None


def spread(subject: Subject, model: type, path: Any) -> Spread | None:
    """The `Spread` of `model`'s listed rule for this caller, when the rule tests its scopes
    on the rows' own `path` alone (each rule is monotone in its scope tests: a row shown with
    some scope tested false is shown by the rule with every scope empty, and a row a scope
    test holds for lies under one of its roots). None otherwise. A list of a table kept by
    city then reads the cities of those roots and of the caller's own rows alone: a city
    leader who is also a cadre read every city's partition for their newest logs."""
    template = template_for(subject, model, listed=True)
    if template is None or not _on_own_path(model, RULES[model], subject.who, path):
        return None
    roots = tuple(r for _, a, o in template.scopes for r in subject.scope(a, o).roots)
    everything = frozenset((a, o) for _, a, o in template.scopes) | template.empty
    own = readable_template(model, subject.who, listed=True, empty=everything)
    if own is None:
        return None
    return Spread(roots, None if _same_sql(own.predicate, sa.false()) else own)


def _same_sql(a: sa.ColumnElement[bool], b: sa.ColumnElement[bool]) -> bool:
    """The two predicates are written the same (PostgreSQL's SQL, parameters by name)."""
    dialect = postgresql.dialect()
    return str(a.compile(dialect=dialect)) == str(b.compile(dialect=dialect))


class _OwnPath(_Parametric):
    """A parametric subject that refuses a scope tested on any column but `path`."""

    def __init__(self, who: Who, path: Any) -> None:
        super().__init__(who, frozenset())
        self.own_path = path

    def within(self, obj: Obj, path: Any, act: Act = Act.VIEW) -> sa.ColumnElement[bool]:
        if path is not self.own_path:
            raise NotTemplatable("a scope tested on another column")
        return super().within(obj, path, act)


@cache
def _on_own_path(model: type, rule: Rule, who: Who, path: Any) -> bool:
    """The rule tests its scopes on `path` alone, and negates nothing (so it is monotone in
    its scope tests, as `spread` needs)."""
    try:
        predicate = readable(_OwnPath(who, path), model)
    except NotTemplatable:
        return False
    return not any(
        getattr(e, "operator", None) in _NEGATING and _tests_a_scope(e)
        for e in visitors.iterate(predicate)
    )


# How SQLAlchemy writes a negation (`not_`, `~`, `!=`, NOT IN, NOT LIKE).
_NEGATING = (
    operators.inv,
    operators.is_false,
    operators.ne,
    operators.not_in_op,
    operators.not_like_op,
    operators.not_ilike_op,
)


def _tests_a_scope(element: Any) -> bool:
    return any(
        isinstance(e, sa.BindParameter) and str(e.key).startswith("roots_")
        for e in visitors.iterate(element)
    )


def readable_template(
    model: type, who: Who, *, listed: bool = False, empty: frozenset[tuple[Act, Obj]] = frozenset()
) -> ReadableTemplate | None:
    """The model's `readable_one` for callers of shape `who` (`listed`: its `readable`, what
    a list starts from), as a template, the scopes of `empty` written `false`; None when its
    rule reads more than the caller's scopes and identity (NotTemplatable): such a rule is
    built per request as before. Made once per rule and shape: a rule replaced in RULES (a
    test weakening one) gets its own."""
    return _template(model, RULES[model], who, listed, empty)


@cache
def _template(
    model: type, rule: Rule, who: Who, listed: bool, empty: frozenset[tuple[Act, Obj]]
) -> ReadableTemplate | None:
    if not who.user:  # `readable` refuses an anonymous caller outright, as this does
        return ReadableTemplate(sa.false(), (), (), who)
    parametric = _Parametric(who, empty)
    try:
        predicate = (readable if listed else readable_one)(parametric, model)
    except NotTemplatable:
        return None
    scopes = tuple((name, act, obj) for name, (act, obj) in parametric.scopes.items())
    return ReadableTemplate(predicate, scopes, tuple(sorted(parametric.identity)), who, empty)


def readable_statement(subject: Subject, model: type[M]) -> sa.Select[M]:
    return sa.select(model).where(readable(subject, model))


def _either(*terms: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool]:
    present = [t for t in terms if t is not None]
    return sa.or_(*present) if present else sa.false()


def _is(column: Any, value: int | None) -> sa.ColumnElement[bool] | None:
    return column == value if value is not None else None


# ---------------------------------------------------------------- relationships


def active_cadres_of(youth_id: int) -> sa.Select[int]:
    """The cadres a youth has accepted (a link gives rights only once consented)."""
    return sa.select(Contact.cadre_id).where(
        Contact.youth_id == youth_id, Contact.status == ContactStatus.ACTIVE
    )


def inviting_cadres_of(youth_id: int) -> sa.Select[int]:
    """The cadres who invited a youth or whom they accepted: a youth must see who asks."""
    return sa.select(Contact.cadre_id).where(
        Contact.youth_id == youth_id,
        Contact.status.in_((ContactStatus.INVITED, ContactStatus.ACTIVE)),
    )


def active_youth_of(cadre_id: int, city_id: int | None = None) -> sa.Select[int]:
    """With the cadre's city: their links are all in it (the cadre's org's), and the planner
    reads that city's partition of contacts alone (migration 0027)."""
    in_city = () if city_id is None else (Contact.city_id == city_id,)
    return sa.select(Contact.youth_id).where(
        Contact.cadre_id == cadre_id, Contact.status == ContactStatus.ACTIVE, *in_city
    )


def groups_of(cadre_id: int, *, active_only: bool = True) -> sa.Select[int]:
    """The working groups a cadre leads or belongs to (by default the active ones)."""
    member = sa.select(WorkingGroupMember.group_id).where(WorkingGroupMember.cadre_id == cadre_id)
    mine = sa.or_(WorkingGroup.leader_cadre_id == cadre_id, WorkingGroup.id.in_(member))
    return sa.select(WorkingGroup.id).where(
        WorkingGroup.is_active if active_only else sa.true(), mine
    )


def group_fellows_of(cadre_id: int) -> sa.CompoundSelect:
    """Leaders and members of the groups a cadre leads or belongs to."""
    mine = groups_of(cadre_id)
    return sa.union(
        sa.select(WorkingGroup.leader_cadre_id).where(WorkingGroup.id.in_(mine)),
        sa.select(WorkingGroupMember.cadre_id).where(WorkingGroupMember.group_id.in_(mine)),
    )


def secretaries_of(cadre_id: int) -> sa.Select[int]:
    """The grassroots secretaries a county cadre keeps in touch with."""
    return sa.select(SecretaryContact.secretary_cadre_id).where(
        SecretaryContact.cadre_id == cadre_id
    )


# ---------------------------------------------------------------- the tree and people


@rule(Org)
def _org(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.ORG, Org.path)


@rule(Cadre)
def _cadre(s: Subject) -> sa.ColumnElement[bool]:
    c, y = s.cadre_id, s.youth_id
    return _either(
        s.within(Obj.CADRE, Cadre.org_path),
        # whoever may view a subtree's work sees who did it (rankings, gaps, who is behind)
        s.within(Obj.WORK, Cadre.org_path),
        _is(Cadre.id, c),
        Cadre.id.in_(group_fellows_of(c)) if c is not None else None,
        Cadre.id.in_(secretaries_of(c)) if c is not None else None,
        Cadre.id.in_(inviting_cadres_of(y)) if y is not None else None,
    )


@rule(Youth)
def _youth(s: Subject) -> sa.ColumnElement[bool]:
    c, y = s.cadre_id, s.youth_id
    return _either(
        s.within(Obj.YOUTH, Youth.org_path),
        _is(Youth.id, y),
        Youth.id.in_(active_youth_of(c, s.principal.cadre_city_id)) if c is not None else None,
    )


@rule(User)
def _user(s: Subject) -> sa.ColumnElement[bool]:
    """An account: one's own, or one whose cadre or youth record, or grant, one may see."""
    return _either(
        User.id == s.principal.user_id,
        User.id.in_(sa.select(Cadre.user_id).where(readable(s, Cadre))),
        User.id.in_(sa.select(Youth.user_id).where(readable(s, Youth))),
        # the holder of any grant (live or not) in one's grant:view subtrees
        User.id.in_(sa.select(Grant.user_id).where(s.within(Obj.GRANT, Grant.org_path))),
        User.id.in_(  # who delegated to me: a delegate acts for them and must know it
            sa.select(Grant.delegated_by).where(
                Grant.user_id == s.principal.user_id, active_grant(Grant)
            )
        ),
    )


def _between_cadre_and_youth(obj: Obj, model: Any) -> Rule:
    """Rows between a cadre and a youth (a link, a log, a voice): both of them see it, and
    whoever may view `obj` in the subtree it belongs to."""

    def visible(s: Subject) -> sa.ColumnElement[bool]:
        return _either(
            s.within(obj, model.org_path),
            _is(model.cadre_id, s.cadre_id),
            _is(model.youth_id, s.youth_id),
        )

    return visible


BETWEEN_CADRE_AND_YOUTH: tuple[tuple[Obj, type], ...] = (
    (Obj.WORK, Contact),
    (Obj.VOICE, Voice),
)
for _obj, _between in BETWEEN_CADRE_AND_YOUTH:
    rule(_between)(_between_cadre_and_youth(_obj, _between))
_log_between = _between_cadre_and_youth(Obj.WORK, WorkLog)


@rule(WorkLog)
def _work_log(s: Subject) -> sa.ColumnElement[bool]:
    """Between a cadre and a youth, and the sample of an open spot check to its checker."""
    checks = s.principal.checks
    sampled = (
        WorkLog.id.in_(sa.select(SpotCheckItem.log_id).where(SpotCheckItem.check_id.in_(checks)))
        if checks
        else None
    )
    return _either(_log_between(s), sampled)


@rule(DeletionRequest)
def _deletion_request(s: Subject) -> sa.ColumnElement[bool]:
    in_scope = sa.select(Youth.id).where(s.within(Obj.YOUTH, Youth.org_path, Act.MANAGE))
    return _either(
        DeletionRequest.youth_id.in_(in_scope), _is(DeletionRequest.youth_id, s.youth_id)
    )


# ---------------------------------------------------------------- cadres' work


def _own_work(model: Any) -> Rule:
    """Work records of a cadre: the cadre's own, and those of the subtrees one may view."""

    def visible(s: Subject) -> sa.ColumnElement[bool]:
        return _either(s.within(Obj.WORK, model.org_path), _is(model.cadre_id, s.cadre_id))

    return visible


for _model in (
    PointEntry,
    LearnAndDoChoice,
    LearnAndDoRecord,
    LearnAndDoRecommendation,
    SecretaryContact,
):
    rule(_model)(_own_work(_model))


@rule(Reminder)
def _reminder(s: Subject) -> sa.ColumnElement[bool]:
    """A reminder is for its cadre alone (their inbox), not for those above them."""
    return _either(_is(Reminder.cadre_id, s.cadre_id))


@rule(WorkingGroup)
def _working_group(s: Subject) -> sa.ColumnElement[bool]:
    c = s.cadre_id
    return _either(
        s.within(Obj.GROUP, WorkingGroup.org_path),
        WorkingGroup.id.in_(groups_of(c, active_only=False)) if c is not None else None,
    )


@rule(SharingEvent)
def _sharing_event(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.GROUP, SharingEvent.org_path)


# ---------------------------------------------------------------- youth services


@rule(Wish)
def _wish(s: Subject) -> sa.ColumnElement[bool]:
    pool = s.scope(Act.MANAGE, Obj.WISH)
    return _either(
        s.within(Obj.WISH, Wish.org_path),
        _is(Wish.youth_id, s.youth_id),
        _is(Wish.cadre_id, s.cadre_id),
        sa.and_(Wish.pool_org_path.is_not(None), pool.predicate(Wish.pool_org_path))
        if pool.roots
        else None,
    )


@rule(Resource)
def _resource(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.RESOURCE, Resource.org_path)


def feed_of(youth_id: int) -> sa.ColumnElement[bool]:
    """Posts for a youth: from the cadres they accepted (MY_YOUTH), or pushed to their org or
    an ancestor of it (SUBTREE)."""
    mine = sa.and_(
        Post.audience == PostAudience.MY_YOUTH, Post.cadre_id.in_(active_cadres_of(youth_id))
    )
    own_path = sa.select(Youth.org_path).where(Youth.id == youth_id).scalar_subquery()
    pushed = sa.and_(
        Post.audience == PostAudience.SUBTREE,
        Post.org_path.op("@>", is_comparison=True)(own_path),
    )
    return sa.or_(mine, pushed)


@rule(Post)
def _post(s: Subject) -> sa.ColumnElement[bool]:
    y = s.youth_id
    return _either(
        s.within(Obj.POST, Post.org_path),
        _is(Post.cadre_id, s.cadre_id),
        feed_of(y) if y is not None else None,
    )


@rule(Discussion)
def _discussion(s: Subject) -> sa.ColumnElement[bool]:
    y = s.youth_id
    return _either(
        _is(Discussion.cadre_id, s.cadre_id),
        Discussion.cadre_id.in_(active_cadres_of(y)) if y is not None else None,
    )


@rule(Rating)
def _rating(s: Subject) -> sa.ColumnElement[bool]:
    return _either(s.within(Obj.RATING, Rating.org_path), _is(Rating.youth_id, s.youth_id))


# ---------------------------------------------------------------- policy, audit, checking


@rule(Grant)
def _grant(s: Subject) -> sa.ColumnElement[bool]:
    return _either(s.within(Obj.GRANT, Grant.org_path), Grant.user_id == s.principal.user_id)


@rule(AuditEntry)
def _audit_entry(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.AUDIT, AuditEntry.org_path)


@rule(Report)
def _report(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.REPORT, Report.org_path)


def _within_work(model: Any) -> Rule:
    return lambda s: s.within(Obj.WORK, model.org_path)


for _work_model in (Bulletin, Flag, AssessmentRound):
    rule(_work_model)(_within_work(_work_model))


@rule(FieldGrant)
def _field_grant(s: Subject) -> sa.ColumnElement[bool]:
    """A field exception is policy: seen where the caller may view the policy."""
    return s.within(Obj.POLICY, FieldGrant.org_path)


def _above(s: Subject, act: Act, obj: Obj, path: Any) -> sa.ColumnElement[bool]:
    """`act` on `obj` at a strict ancestor of `path` (the level above the row's org)."""
    parent = sa.func.subpath(path, 0, sa.func.nlevel(path) - 1)
    return sa.and_(sa.func.nlevel(path) > 1, s.within(obj, parent, act))


def _spot_check_whole(s: Subject) -> sa.ColumnElement[bool]:
    """Who sees a spot check whole while it runs: who drew it, its checker while it is open,
    and the approvers above the checked org. The checked org itself does not see which of its
    records are sampled until the check is over (it could prime the youth to be called)."""
    checks = s.principal.checks
    return _either(
        SpotCheck.created_by == s.principal.user_id,
        SpotCheck.id.in_(checks) if checks else None,
        _above(s, Act.APPROVE, Obj.WORK, SpotCheck.org_path),
    )


def spot_check_over() -> sa.ColumnElement[bool]:
    return sa.or_(SpotCheck.closed_at.is_not(None), SpotCheck.ends_at <= sa.func.now())


@rule(SpotCheck)
def _spot_check(s: Subject) -> sa.ColumnElement[bool]:
    """Whole (above), or, once over, to the checked orgs: the org checked, and each org whose
    records were sampled (a city-wide check is read by each county for its own findings)."""
    findings = sa.select(SpotCheckItem.check_id).where(s.within(Obj.WORK, SpotCheckItem.org_path))
    return _either(
        _spot_check_whole(s),
        sa.and_(
            spot_check_over(),
            sa.or_(s.within(Obj.WORK, SpotCheck.org_path), SpotCheck.id.in_(findings)),
        ),
    )


@rule(SpotCheckItem)
def _spot_check_item(s: Subject) -> sa.ColumnElement[bool]:
    """A finding: to whoever sees its check whole; once the check is over, to the org whose
    record it is (and those above it), never to a sibling."""
    whole = sa.select(SpotCheck.id).where(_spot_check_whole(s))
    over = sa.select(SpotCheck.id).where(spot_check_over())
    return _either(
        SpotCheckItem.check_id.in_(whole),
        sa.and_(SpotCheckItem.check_id.in_(over), s.within(Obj.WORK, SpotCheckItem.org_path)),
    )


@rule(BulletinLine)
def _bulletin_line(s: Subject) -> sa.ColumnElement[bool]:
    """A published bulletin's line about an org: the org it is about (and those above it), and
    whoever sees the bulletin; never the org's siblings."""
    return _either(
        s.within(Obj.WORK, BulletinLine.org_path),
        BulletinLine.bulletin_id.in_(sa.select(Bulletin.id).where(readable(s, Bulletin))),
    )


@rule(AssessmentScore)
def _assessment_score(s: Subject) -> sa.ColumnElement[bool]:
    """A score: to the assessing org (who sees the round), and, once the round is closed, to
    the assessed org (and those above it); never to a sibling."""
    assessing = sa.select(AssessmentRound.id).where(readable(s, AssessmentRound))
    closed = sa.select(AssessmentRound.id).where(AssessmentRound.closed)
    return _either(
        AssessmentScore.round_id.in_(assessing),
        sa.and_(AssessmentScore.round_id.in_(closed), s.within(Obj.WORK, AssessmentScore.org_path)),
    )


@rule(Campaign)
def _campaign(s: Subject) -> sa.ColumnElement[bool]:
    """Campaigns hold for the whole province: seen by whoever may view campaigns anywhere."""
    return sa.true() if s.scope(Act.VIEW, Obj.CAMPAIGN).roots else sa.false()


@rule(PolicyChangeRequest)
def _policy_change_request(s: Subject) -> sa.ColumnElement[bool]:
    """Role templates hold for the whole province: policy:view at the root sees the requests."""
    at_root = any("." not in root for root in s.scope(Act.VIEW, Obj.POLICY).roots)
    return sa.true() if at_root else sa.false()


@rule(ImplementationPlan)
def _implementation_plan(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.REPORT, ImplementationPlan.org_path)


@rule(Evidence)
def _evidence(s: Subject) -> sa.ColumnElement[bool]:
    """A file on a record is seen by whoever sees the record."""
    return sa.or_(
        Evidence.log_id.in_(sa.select(WorkLog.id).where(readable(s, WorkLog))),
        Evidence.report_id.in_(sa.select(Report.id).where(readable(s, Report))),
        Evidence.nomination_id.in_(sa.select(Nomination.id).where(readable(s, Nomination))),
    )


@rule(Nomination)
def _nomination(s: Subject) -> sa.ColumnElement[bool]:
    return s.within(Obj.CAMPAIGN, Nomination.org_path)


@rule(AssessmentContribution)
def _assessment_contribution(s: Subject) -> sa.ColumnElement[bool]:
    """What a subject contributed to a score: to the assessing org; once the round is closed,
    to the subject's org and those above it (the assessed org reads its own contributors),
    never to a sibling."""
    assessing = sa.select(AssessmentRound.id).where(readable(s, AssessmentRound))
    closed = sa.select(AssessmentRound.id).where(AssessmentRound.closed)
    return _either(
        AssessmentContribution.round_id.in_(assessing),
        sa.and_(
            AssessmentContribution.round_id.in_(closed),
            s.within(Obj.WORK, AssessmentContribution.org_path),
        ),
    )


@rule(RubricVersion)
def _rubric_version(s: Subject) -> sa.ColumnElement[bool]:
    """The rubric holds for the whole province: a published version is read by whoever may
    view the rules (quota:view) anywhere, so each assessing or assessed org reads the one its
    round froze; a draft only by who may manage the rules at the root (the province)."""
    if any("." not in root for root in s.scope(Act.MANAGE, Obj.QUOTA).roots):
        return sa.true()
    if s.scope(Act.VIEW, Obj.QUOTA).roots:
        return RubricVersion.published_at.is_not(None)
    return sa.false()
