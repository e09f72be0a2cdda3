"""Operator-only metrics and a signing secret nobody has read in the code (issue 10 §9)."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest

from app.main import create_app
from app.settings import PUBLISHED_SECRETS, Settings
from tests.conftest import METRICS_TOKEN, RunningApp, settings_for_tests
from tests.helpers import Api, add_user, standard_tree


async def test_metrics_answer_operators_only(api) -> None:
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": METRICS_TOKEN}):
        r = await api.client.get("/metrics", headers=headers)
        assert r.status_code == 401 and "youthlink_" not in r.text, headers
    r = await api.client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert r.status_code == 200 and "youthlink_http_requests_total" in r.text


async def test_metrics_without_a_token_answer_nobody(database_url) -> None:
    app = create_app(settings_for_tests(metrics_token=None), database_url=database_url)
    async with RunningApp(app) as running, running.client() as client:
        for headers in ({}, {"authorization": "Bearer "}, {"authorization": "Bearer None"}):
            assert (await client.get("/metrics", headers=headers)).status_code == 404


def test_an_unset_secret_is_made_once_under_the_data_dir(tmp_path: Path) -> None:
    first = Settings(environment="development", data_dir=tmp_path).ready_to_serve()
    path = tmp_path / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.jwt_secret == path.read_text().strip() and len(first.jwt_secret) >= 60
    assert first.jwt_secret not in PUBLISHED_SECRETS
    again = Settings(environment="development", data_dir=tmp_path).ready_to_serve()
    assert again.jwt_secret == first.jwt_secret  # tokens outlive a restart
    assert Settings(data_dir=tmp_path / "other").ready_to_serve().jwt_secret != first.jwt_secret
    given = Settings(jwt_secret="x" * 40, data_dir=tmp_path).ready_to_serve()
    assert given.jwt_secret == "x" * 40  # an explicit setting wins


@pytest.mark.parametrize("secret", [None, "short", *sorted(PUBLISHED_SECRETS)])
def test_production_refuses_to_start_without_its_own_secret(tmp_path: Path, secret) -> None:
    settings = Settings(environment="production", jwt_secret=secret, data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="JWT_SECRET"):
        create_app(settings, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert not (tmp_path / "jwt_secret").exists()


async def test_a_token_signed_with_the_published_default_is_refused(api) -> None:
    """`make run` used to sign with the default in the code: anyone could mint a token."""
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "prov", org=tree["P"], roles=("province_admin",))
    real = await api.token_for(admin.id)
    claims = jwt.decode(real, options={"verify_signature": False})
    for published in PUBLISHED_SECRETS:
        forged = jwt.encode(claims, published, algorithm="HS256")
        r = await Api(api.client, api.services).gql("{ me { user { id } } }", token=forged)
        assert r.codes == ["UNAUTHENTICATED"], r.body
    assert (await api.gql("{ me { user { id } } }", token=real)).codes == []
