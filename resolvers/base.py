"""What every operation gets: the request's session, principal, policy and settings."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper
from strawberry.dataloader import DataLoader

from app.db import PLAN_FOR_VALUES_HERE, RequestSession, SessionEnded
from app.records import RecordStatement
from authz import (
    Act,
    Decision,
    Obj,
    PolicyStore,
    Principal,
    Scope,
    authorize,
    authorize_global,
    decide,
    require_user,
    scope,
)
from authz.errors import BadInput, Conflict, NotFound
from authz.visibility import ReadableTemplate, Subject, readable, readable_one, template_for
from models import AuditEntry
from resolvers import lookahead
from resolvers.lookahead import Edge
from resolvers.pagination import Page, page_of, page_size, paginate
from resolvers.prebuilt import Shape

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Batch = Callable[["Ctx", Sequence[K]], Awaitable[list[V]]]

if TYPE_CHECKING:
    from app.ratelimit import Limits
    from app.settings import Settings


@dataclass
class Ctx:
    principal: Principal
    policy: PolicyStore
    settings: Settings
    # For the few writes that must outlive a failed mutation (login throttling).
    sessionmaker: async_sessionmaker[AsyncSession] | None = None
    request_id: str = ""
    client_ip: str = ""
    # The session reads from a streaming replica (a query; app/replica.py): read-only.
    on_replica: bool = False
    # Which front end sent the request, as the server sees it (app.main.front_end_of):
    # MOBILE (the phone pages at /m/), WEB (the console) or API (anything else).
    front_end: str = "API"
    # The shared rate limits (app/ratelimit.py): one-time codes and failed logins per address.
    limits: Limits | None = None
    # The request's session: `opened` when given, else made by `open_session` when a resolver
    # first asks for it, so an operation that reads nothing but the principal (loaded apart,
    # app/db.py DriverPool) never checks out a connection for a session.
    opened: AsyncSession | None = None
    open_session: Callable[[], AsyncSession] | None = None
    subject: Subject = field(init=False)
    # (youth id, viewer user id, field, request id): whole personal data shown, logged after.
    personal_reads: list[tuple[int, int, str, str]] = field(init=False, default_factory=list)
    # The decision that allows the next audited write (see `_note`); each write consumes it.
    _pending: Decision | None = field(init=False, default=None)
    _per_request: dict[Hashable, Any] = field(init=False, default_factory=dict)
    # The operation is a query (set as it starts executing, schema/extensions.py): what it
    # reads it never changes, so its hot lists may read records, not entities.
    querying: bool = field(init=False, default=False)
    # The answer is encoded by the HTTP view (orjson), which writes JSON that PostgreSQL
    # built (resolvers/prebuilt.py) as it is; an answer used in Python is never built so.
    json_fragments: bool = False

    def __post_init__(self) -> None:
        self.subject = Subject(self.policy, self.principal)
        self._ended = False

    @property
    def session(self) -> AsyncSession:
        if self.opened is None:
            if self._ended or self.open_session is None:
                # field work graphql-core settles after the answer: not on a new session
                raise SessionEnded
            self.opened = self.open_session()
        return self.opened

    async def close_session(self) -> None:
        """Roll back what is open and give the connection back (the session stays usable)."""
        if self.opened is not None:
            await self.opened.close()

    async def end_session(self) -> None:
        """The request is over: no statement may check out a connection for it again."""
        self._ended = True
        if self.opened is not None:
            end = getattr(self.opened, "end", None)
            await (end() if end is not None else self.opened.close())

    async def plan_for_values(self) -> None:
        """From here to the end of the request, PostgreSQL plans each statement for its own
        values. asyncpg prepares every statement, and after five runs on a connection
        PostgreSQL may keep a generic plan made without them: right for a lookup, wrong for a
        figure whose best plan depends on how big the subtree and the period are (the
        ranking of a city's counties took 500 ms on a generic plan where its own took 50;
        bench/results/dashboard.md). Dashboards and rankings call it; lists and lookups keep
        their cached plans (planning each statement cost them 10–20 % of req/s). The
        request's session does it (app/db.py RequestSession, ReadSession)."""
        session = self.session
        if isinstance(session, RequestSession):
            await session.plan_for_values()
        else:  # a plain session (a job, a test): local to its transaction
            await session.execute(PLAN_FOR_VALUES_HERE)

    # ------------------------------------------------------------ visibility and loading

    def readable(self, model: type) -> sa.ColumnElement[bool]:
        """The entity's one readable predicate for this caller (authz/visibility.py)."""
        return readable(self.subject, model)

    def loader(self, batch: Batch[K, V], *, key: Hashable | None = None) -> DataLoader[K, V]:
        """This request's DataLoader for a domain's batch function (made on first use)."""
        return self.per_request(
            key if key is not None else batch, lambda: DataLoader(partial(batch, self))
        )

    def per_request(self, key: Hashable, make: Callable[[], T]) -> T:
        """One object per request and key (loaders: never shared between requests)."""
        found = self._per_request.get(key)
        if found is None:
            found = self._per_request[key] = make()
        return found

    def visible(self, model: type[T]) -> DataLoader[int, T | None]:
        """Rows of `model` by id, or None where the caller may not see them."""
        found = self._per_request.get(("visible", model))  # asked once per node of a page
        if found is not None:
            return found
        return self.loader(partial(_visible_by_id, model), key=("visible", model))

    # Thin wrappers so operations read as the domain: ctx.authorize(Act.MANAGE, Obj.ORG, path).
    # Every decision about the caller goes through `decide` or `authorize` here, so that the
    # write it allows can be marked when a delegated grant (代管) decided it.
    def decide(self, act: Act, obj: Obj, org_path: str) -> Decision:
        """Allowed or not, without raising (ownership alternatives, batch checks)."""
        return self._note(decide(self.policy, self.principal, act, obj, org_path))

    def authorize(self, act: Act, obj: Obj, org_path: str) -> Decision:
        return self._note(authorize(self.policy, self.principal, act, obj, org_path))

    def _note(self, decision: Decision) -> Decision:
        """Remember the decision that allows the next write. A manage/approve decision is what
        allows a write, so a later view check (of the org, a related row) does not replace it;
        any later decision replaces a view decision. `audit` consumes it: the mark belongs to
        one write, never to the rest of the request."""
        if decision.allowed and (
            self._pending is None or not _is_view(decision) or _is_view(self._pending)
        ):
            self._pending = decision
        return decision

    async def load(
        self, model: type[T], row_id: object, act: Act, obj: Obj, *, for_update: bool = False
    ) -> T:
        """The row by id if it exists and `act` on `obj` is allowed at its org_path."""
        if act == Act.VIEW:
            row = await self._readable_row(model, row_id, for_update=for_update)
            if row is None:
                # A caller whose token ran out sees nothing, but must be told to refresh,
                # not that the row is gone (a client would drop it from its cache).
                require_user(self.principal)
                raise NotFound()
            return row
        row = await self.session.get(model, row_id, with_for_update=for_update)
        if row is None:
            raise NotFound()
        self.authorize(act, obj, row.org_path)  # type: ignore[attr-defined]
        return row

    async def _readable_row(self, model: type[T], row_id: object, *, for_update: bool) -> T | None:
        if not for_update:
            return await self.visible(model).load(row_id)  # type: ignore[arg-type]
        stmt = sa.select(model).where(model.id == row_id, readable_one(self.subject, model))  # type: ignore[attr-defined]
        return await self.session.scalar(stmt.with_for_update())

    def authorize_global(self, act: Act, obj: Obj, root_path: str) -> Decision:
        return self._note(authorize_global(self.policy, self.principal, act, obj, root_path))

    def scope(self, act: Act, obj: Obj, *, required: bool = True) -> Scope:
        """Computed once per request and (act, obj): grants do not change mid-request."""
        found = self.subject.scope(act, obj)
        if required and not found.roots:
            scope(self.policy, self.principal, act, obj, required=True)  # raises the refusal
        return found

    async def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: object,
        org_path: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        *,
        decision: Decision | None = None,
    ) -> None:
        """Append to the audit log, in the mutation's own transaction. The entry is marked as
        acting for a delegator when the decision that allowed this write (`decision`, else the
        last one noted since the previous write) came through a delegated grant."""
        self.session.add(
            self._audit_row(action, entity_type, entity_id, org_path, before, after, decision)
        )
        await self.session.flush()

    async def audit_aside(
        self, action: str, entity_type: str, entity_id: object, org_path: str | None
    ) -> None:
        """Append to the audit log from a query: committed at once through `independent()`
        (on the primary), since a query's own session writes nothing that stays."""
        async with self.independent() as side:
            side.add(self._audit_row(action, entity_type, entity_id, org_path))
            await side.commit()

    def _audit_row(
        self,
        action: str,
        entity_type: str,
        entity_id: object,
        org_path: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        decision: Decision | None = None,
    ) -> AuditEntry:
        return audit_row(
            **self.audit_actor(decision),
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            org_path=org_path,
            before=before,
            after=after,
        )

    def audit_actor(self, decision: Decision | None = None) -> dict[str, Any]:
        """Who an audit entry says acted: the caller, for whom (a delegated grant of the
        decision that allowed this write: `decision`, else the last one noted), and the
        request. Consumes the noted decision, as every write's entry does."""
        allowed_by = decision or self._pending
        self._pending = None
        grant = allowed_by.grant if allowed_by else None
        return {
            "actor_user_id": self.principal.user_id,
            "acting_for_user_id": grant.delegated_by if grant else None,
            "request_id": self.request_id,
        }

    async def page(
        self,
        stmt: Any,
        key: Any,
        first: int | None,
        after: str | None,
        *,
        edges: Sequence[Edge] = (),
        newest_first: bool = False,
        records: bool = False,
        nodes: Shape | None = None,
    ) -> Page[Any]:
        """One page of `stmt` (a `select(Model)`) by `key`, within the configured sizes; the
        `edges` its nodes ask for come in the same statement (resolvers/lookahead.py).
        `records`: in a query, the page's rows and its edges' are read-only records
        (app/records.py), for a list whose readers, and those of the edges' `visible`
        loaders, only read columns. `nodes`: the nodes' JSON, written by PostgreSQL
        (resolvers/prebuilt.py), is the page's `prebuilt`, and it has no rows."""
        joined = lookahead.join(self, edges)
        page = await paginate(
            self.session,
            stmt,
            key,
            first=first,
            after=after,
            default=self.settings.page_size_default,
            maximum=self.settings.page_size_max,
            joined=[j.target for j in joined],
            newest_first=newest_first,
            records=records and self.querying,
            nodes=nodes if records and self.querying else None,
        )
        for j, others in zip(joined, page.others, strict=True):
            j.prime(self, page.rows, others)
        return page

    def page_of(self, rows: Sequence[T], first: int | None, after: str | None) -> Page[T]:
        """One page of a list computed as a whole, by position, within the configured sizes."""
        return page_of(
            rows,
            first=first,
            after=after,
            default=self.settings.page_size_default,
            maximum=self.settings.page_size_max,
        )

    def page_size(self, first: int | None) -> int:
        return page_size(first, self.settings.page_size_default, self.settings.page_size_max)

    def independent(self) -> AsyncSession:
        """A session of its own, committed apart from the request's transaction."""
        assert self.sessionmaker is not None
        return self.sessionmaker()

    async def flush_or_conflict(self, message: str) -> None:
        """Flush; a unique violation becomes CONFLICT with `message`."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) == "23505" or "unique" in str(exc.orig).lower():
                raise Conflict(message) from None
            raise


def _is_view(decision: Decision) -> bool:
    return decision.line is not None and decision.line.action == Act.VIEW.value


def audit_row(
    *,
    action: str,
    entity_type: str,
    entity_id: object,
    org_path: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
    acting_for_user_id: int | None = None,
    request_id: str = "",
) -> AuditEntry:
    """The one shape of an audit entry: `Ctx.audit` for requests, and the few writers with
    no request (jobs, the command line) with no actor."""
    return AuditEntry(
        actor_user_id=actor_user_id,
        acting_for_user_id=acting_for_user_id,
        request_id=request_id or None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        org_path=org_path,
        before=before,
        after=after,
    )


async def _visible_by_id(model: type, ctx: Ctx, ids: Sequence[int]) -> list[Any]:
    template = template_for(ctx.subject, model)
    rows: Iterable[Any]
    if template is None:  # a rule of who the caller is: built for this caller
        stmt: sa.Select[Any] = sa.select(model).where(
            model.id.in_(ids),  # type: ignore[attr-defined]
            readable_one(ctx.subject, model),
        )
        rows = await ctx.session.scalars(stmt)
    else:  # one statement for every caller, the caller's roots bound
        params = {"ids": list(ids), **template.bind(ctx.subject)}
        as_records = _by_id_records(model, template, ctx.session.get_bind().dialect)
        if ctx.querying and as_records is not None:
            rows = await as_records.records(ctx.session, params)
        else:
            rows = await ctx.session.scalars(_by_id(model, template), params)
    found = {r.id: r for r in rows}
    return [found.get(i) for i in ids]


@cache
def _by_id(model: type, template: ReadableTemplate) -> sa.Select[Any]:
    """Rows of `model` by id under its readable template, built once: building a statement
    and its cache key cost more than running it (bench/cpu.py's org shape)."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    return sa.select(model).where(model.id.in_(ids), template.predicate)  # type: ignore[attr-defined]


@cache
def _by_id_records(
    model: type, template: ReadableTemplate, dialect: Dialect
) -> RecordStatement | None:
    """`_by_id` compiled once for the driver, its rows read as records (app/records.py): what
    a query's loaders by id read (a query never changes what it reads). The ids go as one
    array, so the text is the same for any number of them. None for a model with a numeric
    column (SQLAlchemy converts those by the type the server names in each result, which a
    record's maker does not see) or a deferred one."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    if any(isinstance(c.type, sa.Numeric) for c in table.columns):
        return None
    mapper: Mapper[Any] = sa.inspect(model)
    if any(attr.deferred for attr in mapper.column_attrs):
        return None  # a file's content: loaded only when read, as an entity does
    column = model.id  # type: ignore[attr-defined]
    ids = sa.bindparam("ids", type_=postgresql.ARRAY(column.type))
    stmt: sa.Select[Any] = sa.select(model).where(column == sa.any_(ids), template.predicate)
    return RecordStatement(stmt, model, dialect)


def containing(search: str | None) -> str | None:
    """The ILIKE pattern of text containing `search` (trimmed; its own `%`, `_` and `\\`
    taken literally), or None for no search: the value of a text filter `column.ilike(p)`."""
    term = (search or "").strip()
    if not term:
        return None
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_text(
    value: str | None,
    field_name: str,
    *,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trimmed text within bounds, or BAD_USER_INPUT naming the field. `multiline` lets
    line breaks through (a story in paragraphs), as \n."""
    text = (value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    if required and not text:
        raise BadInput(f"{field_name}不能为空", field=field_name)
    if len(text) > max_len:
        raise BadInput(f"{field_name}不能超过{max_len}个字符", field=field_name)
    if any(ord(ch) < 32 and not (multiline and ch == "\n") for ch in text):
        raise BadInput(f"{field_name}含有非法字符", field=field_name)
    return text


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def clean_mobile(value: str) -> str:
    mobile = (value or "").strip().replace(" ", "").replace("-", "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE_RE.match(mobile):
        raise BadInput("手机号码格式不正确", field="mobile")
    return mobile
