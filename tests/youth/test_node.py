"""`node(id)` refetches every Node type under the same rule as the object's own field: the
owner gets it back, a stranger gets NOT_FOUND, never a part of it."""

from __future__ import annotations

from graphql import build_schema

from schema import sdl
from schema.node import NODE_TYPES
from tests.helpers import gid

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


def test_every_node_type_is_refetchable() -> None:
    """Derived from the SDL: a new Node type without a table behind node(id) fails here."""
    parsed = build_schema(sdl())
    node = parsed.get_type("Node")
    implementing = {t.name for t in parsed.get_implementations(node).objects}  # type: ignore[arg-type]
    assert implementing == set(NODE_TYPES)


async def test_owner_refetches_and_stranger_does_not(people) -> None:
    api = people.api
    made = {
        "Voice": (
            'mutation($c: ID!) { sendVoice(kind: OPINION, title: "建议", body: "多办活动", cadreId: $c) { id } }',
            people.youth,
        ),
        "Wish": (
            'mutation($c: ID!) { submitWish(cadreId: $c, category: LIFE, title: "冬衣", description: "棉衣") { id } }',
            people.youth,
        ),
        "Discussion": ('mutation { openDiscussion(title: "周末活动") { id } }', people.cadre),
        "Post": (
            'mutation { publishPost(audience: MY_YOUTH, title: "团课") { id } }',
            people.cadre,
        ),
    }
    ids = {"Cadre": people.cadre_id, "Youth": gid("Youth", people.youth_id)}
    for type_name, (mutation, token) in made.items():
        r = await api.gql(mutation, {"c": people.cadre_id}, token=token)
        ids[type_name] = next(iter(r.data.values()))["id"]
    mine = await api.gql("{ myContacts { nodes { id } } }", token=people.youth)
    ids["Contact"] = mine.data["myContacts"]["nodes"][0]["id"]
    for type_name, node_id in ids.items():
        own = await api.gql(NODE, {"id": node_id}, token=people.youth)
        assert own.data["node"] == {"__typename": type_name, "id": node_id}, type_name
        other = await api.gql(NODE, {"id": node_id}, token=people.stranger)
        assert other.codes == ["NOT_FOUND"] and other.body["data"] is None, type_name
    # Every type answers NOT_FOUND for an id that does not exist, and anonymous callers must log in.
    for type_name in NODE_TYPES:
        missing = await api.gql(NODE, {"id": gid(type_name, 10**12)}, token=people.youth)
        assert missing.codes == ["NOT_FOUND"], type_name
    assert (await api.gql(NODE, {"id": ids["Voice"]})).codes == ["UNAUTHENTICATED"]
