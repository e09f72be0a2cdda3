"""CORS: only configured origins may call from a browser page of another origin."""

from __future__ import annotations

from app.main import create_app
from app.settings import Settings
from tests.conftest import RunningApp, settings_for_tests

CONSOLE = "https://console.example.cn"
QUERY = {"query": "{ __typename }"}


async def test_no_origin_is_allowed_by_default(api) -> None:
    r = await api.client.post("/graphql", json=QUERY, headers={"origin": CONSOLE})
    assert r.json() == {"data": {"__typename": "Query"}}
    assert "access-control-allow-origin" not in r.headers
    pre = await api.client.options(
        "/graphql",
        headers={"origin": CONSOLE, "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


async def test_a_configured_origin_is_allowed_and_others_are_not(database_url) -> None:
    settings = settings_for_tests(cors_origins=[CONSOLE, "https://m.example.cn"])
    async with (
        RunningApp(create_app(settings, database_url=database_url)) as app,
        app.client() as client,
    ):
        ok = await client.post("/graphql", json=QUERY, headers={"origin": CONSOLE})
        assert ok.json() == {"data": {"__typename": "Query"}}
        assert ok.headers["access-control-allow-origin"] == CONSOLE
        assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()

        other = await client.post(
            "/graphql", json=QUERY, headers={"origin": "https://evil.example.com"}
        )
        assert "access-control-allow-origin" not in other.headers

        preflight = {
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, idempotency-key",
        }
        pre = await client.options("/graphql", headers={"origin": CONSOLE, **preflight})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == CONSOLE
        allowed = pre.headers["access-control-allow-headers"].lower()
        assert {"authorization", "content-type", "idempotency-key"} <= {
            h.strip() for h in allowed.split(",")
        }
        assert "POST" in pre.headers["access-control-allow-methods"]

        denied = await client.options(
            "/graphql", headers={"origin": "https://evil.example.com", **preflight}
        )
        assert denied.status_code == 400
        assert "access-control-allow-origin" not in denied.headers

        put = await client.options(
            "/graphql",
            headers={"origin": CONSOLE, "access-control-request-method": "DELETE"},
        )
        assert put.status_code == 400


def test_origins_come_from_the_environment_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example.cn, https://b.example.cn/")
    assert Settings().cors_origins == ["https://a.example.cn", "https://b.example.cn"]
    monkeypatch.delenv("CORS_ORIGINS")
    assert Settings(_env_file=None).cors_origins == []
