"""Every type, field, argument, input field, enum value and scalar of the live schema carries
a zh-CN description (docs/api.md promises front-end teams the Chinese term and meaning on
each): a new field without one fails here, no list to keep up to date."""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_directives,
    specified_scalar_types,
)
from graphql import (
    build_schema as parse_sdl,
)

from schema import build_schema

CJK = re.compile(r"[\u4e00-\u9fff]")


def described_elements(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(coordinate, description) of everything a client can see, GraphQL's own built-ins
    (introspection types, String/Int/…, @skip/@include/…) left out: those are not ours."""
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        yield name, type_.description
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, input_field in type_.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                yield f"{name}.{value_name}", value.description
    builtin = {d.name for d in specified_directives}
    for directive in schema.directives:
        if directive.name in builtin:
            continue
        yield f"@{directive.name}", directive.description
        for arg_name, arg in directive.args.items():
            yield f"@{directive.name}({arg_name}:)", arg.description


def _live() -> list[tuple[str, str | None]]:
    return list(described_elements(build_schema()._schema))


def test_every_element_of_the_live_schema_is_described() -> None:
    missing = [where for where, text in _live() if not (text and text.strip())]
    assert missing == [], f"{len(missing)} without a description (add description=…)"


def test_descriptions_are_chinese() -> None:
    """An English placeholder is not a description for this API's readers."""
    not_chinese = [(where, text) for where, text in _live() if text and not CJK.search(text)]
    assert not_chinese == []


def test_the_walk_sees_each_kind_of_element() -> None:
    """The walker itself: an SDL with one undescribed element of each kind is caught whole,
    so the two tests above cannot pass by walking nothing."""
    sdl = """
        \"\"\"查询\"\"\" type Query { a(x: Int): E, b(i: I): S, c: T }
        enum E { ONE }
        input I { f: Int }
        scalar S
        interface T { g: Int }
        directive @d(y: Int) on FIELD
    """
    found = {where for where, text in described_elements(parse_sdl(sdl)) if not text}
    assert found == {
        "Query.a",
        "Query.a(x:)",
        "Query.b",
        "Query.b(i:)",
        "Query.c",
        "E",
        "E.ONE",
        "I",
        "I.f",
        "S",
        "T",
        "T.g",
        "@d",
        "@d(y:)",
    }
    assert len(_live()) > 1_500  # the live walk covers the whole API
