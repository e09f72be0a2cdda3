"""`/healthz` keeps answering while an upload is parsed (issue 10 §8): the server's one
event loop is what the upload's parse used to block (8 s for an upload of empty rows).

Proved by the order of events, never by a clock (a loaded machine makes any time bound
either flaky or too loose to catch anything): the test holds an upload's parse open and
/healthz must answer before it lets the parse go on. How long /healthz takes while the
largest upload and the largest query allowed run is measured by `python -m
bench.availability` (figures, not assertions)."""

from __future__ import annotations

import asyncio
import base64
import threading

from bench.availability import MAXIMAL_COST, MAXIMAL_QUERY, cost_of
from resolvers import contacts
from resolvers.contacts import read_upload
from tests.hardening.test_uploads import IMPORT, cadre_token, xlsx_with_sheet
from tests.helpers import DEADLINE


async def test_the_benchmarks_query_is_the_largest_allowed(api) -> None:
    """bench/availability.py measures with the costliest query the limit lets through."""
    settings = api.services.settings
    assert cost_of(MAXIMAL_QUERY, api.services) == MAXIMAL_COST <= settings.graphql_max_cost
    assert settings.graphql_max_cost - MAXIMAL_COST < 1_000


async def test_health_answers_while_an_upload_is_being_parsed(api, monkeypatch) -> None:
    """The parse is held open here (the real parse, entered and then paused on an event):
    /healthz answers meanwhile, which it could not if the parse held the event loop. Were
    the parse on the loop, the pause would stall the loop, the health check would wait
    behind it, and `held` below would end by its deadline, not by the answer."""
    parsing, answered = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def held_parse(*args):  # type: ignore[no-untyped-def]
        parsing.set()
        outcome["answered_first"] = answered.wait(DEADLINE)
        return read_upload(*args)

    monkeypatch.setattr(contacts, "read_upload", held_parse)
    t = await cadre_token(api)
    content = base64.b64encode(
        xlsx_with_sheet(
            '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>13600000001</t></is></c></row>'
        )
    ).decode()
    importing = asyncio.create_task(api.gql(IMPORT, {"f": "a.xlsx", "c": content}, token=t))
    assert await asyncio.to_thread(parsing.wait, DEADLINE), "the parse never started"
    health = await api.client.get("/healthz")  # while the parse is held
    answered.set()
    assert health.json() == {"status": "ok"}
    imported = await asyncio.wait_for(importing, DEADLINE)
    assert outcome == {"answered_first": True}
    assert imported.data == {"importYouth": {"written": True, "invited": 1}}, imported.body
