"""Every limit answers with its code, never a 500."""

from __future__ import annotations

import sqlalchemy as sa

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import STATEMENT_TIMEOUT_MS, Api, add_user, add_youth, gid, standard_tree


async def test_batched_requests_are_refused(api) -> None:
    r = await api.client.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    assert r.status_code == 400


async def test_introspection_can_be_switched_off(database_url) -> None:
    async with (
        RunningApp(
            create_app(settings_for_tests(graphql_introspection=False), database_url=database_url)
        ) as app,
        app.client() as client,
    ):
        r = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        body = r.json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] in (
            "FORBIDDEN",
            "GRAPHQL_VALIDATION_FAILED",
        )


async def test_failed_logins_per_address_lock_every_username(database_url) -> None:
    settings = settings_for_tests(login_failures_per_address=4)
    async with (
        RunningApp(create_app(settings, database_url=database_url)) as app,
        app.client() as client,
    ):
        api = Api(client, app.services)
        login = (
            'mutation($u: String!) { login(username: $u, password: "Wrong1234") { accessToken } }'
        )
        codes = [(await api.gql(login, {"u": f"user{i}"})).codes for i in range(5)]
        assert codes[:4] == [["UNAUTHENTICATED"]] * 4 and codes[4] == ["RATE_LIMITED"]


async def test_one_time_codes_are_capped_per_number_and_address(database_url) -> None:
    settings = settings_for_tests(otp_per_mobile_per_day=2, otp_per_address_per_hour=3)
    async with (
        RunningApp(create_app(settings, database_url=database_url)) as app,
        app.client() as client,
    ):
        api = Api(client, app.services)
        ask = "mutation($m: String!) { requestLoginCode(mobile: $m) { retryAfterSeconds } }"
        assert [(await api.gql(ask, {"m": "13700000101"})).codes for _ in range(3)] == [
            [],
            [],
            ["RATE_LIMITED"],
        ]
        assert (await api.gql(ask, {"m": "13700000102"})).codes == []
        assert (await api.gql(ask, {"m": "13700000103"})).codes == [
            "RATE_LIMITED"
        ]  # 3 an hour per address


async def test_expensive_fields_are_limited_per_principal(database_url) -> None:
    async with (
        RunningApp(
            create_app(settings_for_tests(expensive_per_minute=2), database_url=database_url)
        ) as app,
        app.client() as client,
    ):
        api = Api(client, app.services)
        tree = await standard_tree(app.services)
        leader = await add_user(app.services, "leader", org=tree["A"], roles=("city_admin",))
        t = await api.token_for(leader.id)
        q = "query($o: ID!) { dashboard(orgId: $o) { logs } }"
        codes = [
            (await api.gql(q, {"o": gid("Org", tree["A"].id)}, token=t)).codes for _ in range(3)
        ]
        assert codes == [[], [], ["RATE_LIMITED"]]
        assert (
            await api.gql("{ orgs { totalCount } }", token=t)
        ).codes == []  # cheap fields still pass


async def test_a_statement_over_its_time_answers_timeout(api, database_url) -> None:
    """The dashboard's statement waits on a lock held here, so it outlives its time whatever
    the machine's speed; the app's own start-up queries touch no locked table. The time is
    one no ordinary statement reaches even on a loaded machine (a tiny one also cut short
    the app's start-up query there): only the locked one runs into it."""
    tree = await standard_tree(api.services)
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    for i in range(3):
        await add_youth(api.services, f"y{i}", f"1360000000{i}", tree["A1"])
    t = await api.token_for(leader.id)
    slow_app = create_app(
        settings_for_tests(db_statement_timeout_ms=STATEMENT_TIMEOUT_MS), database_url=database_url
    )
    async with RunningApp(slow_app) as app, app.client() as client:
        slow = Api(client, app.services)
        q = "query($o: ID!) { dashboard(orgId: $o) { cadres logs fiveOnesByChild { done } industryMix { name } } }"
        async with api.services.engine.begin() as holder:
            await holder.execute(sa.text("LOCK TABLE work_logs, youth IN ACCESS EXCLUSIVE MODE"))
            r = await slow.gql(q, {"o": gid("Org", tree["A"].id)}, token=t)
        assert r.codes and set(r.codes) == {"TIMEOUT"}, r.body
        assert r.body["errors"][0]["message"] == "查询超时，请缩小范围后重试"


async def test_pool_exhaustion_answers_service_unavailable(api, database_url) -> None:
    """Either pool with no free connection: the principal's (before the operation: 503) and
    the sessions' (within it: the operation's error). DATABASE_BUSY both times, never a 500."""
    tree = await standard_tree(api.services)
    leader = await add_user(api.services, "leader", org=tree["A"], roles=("city_admin",))
    t = await api.token_for(leader.id)
    settings = settings_for_tests(db_pool_size=1, db_pool_timeout_seconds=0.2)
    query = {"query": "{ orgs { totalCount } }"}
    headers = {"authorization": f"Bearer {t}"}
    async with RunningApp(create_app(settings, database_url=database_url)) as app:
        fixed = app.services.fixed.pool
        assert fixed is not None
        held = [await fixed.acquire() for _ in range(fixed.get_max_size())]
        try:
            async with app.client() as client:
                r = await client.post("/graphql", json=query, headers=headers)
            assert r.status_code == 503
            ext = r.json()["errors"][0]["extensions"]
            assert (ext["code"], ext["reason"]) == ("SERVICE_UNAVAILABLE", "DATABASE_BUSY")
        finally:
            for c in held:
                await fixed.release(c)
        hold = [
            await app.services.engine.connect() for _ in range(2)
        ]  # the pool (1) and its overflow (1)
        try:
            async with app.client() as client:
                r = await client.post("/graphql", json=query, headers=headers)
            body = r.json()
            assert body["data"] is None
            ext = body["errors"][0]["extensions"]
            assert (ext["code"], ext["reason"]) == ("SERVICE_UNAVAILABLE", "DATABASE_BUSY")
        finally:
            for c in hold:
                await c.close()
        async with app.client() as client:  # and serves again once connections are free
            r = await client.post("/graphql", json=query, headers=headers)
            assert r.json()["data"]["orgs"]["totalCount"] == 4  # A and below


async def test_data_the_database_cannot_hold_is_bad_input(api) -> None:
    """Found by schemathesis: a NUL character or a number beyond a column's range."""
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(admin.id)
    for query in (
        'mutation { deleteRole(name: "a\\u0000b") }',
        '{ cadres(search: "x\\u0000") { totalCount } }',
        "{ missingReports(year: 11583, quarter: -730738) { nodes { name } } }",
        '{ orgs(search: "\\u0000") { totalCount } }',
    ):
        r = await api.gql(query, token=t)
        assert r.codes in (["BAD_USER_INPUT"], ["NOT_FOUND"]), (query, r.body)
