"""Sending one-time codes. The bundled provider writes to `sms_outbox` (development and
tests read it there); a real gateway plugs in with SMS_PROVIDER=package.module:Class."""

from __future__ import annotations

import importlib
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from models import SmsOutbox


class SmsProvider(Protocol):
    async def send(self, session: AsyncSession, mobile: str, text: str) -> None: ...


class OutboxProvider:
    async def send(self, session: AsyncSession, mobile: str, text: str) -> None:
        session.add(SmsOutbox(mobile=mobile, body=text))
        await session.flush()


def load_provider(spec: str) -> SmsProvider:
    if spec == "outbox":
        return OutboxProvider()
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()
