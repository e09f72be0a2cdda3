"""Test helpers: a GraphQL client over HTTP, and factories that put rows in the database."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import event

from authz import load_principal
from authz.visibility import Who
from models import (
    AuthSession,
    Cadre,
    CadreKind,
    ClientKind,
    Contact,
    ContactStatus,
    Grant,
    Org,
    OrgKind,
    OrgLevel,
    User,
    Youth,
)
from resolvers.tokens import issue_access, read_access

PASSWORD = "Secret123"
# A caller signed in, neither cadre nor youth: every rule of who the caller is is a template
# of their scopes alone (authz/visibility.py `readable_template`).
SIGNED_IN = Who(user=True, cadre=False, youth=False, city=False, checks=False)

# How long a test waits for something that must happen (a server up, a message, a reload)
# before it fails. Only ever a bound on a wait for an event or a condition, never what a
# test asserts: generous, because the suite must pass on a loaded 2-core machine.
DEADLINE = 120.0

# The statement timeout of a test that makes one statement wait on a lock until it times
# out: long enough that no other statement of the request reaches it on a loaded machine.
STATEMENT_TIMEOUT_MS = 3_000


async def wait_until(condition: Callable[[], object], deadline: float = DEADLINE) -> None:
    """For state that has no event to await: look again at each turn of the loop."""
    async with asyncio.timeout(deadline):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@lru_cache
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


def gid(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


def pk_of(global_id: str) -> int:
    return int(base64.urlsafe_b64decode(global_id.encode()).decode().split(":")[1])


class GraphQLErrorResult(AssertionError):
    pass


@dataclass
class Result:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        if self.body.get("errors"):
            raise GraphQLErrorResult(str(self.body["errors"]))
        return self.body["data"]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.body.get("errors") or []]

    def error(self, code: str) -> dict[str, Any]:
        assert code in self.codes, f"expected {code}, got {self.body}"
        return next(e for e in self.body["errors"] if e["extensions"]["code"] == code)


# What a browser adds to a request from our phone pages (at /m/) and from the console: the
# server tells the front end that wrote a record by it (app.main.front_end_of).
FROM_PHONE_PAGES = {"referer": "http://testserver/m/c"}
FROM_CONSOLE = {"referer": "http://testserver/records"}


@dataclass
class Api:
    client: httpx.AsyncClient
    services: Any
    tokens: dict[int, str] = field(default_factory=dict)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Result:
        h = dict(headers or {})
        if token:
            h["authorization"] = f"Bearer {token}"
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=h
        )
        return Result(r.status_code, r.json())

    async def token_for(self, user_id: int, client: ClientKind = ClientKind.WEB) -> str:
        """A real session and a real signed token, minted as login would (without argon2)."""
        sid = uuid.uuid4()
        async with self.services.sessionmaker() as s:
            s.add(AuthSession(id=sid, user_id=user_id, client=client))
            await s.commit()
        token, _ = issue_access(self.services.settings, user_id, sid)
        return token


# ---------------------------------------------------------------- factories


@dataclass
class Tree:
    """Builds orgs directly in the database, ids assigned as the API would."""

    services: Any
    orgs: dict[str, Org] = field(default_factory=dict)

    async def add(
        self,
        key: str,
        parent: str | None,
        level: OrgLevel,
        kind: OrgKind = OrgKind.REGIONAL,
        name: str | None = None,
    ) -> Org:
        async with self.services.sessionmaker() as s:
            oid = int(await s.scalar(sa.select(sa.func.nextval("orgs_id_seq"))))
            p = self.orgs.get(parent) if parent else None
            org = Org(
                id=oid,
                parent_id=p.id if p else None,
                path=f"{p.path}.{oid}" if p else str(oid),
                code=f"C{oid}",
                name=name or key,
                level=level,
                kind=kind,
                is_leading_organ=level in (OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY),
                is_active=True,
                city_id=oid if level in (OrgLevel.PROVINCE, OrgLevel.CITY) else p.city_id,  # type: ignore[union-attr]
            )
            s.add(org)
            await s.commit()
        self.orgs[key] = org
        return org

    def __getitem__(self, key: str) -> Org:
        return self.orgs[key]


async def standard_tree(services: Any) -> Tree:
    """province P; cities A, B; counties A1, A2 under A, B1 under B; branch A1x under A1."""
    t = Tree(services)
    await t.add("P", None, OrgLevel.PROVINCE, name="省")
    await t.add("A", "P", OrgLevel.CITY, name="甲市")
    await t.add("B", "P", OrgLevel.CITY, name="乙市")
    await t.add("A1", "A", OrgLevel.COUNTY, name="甲一县")
    await t.add("A2", "A", OrgLevel.COUNTY, name="甲二县")
    await t.add("B1", "B", OrgLevel.COUNTY, name="乙一县")
    await t.add("A1x", "A1", OrgLevel.BRANCH, name="甲一县某支部")
    return t


async def add_user(
    services: Any,
    username: str,
    *,
    org: Org | None = None,
    roles: tuple[str, ...] = (),
    cadre_kind: CadreKind | None = CadreKind.FULL_TIME,
    grant_org: Org | None = None,
) -> User:
    """An account; a cadre at `org` if given; `roles` granted at `grant_org` (default: org)."""
    async with services.sessionmaker() as s:
        user = User(username=username.lower(), display_name=username, password_hash=password_hash())
        s.add(user)
        await s.flush()
        if org is not None and cadre_kind is not None:
            s.add(
                Cadre(
                    user_id=user.id,
                    name=username,
                    kind=cadre_kind,
                    org_id=org.id,
                    org_path=org.path,
                    city_id=org.city_id,
                )
            )
        at = grant_org or org
        for role in roles:
            assert at is not None
            s.add(
                Grant(
                    user_id=user.id, role=role, org_id=at.id, org_path=at.path, city_id=at.city_id
                )
            )
        await s.commit()
        await s.refresh(user)
        return user


async def add_grant(services: Any, user_id: int, role: str, org: Org) -> int:
    async with services.sessionmaker() as s:
        g = Grant(user_id=user_id, role=role, org_id=org.id, org_path=org.path, city_id=org.city_id)
        s.add(g)
        await s.commit()
        return g.id


async def add_youth(
    services: Any,
    name: str,
    mobile: str,
    org: Org,
    industry: str = "教育",
    birth_date: date | None = None,
) -> Youth:
    async with services.sessionmaker() as s:
        y = Youth(
            name=name,
            mobile=mobile,
            industry=industry,
            birth_date=birth_date,
            org_id=org.id,
            org_path=org.path,
            city_id=org.city_id,
        )
        s.add(y)
        await s.commit()
        return y


async def count_rows(services: Any, model: type) -> int:
    async with services.sessionmaker() as s:
        return int(await s.scalar(sa.select(sa.func.count()).select_from(model)))


async def add_youth_account(
    services: Any, name: str, mobile: str, org: Org, birth_date: date | None = None
) -> tuple[Youth, User]:
    """A registered youth who has logged in once (has an account)."""
    youth = await add_youth(services, name, mobile, org, birth_date=birth_date)
    async with services.sessionmaker() as s:
        user = User(mobile=mobile, display_name=name)
        s.add(user)
        await s.flush()
        await s.execute(sa.update(Youth).where(Youth.id == youth.id).values(user_id=user.id))
        from models import Consent
        from resolvers.privacy import POLICY_VERSION, SCOPE

        s.add(Consent(youth_id=youth.id, policy_version=POLICY_VERSION, scope=SCOPE))
        await s.commit()
        return youth, user


async def cadre_id_of(services: Any, user: User) -> int:
    async with services.sessionmaker() as s:
        return int(await s.scalar(sa.select(Cadre.id).where(Cadre.user_id == user.id)))


async def snapshot(services: Any) -> dict[str, str | None]:
    """A digest of every table's whole content: to show that nothing was written. The rate
    limits' windows are left out: a refused attempt counts against its limit by design (they
    are counters, kept in Redis instead when REDIS_URL is set), and is no data written."""
    from models import RateLimitCounter, metadata

    digests = {}
    async with services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table is RateLimitCounter.__table__:
                continue
            digests[table.name] = await conn.scalar(
                sa.text(
                    f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table.name}\" t"
                )
            )
    return digests


def league_today(services: Any) -> Any:
    """Today in the League's time zone (periods and days are counted there)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(services.settings.timezone)).date()


