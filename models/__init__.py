"""SQLAlchemy tables, one module per domain. Importing this package registers them all."""

from models.accounts import (
    AuthSession,
    ClientKind,
    LoginThrottle,
    OtpCode,
    RefreshToken,
    SmsOutbox,
    User,
)
from models.audit import AuditEntry
from models.base import Base, metadata
from models.org import Org, OrgKind, OrgLevel
from models.people import Cadre, CadreKind, Youth
from models.policy import Grant, Role, RolePermission

__all__ = [
    "AuditEntry",
    "AuthSession",
    "Base",
    "Cadre",
    "CadreKind",
    "ClientKind",
    "Grant",
    "LoginThrottle",
    "Org",
    "OrgKind",
    "OrgLevel",
    "OtpCode",
    "RefreshToken",
    "Role",
    "RolePermission",
    "SmsOutbox",
    "User",
    "Youth",
    "metadata",
]
