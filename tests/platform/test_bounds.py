"""Every number and date a client can send has bounds (schema/bounds.py): out of them is
BAD_USER_INPUT naming the argument, over HTTP, for every field of the schema that takes one,
and nothing is written."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from schema import build_schema
from schema.bounds import BOUNDED, NUMBERS, NUMBERS_DEFAULT
from tests.helpers import add_user, gid, snapshot, standard_tree

SCHEMA = build_schema()._schema


def bounded_paths(type_: Any, prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(path of names down to a bounded scalar, its type name) inside an argument's type."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        return [
            p
            for key, field in named.fields.items()
            for p in bounded_paths(field.type, (*prefix, key))
        ]
    return [(prefix, named.name)] if named.name in BOUNDED else []


def every_bounded_argument() -> list[tuple[GraphQLObjectType, str, str, tuple[str, ...], str]]:
    found = []
    for t in SCHEMA.type_map.values():
        if not isinstance(t, GraphQLObjectType) or t.name.startswith("__"):
            continue
        if t is SCHEMA.subscription_type:
            continue
        for fname, field in t.fields.items():
            for aname, arg in field.args.items():
                for path, scalar in bounded_paths(arg.type, (aname,)):
                    found.append((t, fname, aname, path, scalar))
    return found


def inside(name: str, scalar: str) -> Any:
    if scalar == "Date":
        return "2026-01-01"
    if scalar == "DateTime":
        return "2026-01-01T08:00:00+08:00"
    low = NUMBERS.get(name, NUMBERS_DEFAULT)[0]
    return float(low) if scalar == "Float" else low


def outside(name: str, scalar: str) -> list[Any]:
    if scalar == "Date":
        return ["9999-12-31", "0001-01-01"]
    if scalar == "DateTime":
        return ["9999-12-31T00:00:00+00:00", "1000-01-01T00:00:00+00:00"]
    low, high, _ = NUMBERS.get(name, NUMBERS_DEFAULT)
    values = [v for v in (low - 1, high + 1) if -(2**31) <= v < 2**31]
    return [float(v) for v in values] if scalar == "Float" else values


def dummy(type_: Any, name: str) -> Any:
    """A value the type accepts (an id that names nothing, the first enum value …)."""
    if isinstance(type_, GraphQLNonNull):
        return dummy(type_.of_type, name)
    if isinstance(type_, GraphQLList):
        return [dummy(type_.of_type, name)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            k: dummy(f.type, k)
            for k, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        }
    assert isinstance(type_, GraphQLScalarType)
    if type_.name in BOUNDED:
        return inside(name, type_.name)
    return {"String": "x", "ID": gid("Org", 1), "Boolean": True, "JSON": {}}[type_.name]


def with_value(value: Any, path: tuple[str, ...], leaf: Any, type_: Any) -> Any:
    """`value` with `leaf` put at `path` (inside input objects and lists)."""
    if not path:
        return leaf
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return [with_value(value[0] if value else None, path, leaf, inner.of_type)]
    named = get_named_type(type_)
    base = dict(value) if value else dummy(named, "")
    base[path[0]] = with_value(base.get(path[0]), path[1:], leaf, named.fields[path[0]].type)
    return base


def document(root: GraphQLObjectType, fname: str) -> str:
    field = root.fields[fname]
    op = "mutation" if root is SCHEMA.mutation_type else "query"
    decl = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    call = ", ".join(f"{a}: ${a}" for a in field.args)
    select = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    return f"{op}({decl}) {{ {fname}({call}){select} }}"


def test_every_field_taking_a_number_or_date_is_guarded() -> None:
    found = every_bounded_argument()
    assert len(found) > 60
    for t, fname, aname, _, _ in found:
        assert hasattr(t.fields[fname].resolve, "bounded"), (t.name, fname, aname)


async def test_every_root_argument_out_of_range_is_refused_and_writes_nothing(api) -> None:
    before = await snapshot(api.services)
    tried = 0
    for t, fname, aname, path, scalar in every_bounded_argument():
        if t not in (SCHEMA.query_type, SCHEMA.mutation_type):
            continue  # nested fields: covered by the test above and the one below
        field = t.fields[fname]
        variables = {a: dummy(arg.type, a) for a, arg in field.args.items()}
        for bad in outside(path[-1], scalar):
            variables[aname] = with_value(
                variables.get(aname), path[1:], bad, field.args[aname].type
            )
            r = await api.gql(document(t, fname), variables)
            assert r.codes == ["BAD_USER_INPUT"], (fname, path, bad, r.body)
            error = r.body["errors"][0]
            assert error["extensions"]["field"] == path[-1], (fname, path, error)
            assert "应在" in error["message"], error
            tried += 1
    assert tried > 100
    assert await snapshot(api.services) == before


async def test_the_overflows_found_are_bad_input(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    t = await api.token_for(admin.id)
    a = gid("Org", tree["A"].id)
    far = await api.gql(f'{{ dashboard(orgId: "{a}", dateTo: "9999-12-31") {{ logs }} }}', token=t)
    assert (
        far.codes == ["BAD_USER_INPUT"] and far.body["errors"][0]["extensions"]["field"] == "dateTo"
    )
    nested = await api.gql(
        f'{{ node(id: "{a}") {{ ... on Org {{ dashboard(dateFrom: "0001-01-01") {{ logs }} }} }} }}',
        token=t,
    )
    assert nested.codes == ["BAD_USER_INPUT"]
    assert nested.body["errors"][0]["message"] == "开始日期应在 1900-01-01 到 2100-12-31 之间"
    year = await api.gql(
        f'mutation {{ openAssessment(orgId: "{a}", year: -2147483648, half: MID_YEAR) {{ id }} }}',
        token=t,
    )
    assert year.codes == ["BAD_USER_INPUT"]
    assert year.body["errors"][0]["message"] == "年份应在 2000 到 2100 之间"
    pool = await api.gql("{ wishPool(olderThanDays: 2000000000) { totalCount } }", token=t)
    assert pool.codes == ["BAD_USER_INPUT"]
    # Inside the bounds the same fields answer.
    ok = await api.gql(
        f'{{ dashboard(orgId: "{a}", dateFrom: "2100-06-01", dateTo: "2100-12-31") {{ logs }} }}',
        token=t,
    )
    assert ok.data["dashboard"]["logs"] == 0
