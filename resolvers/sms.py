"""Sending one-time codes (SMS_PROVIDER).

- `outbox` (the default): written to `sms_outbox`; development and tests read it there.
- `tencent`: Tencent Cloud SMS, API 3.0 `SendSms` (version 2021-01-11), signed with
  TC3-HMAC-SHA256 as its documentation says ("Signature v3"); keys, SDK app id, sign name
  and template from the settings (docs/operations.md). Its error codes become ours: a
  number the provider refuses is BAD_USER_INPUT, the provider's per-number limits are
  RATE_LIMITED, everything else SERVICE_UNAVAILABLE (reason SMS_UNAVAILABLE, with
  `retryAfter` when trying again can help).
- `package.module:Class`: any other gateway with the same `send`.

A message is its full text plus the template's parameters in order: providers in China send
only approved templates, so the gateway gets the parameters and the outbox the text."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authz import errors
from authz.errors import BadInput, RateLimited, Unavailable
from models import SmsOutbox

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger("youthlink.sms")


class SmsProvider(Protocol):
    async def send(
        self, session: AsyncSession, mobile: str, text: str, params: Sequence[str] = ()
    ) -> None: ...


class OutboxProvider:
    async def send(
        self, session: AsyncSession, mobile: str, text: str, params: Sequence[str] = ()
    ) -> None:
        session.add(SmsOutbox(mobile=mobile, body=text))
        await session.flush()


def load_provider(settings: Settings) -> SmsProvider:
    spec = settings.sms_provider
    if spec == "outbox":
        return OutboxProvider()
    if spec == "tencent":
        return TencentSms(settings)
    module, _, name = spec.partition(":")
    provider: SmsProvider = getattr(importlib.import_module(module), name)()
    return provider


# --- Tencent Cloud SMS -------------------------------------------------------------------

TC3 = "TC3-HMAC-SHA256"
SERVICE, ACTION, VERSION = "sms", "SendSms", "2021-01-11"
SIGNED_HEADERS = "content-type;host;x-tc-action"
JSON_TYPE = "application/json; charset=utf-8"

# The provider's per-number frequency limits (its error codes), and how long they last.
_NUMBER_LIMITS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberDailyLimit": 86_400,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": 86_400,
}
# Refusals of the number itself.
_BAD_NUMBER = (
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
)
# Passing troubles on the provider's side: trying again in a moment can work.
_TRANSIENT = ("InternalError", "RequestLimitExceeded", "LimitExceeded.DeliveryFrequencyLimit")


def tc3_authorization(
    secret_id: str, secret_key: str, host: str, body: bytes, timestamp: int
) -> str:
    """The Authorization header of a POST to `host` (Tencent Cloud API 3.0, signature v3):
    a canonical request over the signed headers and the body's SHA-256, signed with a key
    derived from the secret key, the UTC date and the service."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{JSON_TYPE}\nhost:{host}\nx-tc-action:{ACTION.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, SIGNED_HEADERS, hashlib.sha256(body).hexdigest()]
    )
    scope = f"{day}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        [TC3, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(("TC3" + secret_key).encode(), day)
    key = _hmac(_hmac(key, SERVICE), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{TC3} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class TencentSms:
    def __init__(self, settings: Settings) -> None:
        missing = [
            name
            for name in (
                "sms_secret_id",
                "sms_secret_key",
                "sms_app_id",
                "sms_sign_name",
                "sms_template_id",
            )
            if not getattr(settings, name)
        ]
        if missing:
            raise RuntimeError(
                "SMS_PROVIDER=tencent needs " + ", ".join(m.upper() for m in missing)
            )
        self.settings = settings

    async def send(
        self, session: AsyncSession, mobile: str, text: str, params: Sequence[str] = ()
    ) -> None:
        s = self.settings
        assert s.sms_secret_id and s.sms_secret_key  # checked in __init__
        body = json.dumps(
            {
                "PhoneNumberSet": [f"+86{mobile}"],
                "SmsSdkAppId": s.sms_app_id,
                "SignName": s.sms_sign_name,
                "TemplateId": s.sms_template_id,
                "TemplateParamSet": list(params),
            },
            ensure_ascii=False,
        ).encode()
        host = urlsplit(s.sms_endpoint).netloc
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            "Content-Type": JSON_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": s.sms_region,
            "Authorization": tc3_authorization(
                s.sms_secret_id, s.sms_secret_key.get_secret_value(), host, body, timestamp
            ),
        }
        try:
            async with httpx.AsyncClient(timeout=s.sms_timeout_seconds) as client:
                r = await client.post(s.sms_endpoint, content=body, headers=headers)
            answer = r.json()["Response"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("SMS provider unreachable or answered garbage: %s", type(exc).__name__)
            raise _unavailable(retry_after=30) from None
        error = answer.get("Error")
        if error:  # the whole request was refused
            _raise_for(str(error.get("Code")), answer.get("RequestId"))
        statuses = answer.get("SendStatusSet") or [{}]
        code = str(statuses[0].get("Code"))
        if code != "Ok":  # accepted, but not sent to this number
            _raise_for(code, answer.get("RequestId"))


def _raise_for(code: str, request_id: object) -> None:
    """The provider's error code as ours; the operator's log says which it was (never the
    number, the text or a key)."""
    if code in _NUMBER_LIMITS:
        raise RateLimited("该号码获取短信过于频繁，请稍后再试", retry_after=_NUMBER_LIMITS[code])
    if code in _BAD_NUMBER:
        raise BadInput("该手机号码无法接收短信", field="mobile")
    if code.startswith(_TRANSIENT):
        log.warning("SMS provider busy: %s (request %s)", code, request_id)
        raise _unavailable(retry_after=30)
    # Credentials, signature, sign name, template, balance: the operator must act.
    log.error("SMS provider refused the message: %s (request %s)", code, request_id)
    raise _unavailable(retry_after=None)


def _unavailable(retry_after: int | None) -> Unavailable:
    details: dict[str, object] = {"reason": errors.SMS_UNAVAILABLE}
    if retry_after is not None:
        details["retry_after"] = retry_after
    return Unavailable("短信服务暂时不可用，请稍后再试", **details)
