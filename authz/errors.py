"""Domain errors: raised below `schema/`, turned into GraphQL errors with a stable code there.

Where a client must act differently under one code, the error carries `reason` too
(`extensions.reason`); docs/api.md lists every code and reason in one table."""

from __future__ import annotations

# UNAUTHENTICATED: what the client should do next.
LOGIN_REQUIRED = "LOGIN_REQUIRED"  # no token: log in
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # the access token ran out: refresh it
TOKEN_REVOKED = "TOKEN_REVOKED"  # logged out, deactivated or a refresh token reused: log in again
TOKEN_INVALID = "TOKEN_INVALID"  # not a token of ours: log in again
BAD_CREDENTIALS = "BAD_CREDENTIALS"  # wrong username/password or one-time code
# FORBIDDEN: the youth has to accept the current privacy policy first.
CONSENT_REQUIRED = "CONSENT_REQUIRED"
# FORBIDDEN: giving rights (authz/escalation.py).
ESCALATION = "ESCALATION"  # a role with a right the giver does not hold there (by own grants)
SELF_GRANT = "SELF_GRANT"  # a grant or delegation to oneself
NEEDS_SECOND_APPROVAL = "NEEDS_SECOND_APPROVAL"  # widens one's own rights: another admin approves
# FORBIDDEN: honest checks (authz/checks.py): nobody samples, checks or reviews flags on
# their own records.
OWN_RECORDS = "OWN_RECORDS"
# CONFLICT: the object's state does not allow the action.
ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
# GONE (GET /files/…): a download link works once, and only until it expires.
DOWNLOAD_USED = "DOWNLOAD_USED"
DOWNLOAD_EXPIRED = "DOWNLOAD_EXPIRED"
# SERVICE_UNAVAILABLE: the SMS provider did not send the one-time code (resolvers/sms.py).
SMS_UNAVAILABLE = "SMS_UNAVAILABLE"
# SERVICE_UNAVAILABLE: the object store keeping evidence files (EVIDENCE_STORE=s3) failed.
STORE_UNAVAILABLE = "STORE_UNAVAILABLE"


class DomainError(Exception):
    code = "INTERNAL_SERVER_ERROR"
    default_message = "服务器内部错误"

    def __init__(self, message: str | None = None, **details: object) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    default_message = "请先登录"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    default_message = "没有权限执行此操作"


class NotFound(DomainError):
    code = "NOT_FOUND"
    default_message = "对象不存在或无权访问"


class BadInput(DomainError):
    code = "BAD_USER_INPUT"
    default_message = "输入有误"


class Conflict(DomainError):
    code = "CONFLICT"
    default_message = "与现有数据冲突"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    default_message = "请求过于频繁，请稍后再试"


class Gone(DomainError):
    code = "GONE"
    default_message = "已失效"


class Unavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    default_message = "服务暂时不可用，请稍后再试"
