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

from models import Cadre, LearnAndDoKind, LearnAndDoRecord, OrgLevel, Rating, WishEvent
from schema import build_schema
from tests.helpers import (
    add_grant,
    add_user,
    add_youth_account,
    cadre_id_of,
    gid,
    league_today,
    pk_of,
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
    ("RubricVersion", "items"): "settings: one rubric version's items (at most 50), edited whole",
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
    ("ImportReport", "rows"): "the report on one uploaded file, row by row (file size bounded)",
    ("RosterImportReport", "rows"): "the report on one uploaded roster, row by row (bounded)",
    ("AssessmentResult", "items"): "one row per rubric item (settings)",
    ("WorkLog", "evidence"): "at most EVIDENCE_PER_RECORD files on one record",
    ("Report", "evidence"): "at most EVIDENCE_PER_RECORD files on one record",
    ("Nomination", "evidence"): "at most EVIDENCE_PER_RECORD files on one record",
    ("Mutation", "setYouthIndustry"): "echoes the youth ids passed in",
    ("PolicyDiff", "gained"): "one proposed change's effect, read and applied whole",
    ("PolicyDiff", "lost"): "one proposed change's effect, read and applied whole",
    ("AuditChainCheck", "breaks"): "the finding of one check, read whole",
    ("Me", "grants"): "the caller's own grants, which the console reads whole to build menus",
    ("Bulletin", "rows"): "a bulletin is a document frozen when published, read and exported whole",
    ("Campaign", "phases"): "settings: the phases the province set for one campaign",
    ("MyDataHolders", "cadres"): "the youth's own cadres (a handful), shown whole to the person",
    ("MyDataHolders", "roles"): "roles on the youth's ancestor chain: bounded by depth",
    ("MyDataHolders", "recentReads"): "the last 50 reads at most, by design",
}
# JSON only for documents that are JSON by nature; every other value has a shape.
JSON_DOCUMENTS = {
    ("AuditEntry", "before"): "the audited row as it was: any entity's columns",
    ("AuditEntry", "after"): "the audited row as it became: any entity's columns",
    ("Query", "exportPolicy"): "the policy file (roles, permissions, field rules) to save",
    ("Mutation", "importPolicy(document)"): "the policy file exportPolicy wrote",
    ("PolicyChangeRequestInput", "document"): "a policy file, for an IMPORT_POLICY request",
    ("RequestedChange", "document"): "the policy file an IMPORT_POLICY request carries",
    ("Query", "exportMyData"): "the person's own data, downloaded as a JSON file (PIPL)",
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


def _json_typed() -> set[tuple[str, str]]:
    """Fields, arguments and input fields whose type is (a list of) JSON."""
    found = set()
    for name, t in SCHEMA.type_map.items():
        if name.startswith("__") or not hasattr(t, "fields"):
            continue
        for fname, f in t.fields.items():
            if get_named_type(f.type).name == "JSON":
                found.add((name, fname))
            for arg, a in getattr(f, "args", {}).items():
                if get_named_type(a.type).name == "JSON":
                    found.add((name, f"{fname}({arg})"))
    return found


def test_json_only_for_documents_that_are_json_by_nature() -> None:
    found = _json_typed()
    assert found - set(JSON_DOCUMENTS) == set(), "JSON where the value has a shape"
    assert set(JSON_DOCUMENTS) - found == set(), "allow-list entries that are no longer JSON"


def test_dates_are_dates_and_closed_sets_are_enums() -> None:
    """The fields this contract typed stay typed (a regression here is a client's break)."""
    typed = {
        ("Youth", "birthDate"): "Date",
        ("Nomination", "level"): "NominationLevel",
        ("DeletionRequest", "status"): "DeletionRequestStatus",
        ("InboxItem", "kind"): "InboxKind",
        ("WorkLog", "client"): "FrontEnd",
        ("MyGrant", "org"): "Org",
        ("Bulletin", "rows"): "BulletinRow",
        ("ReportVersion", "figures"): "ReportFigures",
        ("Campaign", "phases"): "CampaignPhase",
        ("Campaign", "selection"): "CampaignSelection",
        ("Query", "myDataHolders"): "MyDataHolders",
    }
    for (owner, name), want in typed.items():
        t = SCHEMA.type_map[owner]
        assert isinstance(t, GraphQLObjectType)
        assert get_named_type(t.fields[name].type).name == want, (owner, name)
    grant = SCHEMA.type_map["MyGrant"]
    assert isinstance(grant, GraphQLObjectType)
    assert grant.fields["orgId"].deprecation_reason  # kept for old clients, marked


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


# ---------------------------------------------------------------- nested lists, end to end


async def _page_through(
    api: Any, query: str, variables: dict[str, Any], path: list[str], token: str
) -> None:
    """All of a connection at once, then two at a time from its cursors: the same rows."""

    def dig(data: Any) -> Any:
        for key in path:
            data = data[key]
        return data

    whole = dig((await api.gql(query, {**variables, "first": 100}, token=token)).data)
    everything = [e["node"] for e in whole["edges"]]
    assert len(everything) >= 3 and whole["totalCount"] == len(everything), path
    seen, after = [], None
    while True:
        page = dig(
            (await api.gql(query, {**variables, "first": 2, "after": after}, token=token)).data
        )
        assert page["totalCount"] == len(everything), path
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"], path
    assert seen == everything, f"{path}: paging by 2 differs from one page"


def _nested(outer: str, field: str, ident: str) -> str:
    return f"""query($id: ID!, $first: Int, $after: String) {{ {outer} {{
      {field}(first: $first, after: $after) {{ totalCount edges {{ cursor node {{ {ident} }} }}
      pageInfo {{ hasNextPage endCursor }} }} }} }}"""


async def test_each_converted_nested_list_pages_without_gaps_or_repeats(api) -> None:
    s = api.services
    tree = await standard_tree(s)
    await tree.add("C", "P", OrgLevel.CITY, name="丙市")
    await tree.add("A1g", "A1", OrgLevel.GRASSROOTS, name="甲一县某街道团工委")
    prov = await add_user(s, "prov", org=tree["P"], roles=("province_admin",))
    city = await add_user(s, "cityA", org=tree["A"], roles=("city_admin",))
    cadre = await add_user(s, "cadre", org=tree["A1x"], roles=("cadre",))
    pt, ct, kt = [await api.token_for(u.id) for u in (prov, city, cadre)]
    cadre_gid = gid("Cadre", await cadre_id_of(s, cadre))
    youth, youth_user = await add_youth_account(s, "小明", "13200000201", tree["A1x"])
    contact = await api.gql(
        'mutation { addYouthToMyList(name: "小明", mobile: "13200000201") { id } }', token=kt
    )
    yt = await api.token_for(youth_user.id)
    accept = "mutation($id: ID!) { acceptContact(id: $id) { status } }"
    assert (await api.gql(accept, {"id": contact.data["addYouthToMyList"]["id"]}, token=yt)).data

    # 青年之声 and a discussion, each with three replies.
    voice = await api.gql(
        """mutation($c: ID) { sendVoice(kind: QUESTION, title: "实习", body: "有没有岗位？",
        cadreId: $c) { id } }""",
        {"c": cadre_gid},
        token=yt,
    )
    voice_id = voice.data["sendVoice"]["id"]
    for i in range(3):
        reply = "mutation($id: ID!, $b: String!) { replyVoice(id: $id, body: $b) { id } }"
        assert (await api.gql(reply, {"id": voice_id, "b": f"回复{i}"}, token=kt)).data
    talk = await api.gql('mutation { openDiscussion(title: "周末活动") { id } }', token=kt)
    talk_id = talk.data["openDiscussion"]["id"]
    for i in range(3):
        reply = "mutation($id: ID!, $b: String!) { replyDiscussion(id: $id, body: $b) { id } }"
        assert (await api.gql(reply, {"id": talk_id, "b": f"我报名{i}"}, token=yt)).data
    # A wish and its history (submitted, then events the system wrote).
    wish = await api.gql(
        """mutation($c: ID!) { submitWish(cadreId: $c, category: STUDY, title: "考研资料",
        description: "希望得到帮助") { id } }""",
        {"c": cadre_gid},
        token=yt,
    )
    wish_id = wish.data["submitWish"]["id"]
    async with s.sessionmaker() as session:
        for status in ("ACCEPTED", "FULFILLED"):
            session.add(WishEvent(wish_id=pk_of(wish_id), to_status=status, note=status))
        # Three learn-and-do records, and ratings for three cadres of A1x.
        c = await session.get(Cadre, pk_of(cadre_gid))
        assert c is not None
        for day in (1, 2, 3):
            session.add(
                LearnAndDoRecord(
                    cadre_id=c.id,
                    year=league_today(s).year,
                    kind=LearnAndDoKind.ORG_LIFE_MEETING,
                    occurred_on=league_today(s).replace(day=day),
                    org_id=c.org_id,
                    org_path=c.org_path,
                    city_id=c.city_id,
                )
            )
        await session.commit()
    rated = [await add_user(s, f"干部{i}", org=tree["A1x"], roles=("cadre",)) for i in range(3)]
    async with s.sessionmaker() as session:
        for i, u in enumerate(rated):
            session.add(
                Rating(
                    youth_id=youth.id,
                    cadre_id=await cadre_id_of(s, u),
                    period="2026-Q1",
                    score=i + 2,
                    org_id=tree["A1x"].id,
                    org_path=tree["A1x"].path,
                    city_id=tree["A1x"].city_id,
                )
            )
        await session.commit()
    # A working group of three members.
    members = [await add_user(s, f"成员{i}", org=tree["A"], roles=()) for i in range(3)]
    group = await api.gql(
        """mutation($o: ID!, $l: ID!, $r: ID!, $m: [ID!]!) { createWorkingGroup(input: {orgId: $o,
        name: "联系甲一县小组", leaderCadreId: $l, responsibleOrgId: $r, memberCadreIds: $m}) { id } }""",
        {
            "o": gid("Org", tree["A"].id),
            "l": gid("Cadre", await cadre_id_of(s, city)),
            "r": gid("Org", tree["A1"].id),
            "m": [gid("Cadre", await cadre_id_of(s, m)) for m in members],
        },
        token=ct,
    )
    group_id = group.data["createWorkingGroup"]["id"]
    # A round assessing the province's three cities, each scored.
    year = league_today(s).year
    opened = await api.gql(
        "mutation($o: ID!, $y: Int!) { openAssessment(orgId: $o, year: $y, half: MID_YEAR) { id } }",
        {"o": gid("Org", tree["P"].id), "y": year},
        token=pt,
    )
    round_id = opened.data["openAssessment"]["id"]
    for i, city_key in enumerate(("A", "B", "C")):
        score = await api.gql(
            """mutation($id: ID!, $o: ID!, $p: Float!) { enterAssessmentScore(id: $id, orgId: $o,
            item: "3", points: $p, evidence: "制度文件") { item } }""",
            {"id": round_id, "o": gid("Org", tree[city_key].id), "p": float(i + 1)},
            token=pt,
        )
        assert score.data
    # A report returned twice: three versions.
    today = league_today(s)
    y, q = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    submit = """mutation($o: ID!, $y: Int!, $q: Int!, $p: String!) { submitReport(orgId: $o,
      year: $y, quarter: $q, practices: $p, experience: "经验", problems: "问题", nextSteps: "打算") { id } }"""
    back = 'mutation($id: ID!) { reviewReport(id: $id, approve: false, comment: "请补充") { id } }'
    for i in range(3):
        made = await api.gql(
            submit, {"o": gid("Org", tree["A"].id), "y": y, "q": q, "p": f"第{i}版"}, token=ct
        )
        report_id = made.data["submitReport"]["id"]
        if i < 2:
            assert (await api.gql(back, {"id": report_id}, token=pt)).data

    cases = [
        (_nested("voice(id: $id)", "replies", "body"), voice_id, ["voice", "replies"], kt),
        (_nested("discussion(id: $id)", "replies", "id"), talk_id, ["discussion", "replies"], kt),
        (_nested("wish(id: $id)", "history", "toStatus"), wish_id, ["wish", "history"], yt),
        (
            """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on WorkingGroup {
              members(first: $first, after: $after) { totalCount edges { cursor node { id } }
              pageInfo { hasNextPage endCursor } } } } }""",
            group_id,
            ["node", "members"],
            ct,
        ),
        (_nested("report(id: $id)", "versions", "version"), report_id, ["report", "versions"], pt),
        (
            _nested("assessmentRound(id: $id)", "results", "rank org { id }"),
            round_id,
            ["assessmentRound", "results"],
            pt,
        ),
        (
            _nested("assessmentRound(id: $id)", "cadreEligibility", "cadre { id }"),
            round_id,
            ["assessmentRound", "cadreEligibility"],
            pt,
        ),
        (
            _nested("orgRatings(orgId: $id)", "byCadre", "cadreId"),
            gid("Org", tree["A1"].id),
            ["orgRatings", "byCadre"],
            pt,
        ),
    ]
    for query, id_, path, token in cases:
        await _page_through(api, query, {"id": id_}, path, token)
    learn = """query($first: Int, $after: String) { myLearnAndDo { records(first: $first,
      after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }"""
    await _page_through(api, learn, {}, ["myLearnAndDo", "records"], kt)
