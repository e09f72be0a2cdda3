"""Every error code and reason in docs/api.md's table, each driven through the real HTTP API:
the table and the drivers below must list the same rows, and each row's answer must carry
its code, its reason and a zh-CN message."""

from __future__ import annotations

import re
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import sqlalchemy as sa

from app.main import create_app
from app.settings import ROOT
from models import Consent
from tests.conftest import settings_for_tests
from tests.helpers import STATEMENT_TIMEOUT_MS, add_user, gid, standard_tree
from tests.youth.conftest import linked_youth

ME = "{ me { user { displayName } } }"


def documented() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "api.md").read_text()
    table = text.split("<!-- error-codes -->")[1].split("<!-- /error-codes -->")[0]
    rows = set()
    for line in table.strip().splitlines()[2:]:
        code, reason = (c.strip().strip("`") for c in line.strip("|").split("|")[:2])
        rows.add((code, reason))
    return rows


class Answer:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body
        self.error = (body.get("errors") or [{}])[0]


def bare_client(app: Any) -> httpx.AsyncClient:
    """A client of an app whose lifespan is not run: no start-up queries at all."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def post(
    client: httpx.AsyncClient, token: str | None = None, headers: dict | None = None, **kw: Any
) -> Answer:
    headers = {**(headers or {}), **({"authorization": f"Bearer {token}"} if token else {})}
    r = await client.post("/graphql", headers=headers, **kw)
    return Answer(r.status_code, r.json())


class World:
    """A province with a city admin, a cadre and a youth linked to them."""

    def __init__(self, api: Any) -> None:
        self.api = api

    async def build(self) -> World:
        api = self.api
        self.tree = await standard_tree(api.services)
        self.admin = await add_user(
            api.services, "padmin", org=self.tree["P"], roles=("province_admin",)
        )
        self.admin_t = await api.token_for(self.admin.id)
        city = await add_user(api.services, "cityA", org=self.tree["A"], roles=("city_admin",))
        self.city_t = await api.token_for(city.id)
        cadre = await add_user(api.services, "cadre1", org=self.tree["A1x"], roles=("cadre",))
        self.cadre_t = await api.token_for(cadre.id)
        self.cadre_gid = gid("Cadre", await _cadre_id(api, cadre.id))
        self.youth_t, self.youth_id = await linked_youth(
            api, self.tree, self.cadre_t, "小明", "13200000001", "A1x"
        )
        return self

    async def gql(
        self, query: str, variables: dict | None = None, token: str | None = None
    ) -> Answer:
        r = await self.api.gql(query, variables, token=token)
        return Answer(r.status, r.body)


async def _cadre_id(api: Any, user_id: int) -> int:
    from models import Cadre

    async with api.services.sessionmaker() as s:
        return int(await s.scalar(sa.select(Cadre.id).where(Cadre.user_id == user_id)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- one driver per row


async def login_required(w: World) -> Answer:
    return await w.gql(ME)


async def token_expired(w: World) -> Answer:
    claims = jwt.decode(w.admin_t, options={"verify_signature": False})
    stale = jwt.encode(
        {**claims, "exp": datetime.now(UTC) - timedelta(seconds=5)},
        w.api.services.settings.jwt_secret,
        algorithm="HS256",
    )
    return await w.gql(ME, token=stale)


async def token_revoked(w: World) -> Answer:
    token = await w.api.token_for(w.admin.id)
    assert (await w.gql("mutation { logout }", token=token)).body["data"]["logout"] == 1
    return await w.gql(ME, token=token)


async def token_invalid(w: World) -> Answer:
    claims = jwt.decode(w.admin_t, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-another-secret-another", algorithm="HS256")
    return await w.gql(ME, token=forged)


async def bad_credentials(w: World) -> Answer:
    login = 'mutation { login(username: "padmin", password: "wrong-one") { accessToken } }'
    return await w.gql(login)


async def forbidden(w: World) -> Answer:
    return await w.gql("{ cadres { totalCount } }", token=w.cadre_t)  # a cadre lists no cadres


async def consent_required(w: World) -> Answer:
    from resolvers.privacy import POLICY_VERSION, SCOPE

    async with w.api.services.sessionmaker() as s:
        await s.execute(sa.delete(Consent).where(Consent.youth_id == w.youth_id))
        await s.commit()
    voice = 'mutation($c: ID!) { sendVoice(kind: OPINION, title: "建议", body: "多办活动", cadreId: $c) { id } }'
    answer = await w.gql(voice, {"c": w.cadre_gid}, token=w.youth_t)
    async with w.api.services.sessionmaker() as s:  # as it was, for the rows after this one
        s.add(Consent(youth_id=w.youth_id, policy_version=POLICY_VERSION, scope=SCOPE))
        await s.commit()
    return answer


GRANT = (
    "mutation($u: ID!, $r: String!, $o: ID!) { grantRole(userId: $u, role: $r, orgId: $o) { id } }"
)


async def escalation(w: World) -> Answer:
    policy_admin = await add_user(w.api.services, "padm", org=w.tree["P"], roles=("policy_admin",))
    variables = {"u": gid("User", w.admin.id), "r": "city_admin", "o": gid("Org", w.tree["A"].id)}
    return await w.gql(GRANT, variables, token=await w.api.token_for(policy_admin.id))


async def self_grant(w: World) -> Answer:
    variables = {"u": gid("User", w.admin.id), "r": "auditor", "o": gid("Org", w.tree["A"].id)}
    return await w.gql(GRANT, variables, token=w.admin_t)


async def own_records(w: World) -> Answer:
    """The city admin is a cadre of the city: a check over it would sample their own records."""
    draw = """mutation($o: ID!) { drawSpotCheck(orgId: $o, method: PHONE, sampleSize: 5, seed: 1,
      dateFrom: "2026-01-01", dateTo: "2026-06-30") { id } }"""
    return await w.gql(draw, {"o": gid("Org", w.tree["A"].id)}, token=w.city_t)


async def needs_second_approval(w: World) -> Answer:
    add = 'mutation { addPermission(role: "province_admin", object: RATING, action: MANAGE) { name } }'
    return await w.gql(add, token=w.admin_t)  # the province admin's own role


async def not_found(w: World) -> Answer:
    q = "query($o: ID!) { dashboard(orgId: $o) { logs } }"
    return await w.gql(q, {"o": gid("Org", w.tree["B"].id)}, token=w.city_t)  # another city


async def bad_user_input(w: World) -> Answer:
    q = 'query($o: ID!) { dashboard(orgId: $o, dateFrom: "2026-05-01", dateTo: "2026-04-01") { logs } }'
    return await w.gql(q, {"o": gid("Org", w.tree["A"].id)}, token=w.city_t)


async def conflict(w: World) -> Answer:
    create = 'mutation($p: ID!) { createOrg(input: {parentId: $p, code: "DUP1", name: "新支部", level: BRANCH, kind: OTHER}) { id } }'
    parent = {"p": gid("Org", w.tree["A1"].id)}
    assert "errors" not in (await w.gql(create, parent, token=w.admin_t)).body
    return await w.gql(create, parent, token=w.admin_t)


async def illegal_transition(w: World) -> Answer:
    submit = 'mutation($c: ID!) { submitWish(cadreId: $c, category: LIFE, title: "冬衣", description: "需要一件棉衣") { id } }'
    wish = (await w.gql(submit, {"c": w.cadre_gid}, token=w.youth_t)).body["data"]["submitWish"]
    act = "mutation($id: ID!) { actOnWish(id: $id, action: FULFIL) { status } }"
    return await w.gql(act, {"id": wish["id"]}, token=w.cadre_t)  # not accepted yet


async def rate_limited(w: World) -> Answer:
    app = create_app(settings_for_tests(rate_limit_per_minute=1), database_url=_db(w))
    async with bare_client(app) as client:
        await post(client, json={"query": "{ __typename }"})
        return await post(client, json={"query": "{ __typename }"})


async def query_too_complex(w: World) -> Answer:
    deep = "{ me { user { id } } " + "orgs { nodes { parent " * 6 + "{ id }" + " } }" * 6 + " }"
    return await w.gql(deep, token=w.admin_t)


async def parse_failed(w: World) -> Answer:
    return await w.gql("{ orgs { nodes { name }", token=w.admin_t)


async def validation_failed(w: World) -> Answer:
    return await w.gql("{ noSuchField }", token=w.admin_t)


def raw(**kw: Any) -> Callable[[World], Awaitable[Answer]]:
    async def drive(w: World) -> Answer:
        return await post(w.api.client, **kw)

    return drive


async def mutation_over_get(w: World) -> Answer:
    r = await w.api.client.get(
        "/graphql", params={"query": "mutation { logout }"}, headers={"accept": "application/json"}
    )
    return Answer(r.status_code, r.json())


async def timeout(w: World) -> Answer:
    """The dashboard's statement waits on a lock held here until its time runs out (a time
    no unlocked statement reaches on a loaded machine: see tests/hardening/test_limits.py)."""
    app = create_app(
        settings_for_tests(db_statement_timeout_ms=STATEMENT_TIMEOUT_MS), database_url=_db(w)
    )
    await app.state.services.listener.reload()  # the role templates, read before the lock
    try:
        async with bare_client(app) as client, w.api.services.engine.begin() as holder:
            # The dashboard reads the logs or their daily roll-up (work_log_days): lock both.
            await holder.execute(
                sa.text("LOCK TABLE work_logs, work_log_days IN ACCESS EXCLUSIVE MODE")
            )
            q = "query($o: ID!) { dashboard(orgId: $o) { logs } }"
            variables = {"o": gid("Org", w.tree["A"].id)}
            return await post(client, w.city_t, json={"query": q, "variables": variables})
    finally:
        await app.state.services.engine.dispose()


async def service_unavailable(w: World) -> Answer:
    """A database nobody listens on: the principal cannot be loaded before the operation."""
    url = sa.engine.make_url(_db(w)).set(host="127.0.0.1", port=_free_port())
    app = create_app(settings_for_tests(), database_url=url.render_as_string(hide_password=False))
    async with bare_client(app) as client:
        return await post(client, w.city_t, json={"query": ME})


async def sms_unavailable(w: World) -> Answer:
    """The SMS provider (a local Tencent Cloud stand-in) answers an internal error."""
    from tests.tencent_sms import FakeTencentSms

    provider = FakeTencentSms(outcomes={"+8613200000001": "InternalError.Timeout"})
    app = create_app(settings_for_tests(**provider.settings()), database_url=_db(w))
    try:
        async with bare_client(app) as client:
            send = 'mutation { requestLoginCode(mobile: "13200000001") { retryAfterSeconds } }'
            return await post(client, json={"query": send})
    finally:
        provider.close()
        await app.state.services.engine.dispose()


async def store_unavailable(w: World) -> Answer:
    """EVIDENCE_STORE=s3 with nothing listening at the store's address."""
    log = await w.gql(
        """mutation($y: ID!, $at: DateTime!) { logContact(input: {youthId: $y, channel: WECHAT,
        content: "谈心", occurredAt: $at}) { id } }""",
        {"y": gid("Youth", w.youth_id), "at": datetime.now(UTC).isoformat()},
        token=w.cadre_t,
    )
    store = {
        "evidence_store": "s3",
        "s3_endpoint": f"http://127.0.0.1:{_free_port()}",
        "s3_access_key": "k",
        "s3_secret_key": "secret detail",
        "s3_timeout_seconds": 2,
    }
    app = create_app(settings_for_tests(**store), database_url=_db(w))
    attach = """mutation($l: ID!) { attachEvidence(input: {logId: $l, filename: "a.pdf",
      contentBase64: "JVBERi0xLjQK"}) { id } }"""
    try:
        async with bare_client(app) as client:
            variables = {"l": log.body["data"]["logContact"]["id"]}
            return await post(client, w.cadre_t, json={"query": attach, "variables": variables})
    finally:
        await app.state.services.engine.dispose()


