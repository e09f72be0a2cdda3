"""The scalars beyond GraphQL's own, with zh-CN descriptions (strawberry's are English)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition


def _described(definition: ScalarDefinition, description: str) -> ScalarDefinition:
    return dataclasses.replace(definition, description=description)


SCALARS: dict[object, ScalarDefinition] = {
    dt.date: _described(
        DateDefinition, "日期，ISO 8601 格式 YYYY-MM-DD（如 2026-07-01），不含时间与时区"
    ),
    dt.datetime: _described(
        DateTimeDefinition,
        "时间点，ISO 8601 格式并带时区（如 2026-07-01T08:30:00+00:00）；服务端以 UTC 记录",
    ),
    JSON: _described(
        DEFAULT_SCALAR_REGISTRY[JSON],
        "任意 JSON 值，只用于本身就是文档的数据（审计前后值、权限策略导出/导入、本人数据导出）",
    ),
}
