"""A change of role templates is in force on the very next request, on the instance that
made it and on any other, without waiting for NOTIFY (here switched off on both)."""

from __future__ import annotations

import contextlib

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import Api, add_user, standard_tree

CADRES = "{ cadres { totalCount } }"
CHANGE = 'mutation { %s(role: "probe", object: CADRE, action: VIEW) { name } }'


async def test_a_template_change_holds_on_the_next_request_everywhere(api, database_url) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    admin_t = await api.token_for(admin.id)
    r = await api.gql(
        'mutation { createRole(name: "probe", title: "探针") { name } }', token=admin_t
    )
    assert r.data
    watcher = await add_user(api.services, "watcher", org=tree["A1"], roles=("probe",))
    watcher_t = await api.token_for(watcher.id)

    async with contextlib.AsyncExitStack() as stack:
        instances = []
        for _ in range(2):
            app = create_app(settings_for_tests(), database_url=database_url)
            running = await stack.enter_async_context(RunningApp(app))
            await running.services.listener.stop()  # NOTIFY reaches neither instance now
            client = await stack.enter_async_context(running.client())
            instances.append(Api(client, running.services))
        changing, other = instances

        stale = []
        allowed = False
        for i in range(100):
            allowed = not allowed
            change = await changing.gql(
                CHANGE % ("addPermission" if allowed else "removePermission"), token=admin_t
            )
            assert change.codes == [], change.body
            for name, instance in (("changing", changing), ("other", other)):
                answer = await instance.gql(CADRES, token=watcher_t)
                if (answer.codes == []) != allowed:
                    stale.append((i, name, allowed, answer.body))
        assert stale == []
        assert changing.services.policy.version == other.services.policy.version