async def database_busy(w: World) -> Answer:
    """Every connection of the pool (one, and one overflow) held: none comes in time."""
    settings = settings_for_tests(db_pool_size=1, db_pool_timeout_seconds=0.2)
    app = create_app(settings, database_url=_db(w))
    engine = app.state.services.engine
    held = [await engine.connect() for _ in range(2)]
    try:
        async with bare_client(app) as client:
            return await post(client, w.city_t, json={"query": ME})
    finally:
        for conn in held:
            await conn.close()
        await engine.dispose()


async def _org_update_failing_with(w: World, sqlstate: str, text: str) -> Answer:
    """updateOrg while a trigger fails every update of orgs with `sqlstate` and `text`."""
    async with w.api.services.engine.begin() as conn:
        await conn.execute(
            sa.text(
                "CREATE FUNCTION zz_boom() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{text}' USING ERRCODE = '{sqlstate}'; END $$"
            )
        )
        await conn.execute(
            sa.text(
                "CREATE TRIGGER zz_boom BEFORE UPDATE ON orgs FOR EACH ROW EXECUTE FUNCTION zz_boom()"
            )
        )
    try:
        update = 'mutation($id: ID!) { updateOrg(input: {id: $id, name: "新名字"}) { name } }'
        return await w.gql(update, {"id": gid("Org", w.tree["A1"].id)}, token=w.admin_t)
    finally:
        async with w.api.services.engine.begin() as conn:
            await conn.execute(sa.text("DROP TRIGGER zz_boom ON orgs"))
            await conn.execute(sa.text("DROP FUNCTION zz_boom()"))