async def accept_invitations(services: Any, cadre_user: User) -> list[int]:
    """The cadre's pending invitations, accepted as each youth would from their phone (the
    acceptance itself is tested through the API in tests/work/test_contacts.py; points for
    it are not awarded here). Returns the youth ids in the order they were invited."""
    async with services.sessionmaker() as s:
        cadre_id = await s.scalar(sa.select(Cadre.id).where(Cadre.user_id == cadre_user.id))
        rows = await s.execute(
            sa.update(Contact)
            .where(Contact.cadre_id == cadre_id, Contact.status == ContactStatus.INVITED)
            .values(status=ContactStatus.ACTIVE, accepted_at=sa.func.now())
            .returning(Contact.id, Contact.youth_id)
        )
        pairs = sorted(rows.all())
        await s.commit()
    return [youth_id for _, youth_id in pairs]


def run_cli(*args: str, env: dict[str, str]) -> Any:
    """`youthlink …` in a process of its own, as an operator runs it, with `env` as its
    whole environment (a subprocess.CompletedProcess with text output)."""
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def differ(record: Any, entity: Any) -> list[str]:
    """The mapped columns of the entity's model (all of them, from its mapper) where a record
    (app/records.py) differs from the entity: in value, in type (an enum, not its text), or
    in a datetime's zone."""
    found = []
    for attr in sa.inspect(type(entity)).column_attrs:
        mine, theirs = getattr(record, attr.key), getattr(entity, attr.key)
        zone = isinstance(theirs, datetime) and mine.utcoffset() != theirs.utcoffset()
        if mine != theirs or type(mine) is not type(theirs) or zone:
            found.append(attr.key)
    return found


@contextmanager
def statements_sent(api: Any, *, on_driver: bool = False) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs; `on_driver`: only those run on the
    driver itself (app/db.py: the engine's listeners see them with no execution context)."""
    sent: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if context is None or not on_driver:
            sent.append(statement)

    engine = api.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def ctx_of(api: Any, session: Any, token: str, *, querying: bool) -> Any:
    """A request's Ctx for the caller of `token` on `session`: a query's (`querying`: its
    reads are records) or a mutation's."""
    from resolvers.base import Ctx  # the app's modules load after the test settings

    claims = read_access(api.services.settings, token)
    principal = await load_principal(session, claims.user_id, claims.session_id)
    ctx = Ctx(
        opened=session,
        principal=principal,
        policy=api.services.policy,
        settings=api.services.settings,
    )
    ctx.querying = querying
    return ctx
