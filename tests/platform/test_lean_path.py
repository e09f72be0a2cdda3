"""The lean path (app/main.py GraphQLView.lean) answers exactly as strawberry's view: the
same requests, sent with LEAN_HTTP on and off, get the same status, headers and body bytes,
and leave the same audit rows, error and retry counts and log lines. The common ones are
answered without strawberry's `run` when it is on (the rest fall through to it)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from strawberry.http.async_base_view import AsyncBaseHTTPView

from app.main import create_app
from schema.metrics import GRAPHQL_ERRORS, HTTP_REQUESTS, WRITE_RETRIES
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import add_user, gid, standard_tree

ME = "{ me { user { displayName } } }"
TWO = "query A { me { user { displayName } } } query B { __typename }"
RENAME = 'mutation($id: ID!) { updateOrg(input: {id: $id, name: "新名字"}) { name } }'


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str, hash_of: str | None = None) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(hash_of or text)}}


@dataclass
class Case:
    name: str
    lean: bool  # answered without strawberry's run when the lean path is on
    body: Any  # JSON, bytes sent as they are, or a tuple of bytes sent in those chunks
    token: str | None = None
    headers: dict[str, str] | None = None
    before: Callable[[], Awaitable[None]] | None = None  # run before each sending


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests entered strawberry's `run` (the real one still answers)."""
    count = [0]
    run = AsyncBaseHTTPView.run

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return await run(self, *args, **kwargs)

    monkeypatch.setattr(AsyncBaseHTTPView, "run", counting)
    return count


def _counts() -> dict[tuple[str, tuple], float]:
    out: dict[tuple[str, tuple], float] = {}
    for metric in (HTTP_REQUESTS, GRAPHQL_ERRORS, WRITE_RETRIES):
        for family in metric.collect():
            for s in family.samples:
                if s.name.endswith("_total"):
                    out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def _audit_rows(running: RunningApp) -> int:
    async with running.services.engine.connect() as conn:
        return int(await conn.scalar(sa.text("SELECT count(*) FROM audit_log")))


async def _send(running: RunningApp, case: Case, caplog: pytest.LogCaptureFixture) -> tuple:
    """One sending of a case, and everything it is seen by: the answer, the audit rows it
    added, the counters it moved and the lines it logged."""
    if case.before is not None:
        await case.before()
    headers = {"content-type": "application/json", "x-request-id": f"lean-{case.name}"}
    if case.token:
        headers["authorization"] = f"Bearer {case.token}"
    headers.update(case.headers or {})
    content: Any = case.body
    if isinstance(case.body, tuple):
        content = _chunks(case.body)
    elif not isinstance(case.body, bytes):
        content = orjson.dumps(case.body)
    counts, audit = _counts(), await _audit_rows(running)
    caplog.clear()
    async with running.client() as client:
        r = await client.post("/graphql", content=content, headers=headers)
    after = _counts()
    moved = {k: v - counts.get(k, 0) for k, v in after.items() if v != counts.get(k, 0)}
    logged = [(x.name, x.levelname, x.getMessage()) for x in caplog.records]
    return (
        r.status_code,
        r.headers.raw,
        r.content,
        await _audit_rows(running) - audit,
        moved,
        logged,
    )


