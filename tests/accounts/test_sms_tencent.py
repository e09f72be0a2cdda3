"""One-time codes through Tencent Cloud SMS (SMS_PROVIDER=tencent), against a local server
that verifies each request's TC3-HMAC-SHA256 signature as the provider does and answers in
its format (tests/tencent_sms.py). The code that arrives there logs the youth in; the
provider's refusals become our codes, with nothing written."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from app.main import create_app
from models import OtpCode, SmsOutbox
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import add_youth, snapshot, standard_tree
from tests.tencent_sms import SECRET_KEY, TEMPLATE_ID, FakeTencentSms

SEND = "mutation($m: String!) { requestLoginCode(mobile: $m) { retryAfterSeconds } }"
LOGIN = "mutation($m: String!, $c: String!) { loginWithCode(mobile: $m, code: $c) { accessToken } }"


@pytest.fixture
async def provider() -> AsyncIterator[FakeTencentSms]:
    fake = FakeTencentSms()
    yield fake
    fake.close()


@pytest.fixture
async def sms_app(provider, database_url, api) -> AsyncIterator[Any]:
    """The app as an operator configures it for Tencent Cloud (on the test database, emptied
    before each test by the `api` fixture's clean-up)."""
    settings = settings_for_tests(**provider.settings())
    async with RunningApp(create_app(settings, database_url=database_url)) as app:
        yield app


async def post(app: Any, query: str, variables: dict) -> dict:
    async with app.client() as client:
        return (await client.post("/graphql", json={"query": query, "variables": variables})).json()


async def test_the_code_goes_through_the_provider_signed_and_logs_the_youth_in(
    sms_app, provider, caplog
) -> None:
    tree = await standard_tree(sms_app.services)
    await add_youth(sms_app.services, "小腾", "13812345670", tree["A1"])
    caplog.set_level(logging.DEBUG)
    sent = await post(sms_app, SEND, {"m": "138 1234 5670"})
    assert sent["data"]["requestLoginCode"]["retryAfterSeconds"] >= 0
    [request] = provider.received
    assert request.error is None  # the signature checked out on the provider's side
    assert request.headers["x-tc-action"] == "SendSms" and request.headers["x-tc-region"]
    assert request.body["PhoneNumberSet"] == ["+8613812345670"]
    assert request.body["TemplateId"] == TEMPLATE_ID
    code, minutes = request.body["TemplateParamSet"]
    assert len(code) == 6 and code.isdigit() and minutes == "5"
    async with sms_app.services.sessionmaker() as s:  # the outbox is not used
        assert await s.scalar(sa.select(sa.func.count()).select_from(SmsOutbox)) == 0
    login = await post(sms_app, LOGIN, {"m": "13812345670", "c": code})
    assert login["data"]["loginWithCode"]["accessToken"]
    assert SECRET_KEY not in caplog.text and "13812345670" not in caplog.text

    # An unknown number: the same answer, and nothing reaches the provider.
    unknown = await post(sms_app, SEND, {"m": "13899990000"})
    assert unknown["data"] == sent["data"] and len(provider.received) == 1


async def error_of(app: Any, mobile: str) -> dict:
    answer = await post(app, SEND, {"m": mobile})
    assert answer["data"] is None
    return answer["errors"][0]


async def test_the_providers_refusals_are_our_codes_and_write_nothing(
    sms_app, provider, caplog
) -> None:
    tree = await standard_tree(sms_app.services)
    numbers = {
        "13800000001": "LimitExceeded.PhoneNumberDailyLimit",
        "13800000002": "InvalidParameterValue.IncorrectPhoneNumber",
        "13800000003": "InternalError.Timeout",
        "13800000004": "Ok",
    }
    for i, number in enumerate(numbers):
        await add_youth(sms_app.services, f"小{i}", number, tree["A1"])
        provider.outcomes["+86" + number] = numbers[number]
    before = await snapshot(sms_app.services)

    limited = await error_of(sms_app, "13800000001")
    assert limited["extensions"]["code"] == "RATE_LIMITED"
    assert limited["extensions"]["retryAfter"] == 86_400 and "频繁" in limited["message"]
    bad = await error_of(sms_app, "13800000002")
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["extensions"]["field"] == "mobile"
    busy = await error_of(sms_app, "13800000003")
    assert busy["extensions"] | {"requestId": ""} == {
        "code": "SERVICE_UNAVAILABLE",
        "reason": "SMS_UNAVAILABLE",
        "retryAfter": 30,
        "requestId": "",
    }
    assert await snapshot(sms_app.services) == before  # no code kept that was never sent

    # The key was rotated in the provider's console: the provider refuses our signature,
    # the caller is told to come back later, the operator's log says why (not the key).
    caplog.set_level(logging.INFO, logger="youthlink.sms")
    provider.keys = {k: "rotated-" + v for k, v in provider.keys.items()}
    refused = await error_of(sms_app, "13800000004")
    assert provider.received[-1].error == "AuthFailure.SignatureFailure"
    assert refused["extensions"]["reason"] == "SMS_UNAVAILABLE"
    assert "retryAfter" not in refused["extensions"]
    assert "AuthFailure.SignatureFailure" in caplog.text
    assert SECRET_KEY not in caplog.text and "13800000004" not in caplog.text
    assert await snapshot(sms_app.services) == before
    async with sms_app.services.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(OtpCode)) == 0


async def test_a_request_signed_wrongly_is_refused_by_the_stand_in(provider) -> None:
    """The stand-in's check can fail: an altered body or a stale timestamp is refused."""
    import json
    from datetime import UTC, datetime

    import httpx

    from resolvers.sms import tc3_authorization
    from tests.tencent_sms import SECRET_ID

    host = provider.url.removeprefix("http://")
    body = json.dumps({"PhoneNumberSet": ["+8613800000009"]}).encode()
    now = int(datetime.now(UTC).timestamp())

    def headers(ts: int, signed_body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(ts),
            "Authorization": tc3_authorization(SECRET_ID, SECRET_KEY, host, signed_body, ts),
        }

    async with httpx.AsyncClient(base_url=provider.url) as client:
        altered = await client.post("/", content=body, headers=headers(now, body + b" "))
        stale = await client.post("/", content=body, headers=headers(now - 600, body))
    assert altered.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert stale.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureExpire"
