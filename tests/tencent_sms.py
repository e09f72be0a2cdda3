"""A local stand-in for Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) that checks each
request as the provider does and answers in its documented format.

The signature is verified here from the documentation ("Signature v3", TC3-HMAC-SHA256),
written apart from resolvers/sms.py and without importing it: a wrong canonical request,
key derivation, date, scope or header there fails here with the provider's own error code
(AuthFailure.*), in an answer with HTTP 200 and `Response.Error`, as the provider gives it.
Numbers can be given an outcome (`outcomes`), e.g. "LimitExceeded.PhoneNumberDailyLimit".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET_ID = "AKIDyouthlinkTestKeyId0000000000"
SECRET_KEY = "youthlinkTestSecretKey0000000000"
APP_ID = "1400000001"
SIGN_NAME = "共青团1加100"
TEMPLATE_ID = "1234567"
MAX_SKEW_SECONDS = 300  # the provider refuses a request signed more than 5 minutes away

_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)"
    r"/tc3_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    error: str | None  # the provider's error code for the whole request, if refused


@dataclass
class FakeTencentSms:
    keys: dict[str, str] = field(default_factory=lambda: {SECRET_ID: SECRET_KEY})
    outcomes: dict[str, str] = field(default_factory=dict)  # "+86…" → a SendStatus code
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                answer = fake.answer(self.command, self.path, dict(self.headers.items()), raw)
                out = json.dumps({"Response": answer}, ensure_ascii=False).encode()
                self.send_response(200)  # API 3.0 answers 200 and says in the body
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # bound now
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """The app's SMS settings pointing at this server."""
        return {
            "sms_provider": "tencent",
            "sms_secret_id": SECRET_ID,
            "sms_secret_key": SECRET_KEY,
            "sms_app_id": APP_ID,
            "sms_sign_name": SIGN_NAME,
            "sms_template_id": TEMPLATE_ID,
            "sms_endpoint": self.url,
            **overrides,
        }

    # --- the provider's side ------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> dict:
        request_id = str(uuid.uuid4())
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        error = self.refusal(method, path, lower, raw, body)
        self.received.append(Received(lower, body, error))
        if error:
            return {"Error": {"Code": error, "Message": error}, "RequestId": request_id}
        return {
            "SendStatusSet": [self.status(n) for n in body["PhoneNumberSet"]],
            "RequestId": request_id,
        }

    def refusal(
        self, method: str, path: str, h: dict[str, str], raw: bytes, body: dict
    ) -> str | None:
        m = _AUTH.match(h.get("authorization", ""))
        if not m:
            return "AuthFailure.InvalidAuthorization"
        if m["id"] not in self.keys:
            return "AuthFailure.SecretIdNotFound"
        timestamp = int(h.get("x-tc-timestamp", "0"))
        now = datetime.now(UTC).timestamp()
        if abs(now - timestamp) > MAX_SKEW_SECONDS:
            return "AuthFailure.SignatureExpire"
        if m["day"] != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d"):
            return "AuthFailure.SignatureFailure"
        signed = m["headers"].split(";")
        if not {"content-type", "host"} <= set(signed) or any(n not in h for n in signed):
            return "AuthFailure.SignatureFailure"
        expected = self.signature(
            m["id"], m["day"], m["service"], method, path, h, signed, raw, timestamp
        )
        if not hmac.compare_digest(expected, m["sig"]):
            return "AuthFailure.SignatureFailure"
        if (h.get("x-tc-action"), h.get("x-tc-version")) != ("SendSms", "2021-01-11"):
            return "InvalidAction"
        if body.get("SmsSdkAppId") != APP_ID:
            return "FailedOperation.TemplateIncorrectOrUnapproved"
        if body.get("SignName") != SIGN_NAME:
            return "FailedOperation.SignatureIncorrectOrUnapproved"
        if body.get("TemplateId") != TEMPLATE_ID:
            return "FailedOperation.TemplateIncorrectOrUnapproved"
        return None

    def signature(
        self,
        secret_id: str,
        day: str,
        service: str,
        method: str,
        path: str,
        h: dict[str, str],
        signed: list[str],
        raw: bytes,
        timestamp: int,
    ) -> str:
        """TC3-HMAC-SHA256 as documented: CanonicalRequest → StringToSign → derived key."""
        uri, _, query = path.partition("?")
        canonical_headers = "".join(f"{n}:{h[n].strip().lower()}\n" for n in signed)
        canonical = "\n".join(
            [
                method,
                uri or "/",
                query,
                canonical_headers,
                ";".join(signed),
                hashlib.sha256(raw).hexdigest(),
            ]
        )
        string_to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{day}/{service}/tc3_request\n"
            + hashlib.sha256(canonical.encode()).hexdigest()
        )

        def sign(key: bytes, msg: str) -> bytes:
            return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

        secret_date = sign(("TC3" + self.keys[secret_id]).encode(), day)
        secret_signing = sign(sign(secret_date, service), "tc3_request")
        return hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()

    def status(self, number: str) -> dict[str, Any]:
        code = self.outcomes.get(number, "Ok")
        return {
            "SerialNo": f"2645:{uuid.uuid4().int % 10**28}",
            "PhoneNumber": number,
            "Fee": 1 if code == "Ok" else 0,
            "SessionContext": "",
            "Code": code,
            "Message": "send success" if code == "Ok" else code,
            "IsoCode": "CN",
        }
