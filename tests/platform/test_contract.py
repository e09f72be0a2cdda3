"""The front-end contract, derived from the live schema: every list that grows with the data is
a Relay connection with one cursor format, and each converted list pages end to end over HTTP
(first/after) with no row twice and none left out."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
    get_nullable_type,
    is_list_type,
    is_object_type,
)

from models import OrgLevel
from schema import build_schema
from tests.helpers import (
    add_grant,
    add_user,
    add_youth_account,
    cadre_id_of,
    gid,
    league_today,
    standard_tree,
)

SCHEMA = build_schema()._schema

# Plain lists of objects that stay lists, and why: settings (a handful of rows the province
# keeps), lists bounded by their owner and not by the data, and the echo of one call's input.
PLAIN_LISTS = {
    ("Query", "roles"): "settings: the role templates",
    ("Query", "quotaRules"): "settings: one rule per subject",
    ("Query", "pointRules"): "settings: one rule per point source",
    ("Query", "rubric"): "settings: the assessment rubric's items",
    ("Role", "permissions"): "settings: one role template's lines",
    ("Org", "ancestors"): "bounded by the tree's depth (six levels)",
    ("Dashboard", "logsByKind"): "one row per log kind (an enum)",
    ("Dashboard", "logsByChannel"): "one row per channel (an enum)",
    ("Dashboard", "industryMix"): "one row per cadre kind (an enum)",
    ("CadreIndustryMix", "mix"): "one row per industry of one cadre kind, a chart series",
    ("Dashboard", "weekly"): "one row per week of the asked period, a chart series",
    ("Dashboard", "fiveOnesByChild"): "a chart over one org's direct children: drawn whole",
    ("Dashboard", "learnAndDoByChild"): "a chart over one org's direct children: drawn whole",
    ("RatingSummary", "distribution"): "one row per score, 1 to 5",
    ("VoiceStats", "byTopic"): "one row per topic (settings)",
    ("OrgResult", "items"): "one row per rubric item (settings)",
    ("Wish", "allowedActions"): "bounded by the wish state machine",
    ("Explanation", "coveringGrants"): "grants on one org's ancestor chain: bounded by depth",
    ("SpotCheck", "items"): "the sample drawn, at most the sample size asked for",
    ("ImportReport", "rows"): "the report on one uploaded file, row by row (file size bounded)",
    ("Mutation", "setYouthIndustry"): "echoes the youth ids passed in",
    ("PolicyDiff", "gained"): "one proposed change's effect, read and applied whole",
    ("PolicyDiff", "lost"): "one proposed change's effect, read and applied whole",
    ("AuditChainCheck", "breaks"): "the finding of one check, read whole",
    ("Me", "grants"): "the caller's own grants, which the console reads whole to build menus",
}


def _list_of_objects(f: GraphQLField) -> bool:
    t = get_nullable_type(f.type)
    return is_list_type(t) and is_object_type(get_named_type(t))


def _wrapper(name: str) -> bool:
    return name.endswith(("Connection", "Edge")) or name == "PageInfo"


def _object_types() -> list[GraphQLObjectType]:
    return [
        t
        for name, t in sorted(SCHEMA.type_map.items())
        if isinstance(t, GraphQLObjectType) and not name.startswith("__") and not _wrapper(name)
    ]


def _is_connection(t: Any) -> bool:
    """edges { cursor node }, nodes, pageInfo { hasNextPage endCursor … }, totalCount."""
    t = get_nullable_type(t)
    if not (isinstance(t, GraphQLObjectType) and t.name.endswith("Connection")):
        return False
    edge = get_named_type(t.fields["edges"].type) if "edges" in t.fields else None
    info = get_named_type(t.fields["pageInfo"].type) if "pageInfo" in t.fields else None
    return (
        isinstance(edge, GraphQLObjectType)
        and {"cursor", "node"} <= set(edge.fields)
        and isinstance(info, GraphQLObjectType)
        and {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"} <= set(info.fields)
        and {"nodes", "totalCount"} <= set(t.fields)
    )


def test_every_growing_list_is_a_connection() -> None:
    plain = {
        (t.name, name)
        for t in _object_types()
        for name, f in t.fields.items()
        if _list_of_objects(f)
    }
    assert plain - set(PLAIN_LISTS) == set(), "lists that should be connections"
    assert set(PLAIN_LISTS) - plain == set(), "allow-list entries that are no longer lists"


def test_every_connection_pages_with_first_and_after() -> None:
    connections = [
        (t.name, name, f)
        for t in _object_types()
        for name, f in t.fields.items()
        if get_named_type(f.type).name.endswith("Connection")
    ]
    assert len(connections) > 30
    for owner, name, f in connections:
        assert _is_connection(f.type), f"{owner}.{name} is not a full connection"
        assert {"first", "after"} <= set(f.args), f"{owner}.{name} takes no first/after"


# ---------------------------------------------------------------- paging end to end

# Each converted list: its query (with $first/$after), what identifies a node, who asks.
PAGED = {
    "quotaBehind": ("quotaBehind(orgId: $org)", "subjectId", "prov"),
    "learnAndDoGaps": ("learnAndDoGaps(orgId: $org)", "cadre { id }", "prov"),
    "sharingEvents": ("sharingEvents", "id", "city"),
    "mySecretaries": ("mySecretaries", "id", "county"),
    "cadreRanking": ("cadreRanking(orgId: $org)", "rank cadreId", "prov"),
    "orgRanking": ("orgRanking(orgId: $cityA)", "rank org { id }", "prov"),
    "missingReports": ("missingReports(year: $year, quarter: 1)", "id", "prov"),
    "campaigns": ("campaigns", "id", "prov"),
    "deletionRequests": ("deletionRequests", "id", "prov"),
    "whoCan": ("whoCan(action: VIEW, object: CADRE, orgId: $branch)", "grantId", "prov"),
    "whatCan": ("whatCan(userId: $roamer, action: VIEW, object: CADRE)", "org { id }", "prov"),
}
VARIABLES = {"org": "ID!", "cityA": "ID!", "branch": "ID!", "roamer": "ID!", "year": "Int!"}


def _query(field: str) -> str:
    call, ident, _ = PAGED[field]
    declared = "".join(f"${v}: {t}, " for v, t in VARIABLES.items() if f"${v}" in call)
    args = "first: $first, after: $after"
    call = f"{call[:-1]}, {args})" if call.endswith(")") else f"{call}({args})"
    return f"""query({declared}$first: Int, $after: String) {{ {field}: {call} {{
      totalCount edges {{ cursor node {{ {ident} }} }}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""


async def _world(api: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """At least three rows for every converted list, made as the product makes them."""
    s = api.services
    tree = await standard_tree(s)
    await tree.add("A3", "A", OrgLevel.COUNTY, name="甲三县")
    await tree.add("C", "P", OrgLevel.CITY, name="丙市")
    await tree.add("A1g", "A1", OrgLevel.GRASSROOTS, name="甲一县某街道团工委")
    prov = await add_user(s, "prov", org=tree["P"], roles=("province_admin",))
    city = await add_user(s, "cityA", org=tree["A"], roles=("city_admin",))
    county = await add_user(s, "countyA1", org=tree["A1"], roles=("county_admin",))
    roamer = await add_user(s, "roamer", org=tree["A1x"], roles=())
    for org in ("A1", "A2", "B1"):
        await add_grant(s, roamer.id, "county_admin", tree[org])
    secretaries = [
        await add_user(s, f"书记{i}", org=tree["A1g"], roles=("cadre",)) for i in range(3)
    ]
    tokens = {
        "prov": await api.token_for(prov.id),
        "city": await api.token_for(city.id),
        "county": await api.token_for(county.id),
    }
    today = league_today(s)
    for i in range(3):
        held = (today - timedelta(days=i + 1)).isoformat()
        made = await api.gql(
            f"""mutation($o: ID!) {{ recordSharingEvent(orgId: $o, title: "分享会{i}",
            heldOn: "{held}", attendees: 10) {{ id }} }}""",
            {"o": gid("Org", tree["A"].id)},
            token=tokens["city"],
        )
        assert made.data
    for u in secretaries:
        made = await api.gql(
            "mutation($c: ID!) { addSecretary(secretaryCadreId: $c) { id } }",
            {"c": gid("Cadre", await cadre_id_of(s, u))},
            token=tokens["county"],
        )
        assert made.data
    for i in range(3):
        start, end = today + timedelta(days=i), today + timedelta(days=i + 30)
        made = await api.gql(
            """mutation($y: Int!, $s: Date!, $e: Date!) { createCampaign(kind: OPEN_DAY,
            year: $y, title: "团干部开放日", startsOn: $s, endsOn: $e, phases: []) { id } }""",
            {"y": today.year, "s": start.isoformat(), "e": end.isoformat()},
            token=tokens["prov"],
        )
        assert made.data
    for i in range(3):
        _, user = await add_youth_account(s, f"小伙伴{i}", f"1320000010{i}", tree["A1x"])
        made = await api.gql(
            "mutation { requestDataDeletion { id } }", token=await api.token_for(user.id)
        )
        assert made.data
    variables = {
        "org": gid("Org", tree["P"].id),
        "cityA": gid("Org", tree["A"].id),
        "branch": gid("Org", tree["A1x"].id),
        "roamer": gid("User", roamer.id),
        "year": today.year,
    }
    return tokens, variables


async def test_each_converted_list_pages_without_gaps_or_repeats(api) -> None:
    tokens, every = await _world(api)
    for field, (_, _, who) in PAGED.items():
        query, token = _query(field), tokens[who]
        variables = {k: v for k, v in every.items() if f"${k}" in PAGED[field][0]}
        whole = (await api.gql(query, {**variables, "first": 100}, token=token)).data[field]
        everything = [e["node"] for e in whole["edges"]]
        assert len(everything) >= 3 and whole["totalCount"] == len(everything), field
        assert not whole["pageInfo"]["hasNextPage"], field
        seen, after, pages = [], None, 0
        while True:
            page = (
                await api.gql(query, {**variables, "first": 2, "after": after}, token=token)
            ).data[field]
            info, edges = page["pageInfo"], page["edges"]
            assert page["totalCount"] == len(everything), field
            assert info["hasPreviousPage"] == (after is not None), field
            assert info["startCursor"] == edges[0]["cursor"], field
            assert info["endCursor"] == edges[-1]["cursor"], field
            seen += [e["node"] for e in edges]
            pages += 1
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
        assert seen == everything, f"{field}: paging by 2 differs from one page"
        assert pages == (len(everything) + 1) // 2, field


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


async def test_one_cursor_format_and_foreign_cursors_refused(api) -> None:
    tokens, every = await _world(api)
    variables = {"org": every["org"]}
    query = _query("cadreRanking")
    for bad in (_cursor("o:1"), gid("Grant", 1), _cursor("k:-1"), "not a cursor"):
        r = await api.gql(query, {**variables, "first": 1, "after": bad}, token=tokens["prov"])
        assert r.codes == ["BAD_USER_INPUT"], bad
        assert r.error("BAD_USER_INPUT")["extensions"].get("field") == "after"
    # Every connection's cursors are the same codec's: `k:` and a number.
    for field in ("whoCan", "whatCan", "cadreRanking", "campaigns"):
        used = {k: v for k, v in every.items() if f"${k}" in PAGED[field][0]}
        page = (await api.gql(_query(field), {**used, "first": 2}, token=tokens["prov"])).data
        for e in page[field]["edges"]:
            kind, _, key = base64.urlsafe_b64decode(e["cursor"]).decode().partition(":")
            assert kind == "k" and key.isdigit(), (field, e["cursor"])
