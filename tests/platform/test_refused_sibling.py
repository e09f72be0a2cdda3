"""A refused non-null field nulls its parent, and graphql-core cancels the parent's other
fields in flight; their statements ran on the request's one database session. The request
must still answer its own error, leave no connection checked out, and the next request must
be served (it answered SERVICE_UNAVAILABLE)."""

from __future__ import annotations

from tests.helpers import add_user, standard_tree

# Org.dashboard (Dashboard!) needs work:view, which a plain cadre lacks; the counts and
# ancestors beside it each run a statement when the refusal cancels them.
QUERY = (
    "{ orgs(first: 50) { nodes { childCount cadreCount ancestors { id } dashboard { cadres } } } }"
)


async def test_a_refused_field_leaves_the_session_usable(api) -> None:
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "c1", org=tree["A"], roles=("cadre",))
    token = await api.token_for(cadre.id)
    for _ in range(4):
        r = await api.gql(QUERY, token=token)
        assert r.codes == ["FORBIDDEN"], r.body
    assert api.services.engine.pool.checkedout() == 0, api.services.engine.pool.status()
    again = await api.gql("{ me { user { displayName } } }", token=token)
    assert again.data["me"]["user"]["displayName"], again.body