async def write_conflict(w: World) -> Answer:
    """A write that loses a serialization race every time the server runs it."""
    return await _org_update_failing_with(w, "40001", "secret detail")


async def internal_error(w: World) -> Answer:
    """A failure nobody expected (here a trigger with an SQLSTATE of our own) is masked."""
    return await _org_update_failing_with(w, "YL500", "secret detail")


async def _download_link(w: World) -> str:
    export = "{ exportYouth(format: CSV) { downloadUrl } }"
    return (await w.gql(export, token=w.cadre_t)).body["data"]["exportYouth"]["downloadUrl"]


async def download_used(w: World) -> Answer:
    url = await _download_link(w)
    assert (await w.api.client.get(url)).status_code == 200
    r = await w.api.client.get(url)
    return Answer(r.status_code, r.json())


async def download_expired(w: World) -> Answer:
    from models import Download

    url = await _download_link(w)
    async with w.api.services.sessionmaker() as s:  # as if its time had run out
        await s.execute(sa.update(Download).values(expires_at=sa.func.now() - timedelta(seconds=1)))
        await s.commit()
    r = await w.api.client.get(url)
    return Answer(r.status_code, r.json())


def _db(w: World) -> str:
    return w.api.services.engine.url.render_as_string(hide_password=False)


DRIVERS: dict[tuple[str, str], tuple[Callable[[World], Awaitable[Answer]], set[int]]] = {
    ("UNAUTHENTICATED", "LOGIN_REQUIRED"): (login_required, {200}),
    ("UNAUTHENTICATED", "TOKEN_EXPIRED"): (token_expired, {200}),
    ("UNAUTHENTICATED", "TOKEN_REVOKED"): (token_revoked, {200}),
    ("UNAUTHENTICATED", "TOKEN_INVALID"): (token_invalid, {200}),
    ("UNAUTHENTICATED", "BAD_CREDENTIALS"): (bad_credentials, {200}),
    ("FORBIDDEN", ""): (forbidden, {200}),
    ("FORBIDDEN", "CONSENT_REQUIRED"): (consent_required, {200}),
    ("FORBIDDEN", "ESCALATION"): (escalation, {200}),
    ("FORBIDDEN", "SELF_GRANT"): (self_grant, {200}),
    ("FORBIDDEN", "OWN_RECORDS"): (own_records, {200}),
    ("FORBIDDEN", "NEEDS_SECOND_APPROVAL"): (needs_second_approval, {200}),
    ("NOT_FOUND", ""): (not_found, {200}),
    ("BAD_USER_INPUT", ""): (bad_user_input, {200}),
    ("CONFLICT", ""): (conflict, {200}),
    ("CONFLICT", "ILLEGAL_TRANSITION"): (illegal_transition, {200}),
    ("RATE_LIMITED", ""): (rate_limited, {429}),
    ("QUERY_TOO_COMPLEX", ""): (query_too_complex, {200}),
    ("GRAPHQL_PARSE_FAILED", ""): (parse_failed, {200}),
    ("GRAPHQL_VALIDATION_FAILED", ""): (validation_failed, {200}),
    ("BAD_REQUEST", "BATCH_NOT_SUPPORTED"): (raw(json=[{"query": "{ __typename }"}] * 2), {400}),
    ("BAD_REQUEST", "INVALID_JSON"): (
        raw(content=b"{bad", headers={"content-type": "application/json"}),
        {400},
    ),
    ("BAD_REQUEST", "UNSUPPORTED_CONTENT_TYPE"): (raw(data={"query": "{ __typename }"}), {400}),
    ("BAD_REQUEST", "MISSING_QUERY"): (raw(json={"variables": {}}), {400}),
    ("BAD_REQUEST", "INVALID_BODY"): (
        raw(json={"query": "{ __typename }", "variables": [1]}),
        {400},
    ),
    ("BAD_REQUEST", "METHOD_NOT_ALLOWED"): (mutation_over_get, {400}),
    ("BAD_REQUEST", "UNKNOWN_OPERATION"): (
        raw(json={"query": "query A { __typename }", "operationName": "B"}),
        {400},
    ),
    ("GONE", "DOWNLOAD_USED"): (download_used, {410}),
    ("GONE", "DOWNLOAD_EXPIRED"): (download_expired, {410}),
    ("TIMEOUT", ""): (timeout, {200}),
    ("SERVICE_UNAVAILABLE", "DATABASE_UNAVAILABLE"): (service_unavailable, {503}),
    ("SERVICE_UNAVAILABLE", "DATABASE_BUSY"): (database_busy, {503}),
    ("SERVICE_UNAVAILABLE", "WRITE_CONFLICT"): (write_conflict, {200}),
    ("SERVICE_UNAVAILABLE", "SMS_UNAVAILABLE"): (sms_unavailable, {200}),
    ("SERVICE_UNAVAILABLE", "STORE_UNAVAILABLE"): (store_unavailable, {200}),
    ("INTERNAL_SERVER_ERROR", ""): (internal_error, {200}),
}