async def _chunks(parts: tuple[bytes, ...]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _compare(
    running: RunningApp, cases: list[Case], runs: list[int], caplog: pytest.LogCaptureFixture
) -> dict[str, tuple]:
    settings, seen = running.services.settings, {}
    try:
        for case in cases:
            settings.lean_http = False
            await _send(running, case, caplog)  # first sight: the document parsed, validated
            before = runs[0]
            strawberry = await _send(running, case, caplog)
            assert runs[0] == before + 1, case.name
            settings.lean_http = True
            before = runs[0]
            lean = await _send(running, case, caplog)
            assert runs[0] == before + (0 if case.lean else 1), case.name
            assert lean == strawberry, case.name
            seen[case.name] = lean
    finally:
        settings.lean_http = True
    return seen


async def test_the_lean_path_answers_as_strawberrys_view(
    api: Any, running: RunningApp, runs: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="youthlink")
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    token = await api.token_for(admin.id)
    org = gid("Org", tree["A1"].id)

    async def once_deadlocked() -> None:
        """The next update of an org loses a deadlock once: the view runs it again. (The
        org's old name back first: a rename to the name it has is no UPDATE at all.)"""
        async with api.services.engine.begin() as conn:
            for statement in (
                "DROP TRIGGER IF EXISTS zz_once ON orgs",
                "DROP SEQUENCE IF EXISTS zz_once",
                f"UPDATE orgs SET name = '甲一县' WHERE id = {int(tree['A1'].id)}",
                "CREATE SEQUENCE zz_once",
                "CREATE OR REPLACE FUNCTION zz_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF nextval('zz_once') = 1 THEN "
                "RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER zz_once BEFORE UPDATE ON orgs FOR EACH ROW "
                "EXECUTE FUNCTION zz_once()",
            ):
                await conn.execute(sa.text(statement))

    rename = {"query": RENAME, "variables": {"id": org}}
    cases = [
        Case("query", True, {"query": ME}, token),
        Case("variables", True, {"query": ME, "variables": {}}, token),
        Case("in chunks", True, (b'{"query": "{ me {', b" user { displayName } } }", b'"}'), token),
        Case("no token", True, {"query": ME}),
        Case("bad token", True, {"query": ME}, "not-a-token"),
        Case("operation chosen", True, {"query": TWO, "operationName": "B"}, token),
        Case("operation unknown", False, {"query": TWO, "operationName": "C"}, token),
        Case("operation missing", False, {"query": TWO}, token),
        Case("mutation", True, rename, token),
        Case("idempotent", True, rename, token, {"idempotency-key": "lean-path-key-1"}),
        Case("deadlock retried", True, rename, token, before=once_deadlocked),
        Case("hash and text", True, {"query": ME, "extensions": persisted(ME)}, token),
        Case("hash known", True, {"extensions": persisted(ME)}, token),
        Case("hash mismatch", True, {"query": ME, "extensions": persisted(ME, "x")}, token),
        Case("hash unknown", False, {"extensions": persisted("{ nothing }")}, token),
        Case("bad json", False, b"{bad", token),
        Case("not an object", False, b"[]", token),
        Case("batch", False, [{"query": ME}, {"query": ME}], token),
        Case("variables not an object", False, {"query": ME, "variables": [1]}, token),
        Case("validation error", False, {"query": "{ nope }"}, token),
        Case("parse error", False, {"query": "{ me {"}, token),
        Case("no query", False, {"variables": {}}, token),
    ]
    try:
        seen = await _compare(running, cases, runs, caplog)
    finally:
        async with api.services.engine.begin() as conn:
            await conn.execute(sa.text("DROP TRIGGER IF EXISTS zz_once ON orgs"))
            await conn.execute(sa.text("DROP FUNCTION IF EXISTS zz_once()"))
            await conn.execute(sa.text("DROP SEQUENCE IF EXISTS zz_once"))
    # What was compared is what it says: a retry, an audited write, refusals with codes.
    status, _, body, audited, moved, logged = seen["deadlock retried"]
    assert (status, orjson.loads(body)) == (200, {"data": {"updateOrg": {"name": "新名字"}}})
    assert moved[("youthlink_write_retries_total", ())] == 1
    assert any("write conflict" in line[2] for line in logged)
    assert audited > 0 and seen["mutation"][3] > 0
    assert orjson.loads(seen["no token"][2])["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    assert seen["hash mismatch"][0] == 400
    assert orjson.loads(seen["operation chosen"][2]) == {"data": {"__typename": "Query"}}


async def test_the_lean_path_keeps_the_allow_list(
    database_url: str, tmp_path: Any, runs: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    listed = "{ __typename }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({digest(listed): listed}))
    settings = settings_for_tests(persisted_queries_only=True, persisted_queries_file=manifest)
    cases = [
        Case("listed by hash", True, {"extensions": persisted(listed)}),
        Case("listed by text", True, {"query": listed}),
        Case("listed, wrong hash", True, {"query": listed, "extensions": persisted("x")}),
        Case("not listed", False, {"query": "query N { __typename }"}),
        Case("not listed by hash", False, {"extensions": persisted("query N { __typename }")}),
    ]
    caplog.set_level(logging.INFO, logger="youthlink")
    async with RunningApp(create_app(settings, database_url=database_url)) as running:
        seen = await _compare(running, cases, runs, caplog)
    assert seen["not listed"][0] == 403
    assert orjson.loads(seen["listed by hash"][2]) == {"data": {"__typename": "Query"}}
