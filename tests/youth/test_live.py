"""Live updates over a real WebSocket (graphql-transport-ws) to a second app instance served
by uvicorn on loopback: events cross instances through PostgreSQL, and authorization holds."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
import websockets
from sqlalchemy import text

from app.events import EventHub
from app.main import create_app
from tests.conftest import settings_for_tests
from tests.helpers import DEADLINE, wait_until

SUBMIT = """mutation($c: ID!) { submitWish(cadreId: $c, category: LIFE, title: "冬衣", description: "需要一件棉衣") { id } }"""


@dataclass
class Instance:
    url: str
    hub: EventHub  # its live subscriptions: a test waits for one to register


@pytest.fixture
async def second_instance(database_url) -> AsyncIterator[Instance]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings_for_tests(), database_url=database_url)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or task.done())
    assert server.started, "the second instance ended before it started serving"
    yield Instance(f"ws://127.0.0.1:{port}/graphql", app.state.services.hub)
    server.should_exit = True
    await asyncio.wait_for(task, DEADLINE)


async def _registered(hub: EventHub, count: int) -> None:
    await wait_until(lambda: hub.subscribers >= count)  # the hub has no event for this


@contextlib.asynccontextmanager
async def subscription(instance: Instance, token: str | None, query: str, *, accepted=True):
    """Subscribes, and (when the subscription is to be accepted) returns only once the
    instance's hub holds it, so no event produced afterwards can be missed."""
    before = instance.hub.subscribers
    async with websockets.connect(instance.url, subprotocols=["graphql-transport-ws"]) as ws:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        if accepted:
            await _registered(instance.hub, before + 1)
        yield ws


async def next_message(ws) -> dict:
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
        if msg["type"] != "ping":
            return msg


async def test_a_youth_follows_their_wish_across_instances(people, second_instance) -> None:
    api = people.api
    wish = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)).data["submitWish"][
        "id"
    ]
    other = (await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.other_youth)).data[
        "submitWish"
    ]["id"]
    query = "subscription { myWishUpdates { id status cadre { name } } }"
    async with (
        subscription(second_instance, people.youth, query) as mine,
        subscription(second_instance, people.other_youth, query) as theirs,
    ):
        act = "mutation($id: ID!) { actOnWish(id: $id, action: ACCEPT) { status } }"
        assert (
            await api.gql(act, {"id": wish}, token=people.cadre)
        ).data  # made on the first instance
        msg = await next_message(mine)
        assert msg["type"] == "next"
        assert msg["payload"]["data"]["myWishUpdates"] == {
            "id": wish,
            "status": "ACCEPTED",
            "cadre": {"name": "cadre1"},
        }
        # Another youth hears nothing of it: their first message is about their own wish,
        # whose change was made after the first one (NOTIFY keeps commit order).
        assert (await api.gql(act, {"id": other}, token=people.cadre)).data
        msg = await next_message(theirs)
        assert msg["payload"]["data"]["myWishUpdates"]["id"] == other


async def test_a_cadres_inbox_gets_new_voices_and_wishes(people, second_instance) -> None:
    api = people.api
    query = "subscription { myInbox { kind wish { title youth { mobile } } voice { title } } }"
    async with subscription(second_instance, people.cadre, query) as inbox:
        await api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)
        msg = await next_message(inbox)
        assert msg["payload"]["data"]["myInbox"] == {
            "kind": "WISH",
            "voice": None,
            "wish": {"title": "冬衣", "youth": {"mobile": "13200000001"}},
        }
        await api.gql(
            'mutation($c: ID!) { sendVoice(kind: OPINION, title: "建议", body: "多办活动", cadreId: $c) { id } }',
            {"c": people.cadre_id},
            token=people.other_youth,
        )
        msg = await next_message(inbox)
        assert msg["payload"]["data"]["myInbox"]["voice"] == {"title": "建议"}


async def test_subscriptions_need_a_valid_login_and_end_with_it(people, second_instance) -> None:
    api = people.api
    for token in (None, "not-a-token"):
        async with websockets.connect(
            second_instance.url, subprotocols=["graphql-transport-ws"]
        ) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": f"Bearer {token}"} if token else {},
                    }
                )
            )
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), DEADLINE)
            assert closed.value.rcvd.code == 4403
    # A cadre cannot follow a youth's wishes.
    async with subscription(
        second_instance, people.cadre, "subscription { myWishUpdates { id } }", accepted=False
    ) as ws:
        msg = await next_message(ws)
        assert (
            msg["type"] == "error"
            or msg["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        )
    # Logging out ends a live subscription at its next event.
    async with subscription(
        second_instance, people.youth, "subscription { myWishUpdates { id status } }"
    ) as ws:
        await api.gql("mutation { logout }", token=people.youth)
        async with api.services.engine.begin() as conn:  # an event addressed to this youth
            await conn.execute(
                text("SELECT pg_notify('youthlink_events', :p)"),
                {"p": json.dumps({"kind": "wish", "id": 1, "youth_id": people.youth_id})},
            )
        msg = await next_message(ws)
        assert msg["type"] == "next" and msg["payload"]["data"] is None
        assert msg["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_subscription_closed_at_an_event_gives_its_connection_back(people) -> None:
    """A client that leaves just as an event goes out (a phone leaving the page) closes the
    stream at its yield: the event's session must be closed there, not left to the GC."""
    from types import SimpleNamespace

    from authz import load_principal
    from resolvers import wishes
    from resolvers.base import Ctx
    from resolvers.tokens import read_access
    from schema.subscriptions import _stream

    services = people.api.services
    claims = read_access(services.settings, people.youth)
    async with services.sessionmaker() as s:
        principal = await load_principal(s, claims.user_id, claims.session_id)
    ctx = Ctx(
        opened=services.sessionmaker(),
        principal=principal,
        policy=services.policy,
        settings=services.settings,
        sessionmaker=services.sessionmaker,
    )
    info = SimpleNamespace(context=SimpleNamespace(ctx=ctx, hub=services.hub))
    pool = services.engine.pool
    before = pool.checkedout()
    stream = _stream(info, {"wish"}, lambda e: True, lambda c, e: wishes.get(c, e["id"]))
    first = asyncio.create_task(stream.__anext__())
    await _registered(services.hub, 1)
    await people.api.gql(SUBMIT, {"c": people.cadre_id}, token=people.youth)
    item = await asyncio.wait_for(first, DEADLINE)
    assert item.title == "冬衣"
    assert pool.checkedout() == before + 1  # the event's session, held while it is sent
    await stream.aclose()
    assert pool.checkedout() == before
