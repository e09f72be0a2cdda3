"""Look-ahead (resolvers/lookahead.py): a list and the object edges its nodes ask for come by
one statement, and the answers are those of the field-by-field path, for callers who may see
the edge's rows and for callers who may not (the edge is then null, as before).

The edge-walking test (tests/authz/test_edges.py) runs every edge of the schema both ways;
this one pins the bench's shapes and counts the statements."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import add_grant, gid, statements_sent
from tests.work.conftest import World, make_cadre

YOUTHS = (
    "query($o: ID) { youths(under: $o, first: 50) { nodes { id name industry org { name } } } }"
)
YOUTHS_BARE = "query($o: ID) { youths(under: $o, first: 50) { nodes { id name industry } } }"
LOGS = """query($o: ID) { workLogs(under: $o, first: 50) {
  edges { node { id kind content cadre { name } youth { name } } } } }"""
LOGS_BARE = (
    "query($o: ID) { workLogs(under: $o, first: 50) { edges { node { id kind content } } } }"
)
CADRES = """query($o: ID) { cadres(under: $o) { nodes { ...who } } }
fragment who on Cadre { name org { name } }"""
ORG = """query($o: ID!) { org(id: $o) { name parent { name }
  children(first: 1) { nodes { name } pageInfo { hasNextPage } } } }"""
ORG_BARE = "query($o: ID!) { org(id: $o) { name } }"
# The console's tree page: the children's page arguments come as variables (one left unset).
ORG_PAGED = """query($o: ID!, $n: Int, $after: String) { org(id: $o) { name parent { name }
  children(first: $n, after: $after) { nodes { name } } } }"""


async def ask(api: Any, query: str, variables: dict, token: str, *, ahead: bool) -> tuple[Any, int]:
    """The answer and the number of statements, with look-ahead on or off."""
    api.services.settings.lookahead = ahead
    try:
        with statements_sent(api) as sent:
            r = await api.gql(query, variables, token=token)
    finally:
        api.services.settings.lookahead = True
    return r.body, len(sent)


def edges_shown(answer: Any) -> int:
    """How many object edges in an answer are not null."""
    if isinstance(answer, list):
        return sum(edges_shown(a) for a in answer)
    if not isinstance(answer, dict):
        return 0
    # a node's edges (the root field `data.org` alone in its dict is not an edge)
    here = sum(1 for k in ("org", "cadre", "youth", "parent") if answer.get(k) and len(answer) > 1)
    return here + sum(edges_shown(v) for v in answer.values())


@pytest.mark.parametrize(
    ("query", "bare", "under"),
    [
        (YOUTHS, YOUTHS_BARE, None),
        (YOUTHS, YOUTHS_BARE, "A"),
        (LOGS, LOGS_BARE, None),
        (LOGS, LOGS_BARE, "A1"),
        (CADRES, None, None),
        (ORG, ORG_BARE, "A1"),
        (ORG, ORG_BARE, "A1x"),
        (ORG_PAGED, None, "A1"),
    ],
)
async def test_the_same_answers_with_fewer_statements(
    world: World, callers: dict[str, str], query: str, bare: str | None, under: str | None
) -> None:
    api = world.api
    variables = {"o": gid("Org", world.tree[under].id) if under else None, "n": 1}
    shown_edges = 0
    for who, token in callers.items():
        ahead, n_ahead = await ask(api, query, variables, token, ahead=True)
        walked, n_walked = await ask(api, query, variables, token, ahead=False)
        assert ahead == walked, who
        assert n_ahead <= n_walked, who
        shown_edges += edges_shown(ahead)
        if bare is not None and "errors" not in ahead:
            # the edges cost no statement of their own: as many as the list without them
            _, n_bare = await ask(api, bare, variables, token, ahead=True)
            assert n_ahead == n_bare, (who, n_ahead, n_bare)
    assert shown_edges, "no caller saw any edge: the shape proves nothing"


async def test_a_hidden_edge_is_null_both_ways(world: World, callers: dict[str, str]) -> None:
    """The county admin of A1 sees A1 but not its city: `parent` is null on both paths; and
    a list's org edge shows only orgs the caller may see on their own."""
    api = world.api
    variables = {"o": gid("Org", world.tree["A1"].id)}
    for ahead in (True, False):
        body, _ = await ask(api, ORG, variables, callers["county"], ahead=ahead)
        assert body["data"]["org"]["name"] == "甲一县"
        assert body["data"]["org"]["parent"] is None
    body, _ = await ask(api, LOGS, {"o": None}, callers["worker"], ahead=True)
    logs = [e["node"] for e in body["data"]["workLogs"]["edges"]]
    assert len(logs) == 2 and all(n["cadre"]["name"] == "worker" for n in logs)


