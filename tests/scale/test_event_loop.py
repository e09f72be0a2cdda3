"""The event loop never waits on request work: while each heavy operation's work is under
way, the same app answers another request.

The heavy function is held at its start until that other request has been answered (a
gate, released by the test after the answer): run in a worker thread, the loop answers and
releases it; run on the loop itself, the loop could answer nothing, the gate would not open,
and the operation would fail. Order, not timing: no duration is measured or compared."""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest

from resolvers import accounts, bulletins, contacts, spreadsheets
from tests.conftest import METRICS_TOKEN
from tests.helpers import DEADLINE, add_user, add_youth, gid, standard_tree

HOLD_SECONDS = DEADLINE  # only a failing run waits this long


class Gate:
    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def hold(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            if not self.release.wait(HOLD_SECONDS):
                raise AssertionError("the event loop answered nothing while this work ran")
            return fn(*args, **kwargs)

        return held


class HeldHasher:
    """The real argon2 hasher, its hashing held at the gate."""

    def __init__(self, gate: Gate, real: Any) -> None:
        self.hash = gate.hold(real.hash)
        self.verify = real.verify


async def _answered_meanwhile(api, gate: Gate, operation) -> Any:
    running = asyncio.create_task(operation)
    assert await asyncio.to_thread(gate.entered.wait, HOLD_SECONDS)
    other = await api.client.get("/healthz")  # answered while the heavy work is held
    assert other.status_code == 200
    gate.release.set()
    return await running


async def _people(api):
    tree = await standard_tree(api.services)
    cadre = await add_user(api.services, "cadre", org=tree["A1"], roles=("county_admin",))
    province = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    await add_youth(api.services, "小伙伴", "13900000009", tree["A1x"])
    return tree, cadre, province


def _csv(rows: list[list[str]]) -> str:
    text = "\n".join(",".join(r) for r in rows)
    return base64.b64encode(text.encode("utf-8")).decode()


CASES = ["login", "hash", "export", "import", "bulletin-page", "bulletin-pdf"]


@pytest.mark.parametrize("case", CASES)
async def test_the_loop_answers_while_heavy_work_runs(api, monkeypatch, case) -> None:
    tree, cadre, province = await _people(api)
    gate = Gate()
    t = await api.token_for(cadre.id)
    if case == "login":
        monkeypatch.setattr(accounts, "_verify_now", gate.hold(accounts._verify_now))
        op = api.gql('mutation { login(username: "cadre", password: "Secret123") { accessToken } }')
        key = "login"
    elif case == "hash":
        held = HeldHasher(gate, accounts._hasher())
        monkeypatch.setattr(accounts, "_hasher", lambda: held)
        op = api.gql(
            'mutation($o: ID!) { createCadre(input: {orgId: $o, name: "新干部", kind: PART_TIME,'
            ' username: "newbie", password: "Passw0rd1"}) { id } }',
            {"o": gid("Org", tree["A1x"].id)},
            token=t,
        )
        key = "createCadre"
    elif case == "export":
        monkeypatch.setattr(spreadsheets, "write", gate.hold(spreadsheets.write))
        op = api.gql(
            "query($o: ID!) { exportYouth(format: XLSX, under: $o) { rows downloadUrl } }",
            {"o": gid("Org", tree["A1"].id)},
            token=t,
        )
        key = "exportYouth"
    elif case == "import":
        monkeypatch.setattr(contacts, "read_upload", gate.hold(contacts.read_upload))
        content = _csv([["姓名", "手机号"], ["新朋友", "13900000010"]])
        op = api.gql(
            'mutation($c: String!) { importYouth(input: {filename: "a.csv", contentBase64: $c,'
            " dryRun: true}) { written } }",
            {"c": content},
            token=t,
        )
        key = "importYouth"
    else:
        tp = await api.token_for(province.id)
        made = await api.gql(
            "mutation($o: ID!) { generateBulletin(orgId: $o, year: 2026, quarter: 4) { id } }",
            {"o": gid("Org", tree["A"].id)},
            token=tp,
        )
        fmt, heavy = ("PDF", "_pdf") if case == "bulletin-pdf" else ("HTML", "_printable")
        monkeypatch.setattr(bulletins, heavy, gate.hold(getattr(bulletins, heavy)))
        op = api.gql(
            "query($id: ID!, $f: BulletinFormat!) {"
            " exportBulletin(id: $id, format: $f) { filename downloadUrl } }",
            {"id": made.data["generateBulletin"]["id"], "f": fmt},
            token=tp,
        )
        key = "exportBulletin"
    result = await _answered_meanwhile(api, gate, op)
    assert result.data[key]  # the held operation then completed normally


async def test_loop_lag_is_sampled_on_metrics(api) -> None:
    """The sampler runs beside the app and its histogram is on /metrics (its samples keep
    coming: the count grows)."""

    async def samples() -> float:
        text = (
            await api.client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
        ).text
        found = re.search(r"^youthlink_event_loop_lag_seconds_count (\S+)$", text, re.M)
        assert found, "no loop lag histogram on /metrics"
        return float(found.group(1))

    first = await samples()
    async with asyncio.timeout(DEADLINE):  # a sample every quarter second: wait for the next
        while await samples() <= first:  # noqa: ASYNC110 (a scrape has no event to await)
            await asyncio.sleep(0.05)
