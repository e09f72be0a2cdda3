"""Logging in and out: passwords, one-time codes, token rotation, lockout, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import sqlalchemy as sa

from models import AuthSession, ClientKind, LoginThrottle, SmsOutbox, User, Youth
from tests.helpers import PASSWORD, add_user, add_youth, standard_tree

LOGIN = """mutation($u: String!, $p: String!, $c: ClientKind) {
  login(username: $u, password: $p, client: $c) { accessToken refreshToken accessTokenExpiresAt } }"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"
ME = "{ me { user { displayName username } grants { role } cadre { name } youth { name mobile } } }"


async def test_password_login_me_and_session_client(api) -> None:
    tree = await standard_tree(api.services)
    await add_user(api.services, "alice", org=tree["A"], roles=("city_admin",))
    r = await api.gql(LOGIN, {"u": "Alice", "p": PASSWORD, "c": "MOBILE"})
    tokens = r.data["login"]
    me = await api.gql(ME, token=tokens["accessToken"])
    assert me.data["me"]["user"] == {"displayName": "alice", "username": "alice"}
    assert me.data["me"]["grants"] == [{"role": "city_admin"}]
    assert me.data["me"]["cadre"] == {"name": "alice"}
    async with api.services.sessionmaker() as s:
        session = await s.scalar(sa.select(AuthSession))
        assert session.client == ClientKind.MOBILE
        assert (
            await s.scalar(sa.select(User.last_login_at).where(User.username == "alice"))
            is not None
        )


async def test_unknown_user_and_wrong_password_look_the_same(api) -> None:
    await add_user(api.services, "bob")
    wrong = await api.gql(LOGIN, {"u": "bob", "p": "Wrong1234"})
    unknown = await api.gql(LOGIN, {"u": "nobody", "p": "Wrong1234"})
    assert wrong.codes == unknown.codes == ["UNAUTHENTICATED"]
    assert wrong.body["errors"][0]["message"] == unknown.body["errors"][0]["message"]


