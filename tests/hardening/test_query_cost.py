"""A document's estimated cost is refused before it runs (issue 10 §8)."""

from __future__ import annotations

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import Api, add_user, standard_tree

# The bomb: 30 aliases of orgs → subtree → subtree, depth 7, about 500 tokens; it
# ran 26–31 s (four in parallel 122 s each, another user's `me` waiting 8 s).
ONE = "orgs { nodes { subtree { nodes { subtree { nodes { name } } } } } }"
BOMB = "{ " + " ".join(f"a{i}: {ONE}" for i in range(30)) + " }"
# Its cost in the model of schema/limits.py: the innermost subtree 10 + 1 + 20 nodes = 31;
# the middle one 11 + 20 × (1 + 31) = 651; each alias 1 + 20 × (1 + 651) = 13,041.
BOMB_COST = 30 * 13_041


async def leader_token(api: Api) -> str:
    tree = await standard_tree(api.services)
    leader = await add_user(api.services, "leader", org=tree["P"], roles=("province_admin",))
    return await api.token_for(leader.id)


async def test_the_alias_bomb_is_refused_before_it_runs(api) -> None:
    t = await leader_token(api)
    limit = api.services.settings.graphql_max_cost
    r = await api.gql(BOMB, token=t)
    assert r.body["data"] is None and r.codes == ["QUERY_TOO_COMPLEX"], r.body
    error = r.body["errors"][0]
    assert error["extensions"]["cost"] == BOMB_COST > limit == error["extensions"]["limit"]
    assert error["message"].startswith("查询过于复杂")
    # One alias of it is an ordinary query, and runs.
    assert (await api.gql("{ " + ONE + " }", token=t)).codes == []


async def test_the_largest_page_of_pages_passes_and_twice_that_is_refused(api) -> None:
    t = await leader_token(api)
    one = "orgs(first: 100) { nodes { subtree(first: 100) { nodes { id } } } }"
    assert (await api.gql("{ " + one + " }", token=t)).codes == []  # cost 11,201
    r = await api.gql("{ " + one + " again: " + one + " }", token=t)
    assert r.codes == ["QUERY_TOO_COMPLEX"] and r.body["errors"][0]["extensions"]["cost"] == 22_402
    fragments = (
        "fragment Deep on Org { subtree(first: 100) { nodes { id } } } "
        "{ orgs(first: 100) { nodes { ...Deep } } again: orgs(first: 100) { nodes { ...Deep } } }"
    )
    assert (await api.gql(fragments, token=t)).codes == ["QUERY_TOO_COMPLEX"]


COSTS = [
    # leaves are free, an object costs 1, a count 1
    ("{ me { user { displayName } } }", 2),
    ("{ orgs { totalCount } }", 2),
    # a connection's items repeat by `first`: absent → default page (20), literal, variable → max page (100)
    ("{ orgs { nodes { name } } }", 1 + 20),
    ("{ orgs(first: 5) { edges { cursor node { name } } } }", 1 + 5 * (1 + 1)),
    ("query($n: Int) { orgs(first: $n) { nodes { name } } }", 1 + 100),
    # subtree weighs 10 more, dashboards and exports 50
    ('{ org(id: "x") { subtree(first: 2) { nodes { id } } } }', 1 + 11 + 2),
    ('{ org(id: "x") { dashboard { logs } } }', 1 + 51),
    # a plain list counts as a default page
    ('{ org(id: "x") { ancestors { name } } }', 1 + 20),
    # aliases and fragments are counted where they are used; inline fragments too
    ("{ a: orgs { totalCount } b: orgs { totalCount } }", 4),
    (
        "fragment F on Org { parent { name } } { orgs(first: 3) { nodes { ...F ...F } } }",
        1 + 3 * (1 + 2),
    ),
    ('{ node(id: "x") { ... on Org { parent { name } } } }', 2),
    # introspection is bounded by the schema
    ("{ __schema { types { name fields { name } } } }", 0),
]


async def test_the_cost_model(database_url: str) -> None:
    """Every document is refused by a limit of 0 cost… except the free ones, and the
    refusal tells the cost: the model, figure by figure."""
    app = create_app(settings_for_tests(graphql_max_cost=0), database_url=database_url)
    async with RunningApp(app) as running, running.client() as client:
        api = Api(client, running.services)
        for query, expected in COSTS:
            r = await api.gql(query)
            if expected == 0:
                assert "QUERY_TOO_COMPLEX" not in r.codes, (query, r.body)
                continue
            assert r.codes == ["QUERY_TOO_COMPLEX"], (query, r.body)
            assert r.body["errors"][0]["extensions"] == {
                "code": "QUERY_TOO_COMPLEX",
                "cost": expected,
                "limit": 0,
            }, query


async def test_a_document_over_the_token_limit_has_the_code(api) -> None:
    """It answered "Syntax Error … Parsing aborted." without extensions.code."""
    limit = api.services.settings.graphql_max_tokens
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(limit)) + " }"
    r = await api.gql(query)
    assert r.codes == ["QUERY_TOO_COMPLEX"], r.body
    assert r.body["errors"][0]["message"].startswith("查询过于复杂")


async def test_a_document_that_does_not_parse_has_a_code(api) -> None:
    r = await api.gql("{ orgs { nodes { name }")
    assert r.codes == ["GRAPHQL_PARSE_FAILED"], r.body
    assert r.body["errors"][0]["message"].startswith("查询无法解析")
