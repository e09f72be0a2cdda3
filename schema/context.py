"""The per-request context Strawberry hands every resolver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from resolvers.base import Ctx


@dataclass
class Context:
    ctx: Ctx
    request: Any
    response: Any
    # Live events of this instance (subscriptions), and a WebSocket's connection_init payload.
    hub: Any = None
    limits: Any = None  # per-principal windows for expensive operations
    connection_params: dict[str, Any] | None = None
    # A deadlock or serialization failure rolled the operation back: the view runs it again
    # (with a fresh session) while retries are left.
    retries_left: int = 0
    retry: bool = False


Info = strawberry.Info[Context, None]
