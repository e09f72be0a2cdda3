"""docker-compose.yml is valid for the docker client on this machine (`docker compose` or
the older `docker-compose`): the primary, its streaming replica, the app reading from it and
a worker; refused without a JWT_SECRET of the operator's own."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def _compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


COMPOSE = _compose()
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="no docker compose client here: docker-compose.yml not validated"
)


def config(*args: str, secret: str | None = "s" * 40) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    if secret is not None:
        env["JWT_SECRET"] = secret
    return subprocess.run(
        [*COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_the_compose_file_is_valid_with_a_replica_and_a_worker() -> None:
    services = config("--services")
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == {"db", "db-replica", "app", "worker"}
    whole = config()
    assert whole.returncode == 0, whole.stderr
    assert "DATABASE_REPLICA_URL: postgresql://youthlink:youthlink@db-replica:5432/youthlink" in (
        whole.stdout
    )
    assert "youthlink worker" in whole.stdout or "- worker" in whole.stdout


def test_no_secret_no_config() -> None:
    refused = config("-q", secret=None)
    assert refused.returncode != 0 and "JWT_SECRET" in refused.stderr
