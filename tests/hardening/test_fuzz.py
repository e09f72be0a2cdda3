"""Hypothesis on the inputs of every mutation: no 500, no stack trace, and a refused call
writes nothing. Arguments are drawn from the schema's own types (and real ids)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema import build_schema
from tests.helpers import add_user, add_youth, gid, snapshot, standard_tree

SCHEMA = build_schema()._schema
MUTATIONS = {name: f for name, f in SCHEMA.mutation_type.fields.items() if name != "logout"}
REAL_IDS: list[str] = []  # filled per run with ids that exist
REAL = "real-id:"  # drawn as a placeholder: the strategy must not depend on REAL_IDS
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def value_for(t) -> st.SearchStrategy:  # type: ignore[no-untyped-def]
    if isinstance(t, GraphQLNonNull):
        return value_for(t.of_type)
    if isinstance(t, GraphQLList):
        return st.lists(value_for(t.of_type), max_size=3)
    if isinstance(t, GraphQLEnumType):
        return st.sampled_from(list(t.values))
    if isinstance(t, GraphQLInputObjectType):
        return st.fixed_dictionaries(
            {
                k: value_for(f.type)
                for k, f in t.fields.items()
                if isinstance(f.type, GraphQLNonNull)
            },
            optional={
                k: value_for(f.type)
                for k, f in t.fields.items()
                if not isinstance(f.type, GraphQLNonNull)
            },
        )
    assert isinstance(t, GraphQLScalarType), t
    return {
        "String": st.one_of(
            TEXT,
            st.sampled_from(
                [
                    "13800000000",
                    "",
                    " ",
                    "x" * 300,
                    "<script>",
                    "'; DROP TABLE orgs;--",
                    "正常的名字",
                    "abc_123",
                    "Passw0rd!",
                    "2026-11-01",
                ]
            ),
        ),
        "Int": st.integers(-(2**31), 2**31 - 1),
        "Float": st.floats(-1e6, 1e6, allow_nan=False),
        "Boolean": st.booleans(),
        "ID": st.one_of(
            st.integers(0, 63).map(lambda i: f"{REAL}{i}"),
            TEXT,
            st.builds(
                lambda n, k: base64.urlsafe_b64encode(f"{k}:{n}".encode()).decode(),
                st.integers(-5, 10**9),
                st.sampled_from(["Org", "Youth", "Wish", "Nope"]),
            ),
        ),
        "Date": st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(str),
        "DateTime": st.datetimes(
            datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.isoformat()),
        "JSON": st.dictionaries(TEXT, TEXT, max_size=2),
    }[t.name]


def with_real_ids(value):  # type: ignore[no-untyped-def]
    """Swap each placeholder for one of the ids the first example created."""
    if isinstance(value, str) and value.startswith(REAL):
        return REAL_IDS[int(value.removeprefix(REAL)) % len(REAL_IDS)]
    if isinstance(value, list):
        return [with_real_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: with_real_ids(v) for k, v in value.items()}
    return value


def document(name: str) -> str:
    f = MUTATIONS[name]
    params = ", ".join(f"${a}: {arg.type}" for a, arg in f.args.items())
    args = ", ".join(f"{a}: ${a}" for a in f.args)
    sel = " { __typename }" if isinstance(get_named_type(f.type), GraphQLObjectType) else ""
    return (
        f"mutation{f'({params})' if params else ''} {{ {name}{f'({args})' if args else ''}{sel} }}"
    )


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict]:
    name = draw(st.sampled_from(sorted(MUTATIONS)))
    f = MUTATIONS[name]
    variables = {}
    for a, arg in f.args.items():
        if isinstance(arg.type, GraphQLNonNull) or draw(st.booleans()):
            variables[a] = draw(value_for(arg.type))
    return name, variables


STATS = {"calls": 0, "refused": 0, "accepted": 0}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(call=calls(), as_admin=st.booleans())
async def test_every_mutation_survives_random_input(api, call, as_admin) -> None:
    if not REAL_IDS:
        tree = await standard_tree(api.services)
        y = await add_youth(api.services, "fuzz", "13800009999", tree["A1"])
        admin = await add_user(api.services, "fuzzadmin", org=tree["P"], roles=("province_admin",))
        REAL_IDS.extend(
            [gid("Org", o.id) for o in tree.orgs.values()]
            + [gid("Youth", y.id), gid("User", admin.id)]
        )
        api.tokens[0] = await api.token_for(admin.id)
        me = await api.gql("{ me { user { username } } }", token=api.tokens[0])
        assert me.data["me"]["user"]["username"] == "fuzzadmin"
    name, variables = call[0], with_real_ids(call[1])
    before = await snapshot(api.services)
    r = await api.client.post(
        "/graphql",
        json={"query": document(name), "variables": variables},
        headers={"authorization": f"Bearer {api.tokens[0]}"} if as_admin else {},
    )
    STATS["calls"] += 1
    assert r.status_code in (200, 400, 429, 503), (name, r.status_code, r.text[:300])
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    assert "Traceback" not in text and 'File "' not in text, (name, text[:300])
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, (name, variables, body)
    if codes:
        STATS["refused"] += 1
        after = await snapshot(api.services)
        # Refused logins are counted on purpose (lockout): that is their only trace.
        for counted in ("login_throttle", "otp_codes"):
            before.pop(counted), after.pop(counted)
        assert after == before, f"refused {name} wrote something"
    else:
        STATS["accepted"] += 1


def test_fuzz_counts_are_reported() -> None:
    print(f"\nmutation fuzzing: {STATS} over {len(MUTATIONS)} mutations")
    assert STATS["calls"] == 0 or STATS["refused"] + STATS["accepted"] == STATS["calls"]
    assert timedelta
