"""The ranges of every number and date a client can send, in one place.

Each Int, Float, Date and DateTime argument (and field of an input object) is checked before
its resolver runs: a value outside its range is BAD_USER_INPUT naming the argument, never an
overflow deep in date arithmetic or a year no one meant. Domain rules (a rating is 1–5, a
page at most PAGE_SIZE_MAX) stay where they are and may be narrower; these are the outer
bounds every value must meet. A test walks the SDL so that a new argument is covered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from authz.errors import BadInput

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

# By GraphQL name: (lowest, highest, what it is). Any other number: NUMBERS_DEFAULT.
NUMBERS: dict[str, tuple[int, int, str]] = {
    "year": (2000, 2100, "年份"),
    "quarter": (1, 4, "季度"),
    "seed": (-(2**31), 2**31 - 1, "随机种子"),
    "olderThanDays": (0, 3650, "天数"),
    "periodMonths": (1, 12, "周期月数"),
    "maxDistance": (0, 99, "层级距离"),
    "score": (1, 5, "评分"),
    "satisfaction": (1, 5, "满意度"),
    "points": (0, 100, "分值"),
}
NUMBERS_DEFAULT = (0, 1_000_000, "数值")
DATES: dict[str, str] = {
    "dateFrom": "开始日期",
    "dateTo": "结束日期",
    "on": "日期",
    "birthDate": "出生日期",
    "occurredAt": "发生时间",
    "occurredOn": "日期",
}
BOUNDED = {"Int", "Float", "Date", "DateTime"}


def check(name: str, value: Any, type_name: str) -> None:
    if value is None:
        return
    if type_name in ("Date", "DateTime"):
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST <= day <= LATEST:
            label = DATES.get(name, "日期")
            raise BadInput(f"{label}应在 {EARLIEST} 到 {LATEST} 之间", field=name)
        return
    low, high, label = NUMBERS.get(name, NUMBERS_DEFAULT)
    if not low <= value <= high:
        raise BadInput(f"{label}应在 {low} 到 {high} 之间", field=name)


def _check_value(name: str, type_: GraphQLInputType, value: Any) -> None:
    named = get_named_type(type_)
    values = value if isinstance(value, list) else [value]
    for v in values:
        if v is None:
            continue
        if isinstance(named, GraphQLInputObjectType):
            for key, field in named.fields.items():
                if key in v:
                    _check_value(key, field.type, v[key])
        elif named.name in BOUNDED:
            check(name, v, named.name)


def _holds_bounded(type_: GraphQLInputType, seen: frozenset[str] = frozenset()) -> bool:
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        if named.name in seen:
            return False
        return any(_holds_bounded(f.type, seen | {named.name}) for f in named.fields.values())
    return named.name in BOUNDED


def _guard(args: dict[str, GraphQLArgument], resolve: Callable[..., Any]) -> Callable[..., Any]:
    bounded = {name: arg.type for name, arg in args.items() if _holds_bounded(arg.type)}

    def checked(root: Any, info: Any, **kwargs: Any) -> Any:
        for name, type_ in bounded.items():
            if name in kwargs:
                _check_value(name, type_, kwargs[name])
        return resolve(root, info, **kwargs)

    checked.bounded = bounded  # type: ignore[attr-defined]
    return checked


def bound_arguments(schema: GraphQLSchema) -> None:
    """Wraps the resolver of every field that takes a number or a date (fields without
    such arguments, the many leaves, keep their resolver as it is)."""
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        if type_ is schema.subscription_type:
            continue
        for field in type_.fields.values():
            if (
                field.resolve is not None
                and any(_holds_bounded(a.type) for a in field.args.values())
                and not hasattr(field.resolve, "bounded")
            ):
                field.resolve = _guard(field.args, field.resolve)
