"""Lists a manager reads from the latest entry (workLogs, voices, wishes, flags,
implementationPlans) take `newestFirst`: the same rows in the other order, paged by the
same cursors."""

from __future__ import annotations

from tests.helpers import pk_of

LOGS = """query($n: Boolean!, $after: String) { workLogs(newestFirst: $n, first: 2, after: $after) {
  nodes { id } pageInfo { hasNextPage endCursor } } }"""


async def every_page(api, token: str, newest: bool) -> list[list[str]]:
    pages, after = [], None
    while True:
        conn = (await api.gql(LOGS, {"n": newest, "after": after}, token=token)).data["workLogs"]
        pages.append([n["id"] for n in conn["nodes"]])
        if not conn["pageInfo"]["hasNextPage"]:
            return pages
        after = conn["pageInfo"]["endCursor"]


async def test_newest_first_pages_the_same_rows_the_other_way(world) -> None:
    logs = [await world.contact(world.youth_ids[0], text=f"第{i}次") for i in range(5)]
    oldest = await every_page(world.api, world.token, False)
    newest = await every_page(world.api, world.token, True)
    assert [len(p) for p in newest] == [2, 2, 1]
    assert [i for p in oldest for i in p] == logs
    backwards = [i for p in newest for i in p]
    assert backwards == logs[::-1]
    assert [pk_of(i) for i in backwards] == sorted((pk_of(i) for i in logs), reverse=True)