def test_the_table_and_the_drivers_list_the_same_rows() -> None:
    assert documented() == set(DRIVERS)


async def test_every_code_and_reason_is_answered_as_documented(api) -> None:
    world = await World(api).build()
    for (code, reason), (drive, statuses) in DRIVERS.items():
        answer = await drive(world)
        ext = answer.error.get("extensions", {})
        assert (ext.get("code"), ext.get("reason", "")) == (code, reason), answer.body
        assert answer.status in statuses, (code, reason, answer.status)
        assert re.search(r"[\u4e00-\u9fff]", answer.error["message"]), answer.error
        assert "secret detail" not in str(answer.body)
    # Refusals outside any operation say how to find them in the logs.
    assert (await raw(json={})(world)).error["extensions"]["requestId"]


async def test_a_method_other_than_get_and_post_is_a_graphql_error(api) -> None:
    r = await api.client.put("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 405
    assert r.json()["errors"][0]["extensions"] | {"requestId": ""} == {
        "code": "BAD_REQUEST",
        "reason": "METHOD_NOT_ALLOWED",
        "requestId": "",
    }


async def test_rate_limits_say_when_to_retry_in_camel_case(api) -> None:
    app = create_app(settings_for_tests(rate_limit_per_minute=1), database_url=_db(World(api)))
    async with bare_client(app) as client:
        await client.post("/graphql", json={"query": "{ __typename }"})
        r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["errors"][0]["extensions"]["retryAfter"] == int(r.headers["retry-after"])


# ---------------------------------------------------------------- lookups with a stale token


def _lookups() -> list[tuple[str, str, dict[str, str | None]]]:
    """Root queries that name one object by its id: every required argument an ID (the
    schema says which, so a new lookup is covered without anyone remembering to). Each with
    the type of object each argument names, where its name says (None: any Node)."""
    from graphql import GraphQLNonNull, get_named_type, is_leaf_type

    from schema import build_schema

    schema = build_schema()._schema
    found = []
    for name, f in schema.query_type.fields.items():
        required = [a for a, arg in f.args.items() if isinstance(arg.type, GraphQLNonNull)]
        if not required or any(str(f.args[a].type) != "ID!" for a in required):
            continue
        returned = get_named_type(f.type)
        named = {
            a: None if name == "node" else returned.name if a == "id" else a[:-2].capitalize()
            for a in required
        }
        found.append((name, "" if is_leaf_type(returned) else "{ __typename }", named))
    return found


async def test_a_lookup_with_a_stale_token_says_refresh_not_not_found(api) -> None:
    """The soak found `dashboard(orgId)` answering NOT_FOUND once a token ran out, so a client
    would drop the org instead of refreshing: every lookup by id of the object it names says
    TOKEN_EXPIRED (and LOGIN_REQUIRED without a token). An id of another type is refused as
    ever (NOT_FOUND or BAD_USER_INPUT) before any caller is looked at."""
    world = await World(api).build()
    stale = jwt.encode(
        {**jwt.decode(world.admin_t, options={"verify_signature": False}), "exp": 1},
        api.services.settings.jwt_secret,
        algorithm="HS256",
    )
    ids = {
        "Org": gid("Org", world.tree["A"].id),
        "Cadre": world.cadre_gid,
        "Youth": gid("Youth", world.youth_id),
    }
    told = set()
    for field, selection, named in _lookups():
        for kind, some_id in ids.items():
            params = ", ".join(f"${a}: ID!" for a in named)
            passed = ", ".join(f"{a}: ${a}" for a in named)
            query = f"query({params}) {{ {field}({passed}) {selection} }}"
            names_it = all(t in (None, kind) for t in named.values())
            for token, reason in ((stale, "TOKEN_EXPIRED"), (None, "LOGIN_REQUIRED")):
                answer = await world.gql(query, dict.fromkeys(named, some_id), token=token)
                ext = answer.error.get("extensions", {})
                got = (ext.get("code"), ext.get("reason"))
                if names_it:
                    assert got == ("UNAUTHENTICATED", reason), (query, kind, answer.body)
                    told.add(field)
                else:
                    assert got[0] in {"UNAUTHENTICATED", "NOT_FOUND", "BAD_USER_INPUT"}, answer.body
    assert {"org", "node", "dashboard", "youth", "cadre"} <= told, told
