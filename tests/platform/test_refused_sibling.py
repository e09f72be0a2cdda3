"""A refused non-null field nulls its parent; the parent's other fields, already running
statements on the request's one database session, must be left to finish, not cancelled
mid-statement (which broke the rest of the request and kept a connection checked out)."""

from __future__ import annotations

from tests.helpers import add_user, gid, standard_tree

# Org.dashboard is Dashboard! and needs work:view, which a plain cadre lacks; the counts
# and children beside it each run a statement.
QUERY = """{ me { cadre { name
  org { id childCount descendantCount cadreCount youthCount
    children(first: 5) { totalCount nodes { id cadreCount } } dashboard { cadres } }
  again: org { id name childCount children(first: 5) { nodes { name youthCount } } } } } }"""


async def test_a_refused_field_leaves_its_siblings_to_finish(api) -> None:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A"], roles=("cadre",))
    token = await api.token_for(cadre.id)
    for _ in range(5):
        r = await api.gql(QUERY, token=token)
        assert r.codes == ["FORBIDDEN"], r.body  # the refusal, and nothing else
        cadre_data = r.body["data"]["me"]["cadre"]
        assert cadre_data["org"] is None  # the refused field nulls its parent
        assert cadre_data["again"]["id"] == gid("Org", tree["A"].id)  # the sibling is whole
        assert cadre_data["again"]["children"]["nodes"]
    pool = api.services.engine.pool
    assert pool.checkedout() == 0, pool.status()
    again = await api.gql("{ me { user { displayName } } }", token=token)
    assert again.data["me"]["user"]["displayName"]
