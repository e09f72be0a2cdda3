"""Random trees, random grants: nothing outside the granted subtrees, ever.

For every principal, each list and each single lookup through the HTTP API returns exactly
the rows an independent model of the rules allows (computed here by walking parent links,
not ltree paths), and `authorize` agrees with `scope` on every org."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authz import Act, Obj, decide, scope
from authz.defaults import default_lines
from authz.principal import GrantRef, Principal
from models import OrgLevel
from tests.conftest import reset_database
from tests.helpers import Tree, add_grant, add_user, add_youth, gid, pk_of

ROLES = [
    "province_admin",
    "city_admin",
    "county_admin",
    "working_group_leader",
    "cadre",
    "auditor",
    "policy_admin",
]
LEVELS = list(OrgLevel)
ALLOWED = {(r, o, a) for r, o, a in default_lines()}


@dataclass
class World:
    parents: list[int | None]  # node index → parent index
    users: list[list[tuple[str, int]]]  # user → grants (role, node)
    youth_at: list[int]
    cadre_at: list[int]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(min_value=2, max_value=12))
    parents: list[int | None] = [None]
    depth = [0]
    for i in range(1, n):
        candidates = [j for j in range(i) if depth[j] < 5]
        p = draw(st.sampled_from(candidates))
        parents.append(p)
        depth.append(depth[p] + 1)
    node = st.integers(min_value=0, max_value=n - 1)
    users = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(ROLES), node), max_size=3), min_size=1, max_size=4
        )
    )
    return World(parents, users, draw(st.lists(node, max_size=6)), draw(st.lists(node, max_size=4)))


def covered(world: World, granted_at: int, target: int) -> bool:
    """Is target in the subtree of granted_at? Walks parent links."""
    at: int | None = target
    while at is not None:
        if at == granted_at:
            return True
        at = world.parents[at]
    return False


def visible(world: World, grants: list[tuple[str, int]], obj: str, act: str, target: int) -> bool:
    return any((role, obj, act) in ALLOWED and covered(world, at, target) for role, at in grants)


async def _work_rows(services) -> None:
    """Direct rows: a log per cadre and a link from each cadre to every youth."""
    async with services.engine.begin() as conn:
        await conn.execute(
            sa.text("""
            INSERT INTO work_logs (cadre_id, kind, activity_kind, content, occurred_at, org_id, org_path, city_id)
            SELECT id, 'ACTIVITY', 'VOLUNTEER', 'x', now(), org_id, org_path, city_id FROM cadres""")
        )
        await conn.execute(
            sa.text("""
            INSERT INTO contacts (cadre_id, youth_id, status, org_id, org_path, city_id)
            SELECT c.id, y.id, 'ACTIVE', c.org_id, c.org_path, c.city_id FROM cadres c CROSS JOIN youth y""")
        )
        # A wish and a voice from every youth to every cadre.
        await conn.execute(
            sa.text("""
            INSERT INTO wishes (youth_id, cadre_id, category, title, description, status, org_id, org_path, city_id)
            SELECT youth_id, cadre_id, 'LIFE', 'w', 'd', 'SUBMITTED', org_id, org_path, city_id FROM contacts""")
        )
        await conn.execute(
            sa.text("""
            INSERT INTO voices (youth_id, cadre_id, kind, title, body, status, org_id, org_path, city_id)
            SELECT youth_id, cadre_id, 'OPINION', 'v', 'b', 'OPEN', org_id, org_path, city_id FROM contacts""")
        )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=worlds())
async def test_no_row_outside_the_granted_subtrees(api, world: World) -> None:
    services = api.services
    await reset_database(services)
    tree = Tree(services)
    depth: list[int] = []
    for i, p in enumerate(world.parents):
        d = 0 if p is None else depth[p] + 1
        depth.append(d)
        await tree.add(str(i), None if p is None else str(p), LEVELS[d])
    org_of = {tree[str(i)].id: i for i in range(len(world.parents))}
    youth_ids = {}
    for k, at in enumerate(world.youth_at):
        y = await add_youth(services, f"y{k}", f"1390000{k:04d}", tree[str(at)])
        youth_ids[y.id] = at
    cadre_nodes = {}
    for k, at in enumerate(world.cadre_at):
        await add_user(services, f"c{k}", org=tree[str(at)])
        cadre_nodes[f"c{k}"] = at
    await _work_rows(services)  # one log per cadre, each cadre linked to every youth

    for u, grants in enumerate(world.users):
        user = await add_user(services, f"u{u}", cadre_kind=None)
        unique = sorted(set(grants))
        for role, at in unique:
            await add_grant(services, user.id, role, tree[str(at)])
        token = await api.token_for(user.id)

        # Lists through HTTP, one request each (a refused root field nulls the whole data).
        queries = {
            "orgs": "{ orgs(first: 100, includeInactive: true) { nodes { id } } }",
            "cadres": "{ cadres(first: 100) { nodes { name } } }",
            "youths": "{ youths(first: 100) { nodes { id } } }",
        }
        for field, obj, expected in (
            ("orgs", "org", {i for i in range(len(world.parents))}),
            ("cadres", "cadre", set(cadre_nodes.values())),
            ("youths", "youth", set(youth_ids.values())),
        ):
            r = await api.gql(queries[field], token=token)
            anywhere = any((role, obj, "view") in ALLOWED for role, _ in unique)
            if not anywhere:
                assert r.codes == ["FORBIDDEN"] and r.body["data"] is None, (field, r.body)
                continue
            nodes = r.data[field]["nodes"]
            if field == "orgs":
                got = sorted(org_of[pk_of(n["id"])] for n in nodes)
                want = sorted(i for i in expected if visible(world, unique, "org", "view", i))
            elif field == "cadres":
                got = sorted(n["name"] for n in nodes)
                want = sorted(
                    name
                    for name, at in cadre_nodes.items()
                    if visible(world, unique, "cadre", "view", at)
                )
            else:
                got = sorted(youth_ids[pk_of(n["id"])] for n in nodes)
                want = sorted(
                    at for at in youth_ids.values() if visible(world, unique, "youth", "view", at)
                )
            assert got == want, (field, unique, world.parents)

        # Work logs, contacts, wishes, voices: only those of cadres in the viewable subtrees.
        for query, field, obj in (
            ("{ workLogs(first: 100) { nodes { cadre { name } } } }", "workLogs", "work"),
            ("{ contacts(first: 100) { nodes { cadre { name } } } }", "contacts", "work"),
            ("{ wishes(first: 100) { nodes { cadre { name } } } }", "wishes", "wish"),
            ("{ voices(first: 100) { nodes { cadre { name } } } }", "voices", "voice"),
        ):
            r = await api.gql(query, token=token)
            if not any((role, obj, "view") in ALLOWED for role, _ in unique):
                assert r.codes == ["FORBIDDEN"], (field, r.body)
                continue
            got = sorted({n["cadre"]["name"] for n in r.data[field]["nodes"]})
            want = sorted(
                name
                for name, at in cadre_nodes.items()
                if visible(world, unique, obj, "view", at) and (field == "workLogs" or youth_ids)
            )
            assert got == want, (field, unique, world.parents)

        # Grants: the principal's own, and those at orgs in their grant:view subtrees.
        r = await api.gql("{ grants(first: 100) { nodes { userId org { id } } } }", token=token)
        if any((role, "grant", "view") in ALLOWED for role, _ in unique):
            for n in r.data["grants"]["nodes"]:
                assert n["userId"] == gid("User", user.id) or visible(
                    world, unique, "grant", "view", org_of[pk_of(n["org"]["id"])]
                )
        else:
            assert r.codes == ["FORBIDDEN"]

        # Single lookups through HTTP: allowed, or NOT_FOUND — never another subtree's row.
        for youth_id, at in youth_ids.items():
            one = await api.gql(
                "query($id: ID!) { youth(id: $id) { id } }",
                {"id": gid("Youth", youth_id)},
                token=token,
            )
            if visible(world, unique, "youth", "view", at):
                assert one.data["youth"]["id"] == gid("Youth", youth_id)
            else:
                assert one.codes in (["NOT_FOUND"], ["FORBIDDEN"]) and one.body["data"] is None
        for i in range(len(world.parents)):
            one = await api.gql(
                "query($id: ID!) { org(id: $id) { id } }",
                {"id": gid("Org", tree[str(i)].id)},
                token=token,
            )
            if visible(world, unique, "org", "view", i):
                assert one.data["org"]["id"] == gid("Org", tree[str(i)].id)
            else:
                assert one.codes in (["NOT_FOUND"], ["FORBIDDEN"]) and one.body["data"] is None

        # authorize and scope agree on every org, for every object and action.
        principal = Principal(
            user_id=user.id,
            grants=tuple(
                GrantRef(0, role, tree[str(at)].id, tree[str(at)].path) for role, at in unique
            ),
        )
        for obj in Obj:
            for act in Act:
                sc = scope(services.policy, principal, act, obj, required=False)
                for i in range(len(world.parents)):
                    path = tree[str(i)].path
                    assert decide(services.policy, principal, act, obj, path).allowed == sc.covers(
                        path
                    )
                    assert sc.covers(path) == visible(world, unique, obj.value, act.value, i)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds())
async def test_who_can_and_what_can_agree_with_authorize(api, world: World) -> None:
    """For every org and several (action, object): whoCan over HTTP names exactly the
    principals `decide` allows, as the independent model says; and whatCan of each principal
    reaches exactly the orgs where that principal is allowed."""
    services = api.services
    await reset_database(services)
    tree = Tree(services)
    depth: list[int] = []
    for i, p in enumerate(world.parents):
        d = 0 if p is None else depth[p] + 1
        depth.append(d)
        await tree.add(str(i), None if p is None else str(p), LEVELS[d])
    asker = await add_user(services, "asker", cadre_kind=None)
    await add_grant(services, asker.id, "province_admin", tree["0"])
    token = await api.token_for(asker.id)
    users = {}
    for u, grants in enumerate(world.users):
        user = await add_user(services, f"u{u}", cadre_kind=None)
        users[user.id] = sorted(set(grants))
        for role, at in users[user.id]:
            await add_grant(services, user.id, role, tree[str(at)])
    for act, obj in (
        (Act.VIEW, Obj.CADRE),
        (Act.MANAGE, Obj.YOUTH),
        (Act.VIEW, Obj.AUDIT),
        (Act.APPROVE, Obj.WORK),
    ):
        for i in range(len(world.parents)):
            r = await api.gql(
                """query($a: PolicyAction!, $o: PolicyObject!, $org: ID!) {
                whoCan(action: $a, object: $o, orgId: $org, first: 100) { nodes { userId } } }""",
                {"a": act.name, "o": obj.name, "org": gid("Org", tree[str(i)].id)},
                token=token,
            )
            got = {pk_of(h["userId"]) for h in r.data["whoCan"]["nodes"]} - {asker.id}
            want = {
                u for u, grants in users.items() if visible(world, grants, obj.value, act.value, i)
            }
            assert got == want, (act, obj, i, world.parents, users)
            for u, grants in users.items():
                principal = Principal(
                    user_id=u,
                    grants=tuple(
                        GrantRef(0, role, tree[str(at)].id, tree[str(at)].path)
                        for role, at in grants
                    ),
                )
                assert decide(services.policy, principal, act, obj, tree[str(i)].path).allowed == (
                    u in got
                )
        index = {tree[str(i)].id: i for i in range(len(world.parents))}
        for u, grants in users.items():
            r = await api.gql(
                """query($u: ID!, $a: PolicyAction!, $o: PolicyObject!) {
                whatCan(userId: $u, action: $a, object: $o, first: 100) {
                  totalCount nodes { org { id } orgs } } }""",
                {"u": gid("User", u), "a": act.name, "o": obj.name},
                token=token,
            )
            page = r.data["whatCan"]
            roots = {index[pk_of(s["org"]["id"])]: s["orgs"] for s in page["nodes"]}
            assert page["totalCount"] == len(roots)
            reached = {
                i
                for i in range(len(world.parents))
                if any(covered(world, root, i) for root in roots)
            }
            want = {
                i
                for i in range(len(world.parents))
                if visible(world, grants, obj.value, act.value, i)
            }
            assert reached == want, (act, obj, u, world.parents, grants, roots)
            for root, size in roots.items():  # each subtree's size as the tree has it
                assert size == sum(covered(world, root, i) for i in range(len(world.parents)))
