"""Persisted queries over HTTP: the automatic protocol (POST and GET), a known hash neither
parsed nor validated again, and the production allow-list."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import strawberry.schema.schema as strawberry_schema

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests


def fresh_query() -> str:
    """A text the session's app has not seen (its document store outlives a test)."""
    return f"query Q{uuid.uuid4().hex}($x: Boolean!) {{ __typename @include(if: $x) }}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of real parse and validation runs (the real functions still run)."""
    counts = {"parse": 0, "validate": 0}
    parse, validate = strawberry_schema.parse, strawberry_schema.validate_document

    def counting_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["parse"] += 1
        return parse(*args, **kwargs)

    def counting_validate(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counting_parse)
    monkeypatch.setattr(strawberry_schema, "validate_document", counting_validate)
    return counts


async def test_unknown_hash_then_registered_then_by_hash_alone(api, spies) -> None:
    query = fresh_query()
    variables = {"x": True}
    miss = await api.client.post(
        "/graphql", json={"variables": variables, "extensions": persisted(query)}
    )
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    full = await api.client.post(
        "/graphql", json={"query": query, "variables": variables, "extensions": persisted(query)}
    )
    assert full.json() == {"data": {"__typename": "Query"}}
    assert spies == {"parse": 1, "validate": 1}

    by_hash = await api.client.post(
        "/graphql", json={"variables": {"x": False}, "extensions": persisted(query)}
    )
    assert by_hash.json() == {"data": {}}
    got = await api.client.get(
        "/graphql",
        params={"variables": json.dumps(variables), "extensions": json.dumps(persisted(query))},
    )
    assert got.json() == {"data": {"__typename": "Query"}}
    assert spies == {"parse": 1, "validate": 1}  # neither ran again for the known hash


async def test_a_text_seen_before_is_not_parsed_again(api, spies) -> None:
    query = fresh_query()
    for _ in range(3):
        r = await api.client.post("/graphql", json={"query": query, "variables": {"x": True}})
        assert r.json() == {"data": {"__typename": "Query"}}
    assert spies == {"parse": 1, "validate": 1}


async def test_a_wrong_hash_or_a_malformed_extension_is_refused(api) -> None:
    query = fresh_query()
    wrong = await api.client.post(
        "/graphql",
        json={"query": "{ __typename }", "variables": {}, "extensions": persisted(query)},
    )
    assert wrong.status_code == 400
    error = wrong.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["reason"] == "PERSISTED_QUERY_HASH_MISMATCH"
    for bad in ({"version": 2, "sha256Hash": digest(query)}, {"version": 1, "sha256Hash": "x"}):
        r = await api.client.post(
            "/graphql", json={"query": query, "extensions": {"persistedQuery": bad}}
        )
        assert r.status_code == 400
        assert r.json()["errors"][0]["extensions"]["reason"] == "INVALID_BODY"
    # The wrong pair registered nothing.
    after = await api.client.post("/graphql", json={"extensions": persisted(query)})
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_allow_list_mode_executes_only_listed_documents(database_url, tmp_path) -> None:
    listed = "{ __typename }"
    query = fresh_query()
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": digest(listed), "name": "T", "type": "query", "body": listed}
                ],
            }
        )
    )
    settings = settings_for_tests(persisted_queries_only=True, persisted_queries_file=manifest)
    async with (
        RunningApp(create_app(settings, database_url=database_url)) as app,
        app.client() as c,
    ):
        assert (await c.post("/graphql", json={"extensions": persisted(listed)})).json() == {
            "data": {"__typename": "Query"}
        }
        assert (await c.post("/graphql", json={"query": listed})).json() == {
            "data": {"__typename": "Query"}
        }
        got = await c.get("/graphql", params={"extensions": json.dumps(persisted(listed))})
        assert got.json() == {"data": {"__typename": "Query"}}
        for body in (
            {"query": query, "variables": {"x": True}},
            {"query": query, "variables": {"x": True}, "extensions": persisted(query)},
            {"extensions": persisted(query)},
        ):
            r = await c.post("/graphql", json=body)
            assert r.status_code == 403
            assert r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


def test_allow_list_mode_needs_its_list(database_url, tmp_path) -> None:
    with pytest.raises(RuntimeError, match="PERSISTED_QUERIES_FILE"):
        create_app(settings_for_tests(persisted_queries_only=True), database_url=database_url)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"0" * 64: "{ __typename }"}))
    with pytest.raises(ValueError, match="not the sha256"):
        create_app(settings_for_tests(persisted_queries_file=bad), database_url=database_url)
