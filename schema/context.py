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


Info = strawberry.Info[Context, None]