# ---------------------------------------------------------------- the planned path
# schema/planned.py completes a read's values by a plan compiled once per document. Every
# shape it covers, and the ones it hands back to graphql-core, answer the same with it off.
PLANNED_SHAPES = {
    "youth with masked fields": """query($o: ID) { youths(under: $o, first: 50) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { __typename id name industry membership createdAt birthYear inLeagueAge
              mobile birthDate org { __typename id name level isActive depth parent { name } } } } }""",
    "logs by edges, aliases and fragments": """query($o: ID, $n: Int) {
      logs: workLogs(under: $o, first: $n) { edges { cursor node { ...log } } pageInfo { endCursor } }
      again: workLogs(under: $o) { nodes { ... on WorkLog { id kind channel activityKind } } } }
      fragment log on WorkLog { id kind channel content occurredAt participantCount client forOrgan
        deletedAt locked cadre { ...who } youth { name mobile org { name } } }
      fragment who on Cadre { id name kind position isActive userId contactTarget org { code name } }""",
    "one org with parent and children": """query($o: ID!, $n: Int) { org(id: $o) {
      id name code zhtjCode level kind isLeadingOrgan depth createdAt updatedAt
      parent { name parent { name } }
      children(first: $n) { totalCount edges { cursor node { name parent { name } childCount } }
                            pageInfo { hasNextPage endCursor } } } }""",
    "a node by id (an interface)": """query($o: ID!) { node(id: $o) { __typename id
      ... on Org { name parent { name } } } }""",
    "a bad cursor": """query($o: ID) { youths(under: $o, after: "bm90IGEgY3Vyc29y") {
      nodes { name } } }""",
    "a page too large": """query($o: ID) { cadres(under: $o, first: 1000) { nodes { name } } }""",
}


async def ask_planned(
    api: Any, query: str, variables: dict, token: str, *, planned: bool, ahead: bool = True
) -> tuple[Any, int]:
    """The answer, and how many personal-data reads it logged, with the planned path on/off
    (and look-ahead on/off: without it, the plan hands every edge back to graphql-core)."""
    from models import PersonalDataRead

    async def logged() -> int:
        async with api.services.sessionmaker() as s:
            return int(await s.scalar(sa.select(sa.func.count()).select_from(PersonalDataRead)))

    api.services.settings.planned, api.services.settings.lookahead = planned, ahead
    before = await logged()
    try:
        r = await api.gql(query, variables, token=token)
    finally:
        api.services.settings.planned, api.services.settings.lookahead = True, True
    return r.body, await logged() - before


def planned_fields(root: str) -> set[int]:
    """The kinds of field the compiled plans of `root` complete (schema/planned.py)."""
    from schema import planned

    kinds: set[int] = set()
    for plans in list(planned._plans.values()):
        for nodes, _, completer in plans.by_nodes.values():
            if completer is not None and nodes[0].name.value == root:
                kinds |= _kinds(completer)
    return kinds


def _kinds(completer: Any) -> set[int]:
    found: set[int] = set()
    for f in completer.fields:
        found.add(f.kind)
        if f.completer is not None:
            found |= _kinds(f.completer)
    if completer.item is not None:
        found |= _kinds(completer.item)
    return found