async def test_lockout_after_repeated_failures_for_known_and_unknown(api) -> None:
    await add_user(api.services, "carol")
    limit = api.services.settings.login_max_failures
    for name in ("carol", "ghost"):
        for _ in range(limit):
            assert (await api.gql(LOGIN, {"u": name, "p": "Wrong1234"})).codes == [
                "UNAUTHENTICATED"
            ]
        locked = await api.gql(LOGIN, {"u": name, "p": PASSWORD})
        assert locked.codes == ["RATE_LIMITED"], name
    # Once the lock has run out, the right password works again.
    async with api.services.sessionmaker() as s:
        await s.execute(
            sa.update(LoginThrottle).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        await s.commit()
    assert (await api.gql(LOGIN, {"u": "carol", "p": PASSWORD})).data["login"]["accessToken"]
    async with api.services.sessionmaker() as s:
        assert (
            await s.scalar(
                sa.select(sa.func.count())
                .select_from(LoginThrottle)
                .where(LoginThrottle.identifier == "u:carol")
            )
            == 0
        )


async def test_refresh_rotates_and_reuse_revokes_the_family(api) -> None:
    await add_user(api.services, "dave")
    first = (await api.gql(LOGIN, {"u": "dave", "p": PASSWORD})).data["login"]
    second = (await api.gql(REFRESH, {"t": first["refreshToken"]})).data["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert (await api.gql(ME, token=second["accessToken"])).data["me"]["user"]["username"] == "dave"
    reused = await api.gql(REFRESH, {"t": first["refreshToken"]})
    assert reused.codes == ["UNAUTHENTICATED"]
    # The whole family is gone: the newest refresh token and access token stop working.
    assert (await api.gql(REFRESH, {"t": second["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(ME, token=second["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(REFRESH, {"t": "made-up"})).codes == ["UNAUTHENTICATED"]


async def test_logout_revokes_at_once(api) -> None:
    await add_user(api.services, "erin")
    one = (await api.gql(LOGIN, {"u": "erin", "p": PASSWORD})).data["login"]
    two = (await api.gql(LOGIN, {"u": "erin", "p": PASSWORD})).data["login"]
    assert (await api.gql("mutation { logout }", token=one["accessToken"])).data["logout"] == 1
    assert (await api.gql(ME, token=one["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(REFRESH, {"t": one["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(ME, token=two["accessToken"])).data["me"]
    assert (await api.gql("mutation { logout(everywhere: true) }", token=two["accessToken"])).data[
        "logout"
    ] == 1
    assert (await api.gql(ME, token=two["accessToken"])).codes == ["UNAUTHENTICATED"]


async def test_no_expired_forged_or_missing_tokens(api) -> None:
    user = await add_user(api.services, "frank")
    token = await api.token_for(user.id)
    claims = jwt.decode(token, options={"verify_signature": False})
    secret = api.services.settings.jwt_secret
    expired = jwt.encode(
        {**claims, "exp": datetime.now(UTC) - timedelta(seconds=5)}, secret, algorithm="HS256"
    )
    forged = jwt.encode(claims, "another-secret-another-secret-another", algorithm="HS256")
    r = await api.gql(ME, token=expired)
    assert r.codes == ["UNAUTHENTICATED"] and "过期" in r.body["errors"][0]["message"]
    assert (await api.gql(ME, token=forged)).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(ME)).codes == ["UNAUTHENTICATED"]
    assert (await api.gql("{ orgs { totalCount } }")).codes == ["UNAUTHENTICATED"]
    # A login still works with a stale token in the header.
    assert (await api.gql(LOGIN, {"u": "frank", "p": PASSWORD}, token=expired)).data["login"]


async def test_youth_logs_in_with_a_one_time_code(api) -> None:
    tree = await standard_tree(api.services)
    await add_youth(api.services, "小青", "13812345678", tree["A1"])
    sent = await api.gql(
        'mutation { requestLoginCode(mobile: "138 1234 5678") { retryAfterSeconds } }'
    )
    assert sent.data["requestLoginCode"]["retryAfterSeconds"] >= 0
    async with api.services.sessionmaker() as s:
        body = await s.scalar(sa.select(SmsOutbox.body).where(SmsOutbox.mobile == "13812345678"))
    code = "".join(ch for ch in body.split("验证码是")[1] if ch.isdigit())[:6]
    assert len(code) == 6
    login = (
        "mutation($m: String!, $c: String!) { loginWithCode(mobile: $m, code: $c) { accessToken } }"
    )
    token = (await api.gql(login, {"m": "13812345678", "c": code})).data["loginWithCode"][
        "accessToken"
    ]
    me = (await api.gql(ME, token=token)).data["me"]
    assert me["youth"] == {"name": "小青", "mobile": "13812345678"}  # their own number, whole
    assert me["cadre"] is None and me["grants"] == [{"role": "youth"}]
    orgs = await api.gql("{ orgs { nodes { name } } cadres { totalCount } }", token=token)
    assert orgs.codes == ["FORBIDDEN"]  # cadre data: refused
    own_org = (await api.gql("{ orgs { nodes { name } } }", token=token)).data["orgs"]["nodes"]
    assert own_org == [{"name": "甲一县"}, {"name": "甲一县某支部"}]  # their org and below
    # Single use.
    assert (await api.gql(login, {"m": "13812345678", "c": code})).codes == ["UNAUTHENTICATED"]
    async with api.services.sessionmaker() as s:
        youth = await s.scalar(sa.select(Youth).where(Youth.mobile == "13812345678"))
        assert youth.user_id is not None
        assert (await s.scalar(sa.select(AuthSession.client))) == ClientKind.MOBILE


async def test_one_time_code_refusals(api) -> None:
    tree = await standard_tree(api.services)
    await add_youth(api.services, "小蓝", "13812340000", tree["A1"])
    login = (
        "mutation($m: String!, $c: String!) { loginWithCode(mobile: $m, code: $c) { accessToken } }"
    )
    # An unknown number gets the same answer and no message.
    known = await api.gql(
        'mutation { requestLoginCode(mobile: "13812340000") { retryAfterSeconds } }'
    )
    unknown = await api.gql(
        'mutation { requestLoginCode(mobile: "13899999999") { retryAfterSeconds } }'
    )
    assert known.data == {"requestLoginCode": unknown.data["requestLoginCode"]}
    async with api.services.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(SmsOutbox)) == 1
    assert (await api.gql(login, {"m": "13899999999", "c": "123456"})).codes == ["UNAUTHENTICATED"]
    assert (
        await api.gql('mutation { requestLoginCode(mobile: "12345") { retryAfterSeconds } }')
    ).codes == ["BAD_USER_INPUT"]
    # Wrong codes lock the number.
    for _ in range(api.services.settings.login_max_failures):
        assert (await api.gql(login, {"m": "13812340000", "c": "000000"})).codes == [
            "UNAUTHENTICATED"
        ]
    assert (await api.gql(login, {"m": "13812340000", "c": "000000"})).codes == ["RATE_LIMITED"]


async def test_resend_is_throttled(running, database_url) -> None:
    from app.main import create_app
    from tests.conftest import RunningApp, settings_for_tests
    from tests.helpers import Api

    async with (
        RunningApp(
            create_app(settings_for_tests(otp_resend_seconds=60), database_url=database_url)
        ) as app,
        app.client() as client,
    ):
        api = Api(client, app.services)
        ask = 'mutation { requestLoginCode(mobile: "13812340001") { retryAfterSeconds } }'
        assert (await api.gql(ask)).data["requestLoginCode"]["retryAfterSeconds"] == 60
        again = await api.gql(ask)
        assert again.codes == ["RATE_LIMITED"]
        assert again.body["errors"][0]["extensions"]["retryAfter"] > 0


async def test_address_rate_limit_answers_429_with_code(running, database_url) -> None:
    from app.main import create_app
    from tests.conftest import RunningApp, settings_for_tests

    async with (
        RunningApp(
            create_app(settings_for_tests(rate_limit_per_minute=3), database_url=database_url)
        ) as app,
        app.client() as client,
    ):
        statuses = [
            (await client.post("/graphql", json={"query": "{ __typename }"})).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        r = await client.post("/graphql", json={"query": "{ __typename }"})
        assert r.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(r.headers["retry-after"]) > 0