@pytest.mark.parametrize("shape", list(PLANNED_SHAPES))
@pytest.mark.parametrize("under", [None, "A1"])
async def test_the_planned_path_answers_as_graphql_core(
    world: World, callers: dict[str, str], shape: str, under: str | None
) -> None:
    """For four callers (masked numbers and hidden edges among them), each shape answers the
    same, errors included, and logs the same whole-number reads, with the plan and without."""
    api = world.api
    org = gid("Org", world.tree[under or "A"].id)
    variables = {"o": org if under or "org" in shape or "node" in shape else None, "n": 2}
    answers = []
    for who, token in callers.items():
        planned, planned_reads = await ask_planned(
            api, PLANNED_SHAPES[shape], variables, token, planned=True
        )
        normal, normal_reads = await ask_planned(
            api, PLANNED_SHAPES[shape], variables, token, planned=False
        )
        assert planned == normal, who
        assert planned_reads == normal_reads, who
        unprimed, unprimed_reads = await ask_planned(
            api, PLANNED_SHAPES[shape], variables, token, planned=True, ahead=False
        )
        assert (unprimed, unprimed_reads) == (normal, normal_reads), who
        answers.append(planned)
    if "bad" in shape or "large" in shape:
        codes = {e["extensions"]["code"] for a in answers for e in a["errors"]}
        assert "BAD_USER_INPUT" in codes and all(a["data"] is None for a in answers), answers
    else:
        assert any(a.get("data") and "errors" not in a for a in answers), answers


async def test_the_plans_cover_the_bench_shapes(world: World, callers: dict[str, str]) -> None:
    """The shapes of `make bench-peer` are completed by the plan (plain fields, resolvers of
    `self` alone, primed edges), not handed back to graphql-core field by field; a masked
    number still shows whole only to the caller's own cadre, and that read is logged."""
    from schema.planned import CALL, EDGE_FIELD, LEAF, WITH_CTX

    api = world.api
    org = {"o": gid("Org", world.tree["A"].id)}
    for query, root in ((YOUTHS, "youths"), (LOGS, "workLogs"), (ORG, "org")):
        body, _ = await ask_planned(api, query, org, callers["city"], planned=True)
        assert "errors" not in body, body
        assert {LEAF, EDGE_FIELD} <= planned_fields(root), root
    assert CALL in planned_fields("youths")  # Connection.nodes
    masked, _ = await ask_planned(
        api, PLANNED_SHAPES["youth with masked fields"], org, callers["city"], planned=True
    )
    assert masked["data"]["youths"]["nodes"], masked
    assert WITH_CTX in planned_fields("youths")  # Youth.mobile, birthDate: no info per node
    mobiles = "{ workLogs(first: 50) { nodes { youth { name mobile } } } }"
    body, reads = await ask_planned(api, mobiles, {}, callers["worker"], planned=True)
    assert "errors" not in body, body
    shown = [n["youth"]["mobile"] for n in body["data"]["workLogs"]["nodes"] if n["youth"]]
    whole = [m for m in shown if "*" not in m]
    assert whole and reads == len(whole)
    body, reads = await ask_planned(api, mobiles, {}, callers["city"], planned=True)
    shown = [n["youth"]["mobile"] for n in body["data"]["workLogs"]["nodes"] if n["youth"]]
    assert shown and all("*" in m for m in shown) and reads == 0


async def test_a_cadre_leader_sees_whole_numbers_of_their_own_youth_on_a_page(
    world: World,
) -> None:
    """A leader who is also a cadre: on a page of youth, the guarded fields of their own
    youth (read for the whole page at once, resolvers/contacts.py `read_my_list`) answer as
    a lookup of each youth does, whole for their own and masked for another cadre's."""
    api, tree = world.api, world.tree
    await make_cadre(api, tree, "other", "A1", 2, 50)
    await add_grant(api.services, world.cadre_user.id, "city_admin", tree["A"])
    page = await api.gql(
        "{ youths(first: 50) { nodes { id mobile birthDate } } }", token=world.token
    )
    nodes = page.data["youths"]["nodes"]
    one = "query($id: ID!) { youth(id: $id) { id mobile birthDate } }"
    alone = [(await api.gql(one, {"id": n["id"]}, token=world.token)).data["youth"] for n in nodes]
    assert nodes == alone
    whole = {n["id"] for n in nodes if "*" not in n["mobile"]}
    assert whole == set(world.youth_ids), nodes  # their own whole, the other cadre's masked
