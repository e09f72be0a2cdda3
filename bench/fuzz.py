"""schemathesis (GraphQL mode) against the running service, logged in as the province admin.

Starts `youthlink serve` on a loopback port over a fresh database with the demo province,
runs schemathesis for a bounded time, and prints what it counted. Run: `make fuzz`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.demo import DEMO_PASSWORD
from app.migrate import upgrade
from bench.common import database_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_TIME = int(os.environ.get("FUZZ_SECONDS", "120"))


async def seed(url: str) -> None:
    from app.cli import _seed

    await _seed(url)


def main() -> int:
    url = database_url("youthlink_fuzz")
    upgrade(url)
    asyncio.run(seed(url))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RATE_LIMIT_PER_MINUTE": "0",
        "EXPENSIVE_PER_MINUTE": "0",
        "LOGIN_FAILURES_PER_ADDRESS": "100000",
    }
    log_path = ROOT / "var" / "fuzz-server.log"
    log_file = log_path.open("w")
    server = subprocess.Popen(
        [str(BIN / "youthlink"), "serve", "--workers", "1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        r = httpx.post(
            f"{base}/graphql",
            json={
                "query": 'mutation($p: String!) { login(username: "admin", '
                "password: $p) { accessToken } }",
                "variables": {"p": DEMO_PASSWORD},
            },
        )
        token = r.json()["data"]["login"]["accessToken"]
        run = subprocess.run(
            [
                str(BIN / "schemathesis"),
                "run",
                f"{base}/graphql",
                "-H",
                f"Authorization: Bearer {token}",
                "--exclude-checks",
                "not_a_server_error,positive_data_acceptance",
                "--max-time",
                str(MAX_TIME),
                "-n",
                "25",
                "--seed",
                "2017",
                "--exclude-name",
                "Mutation.logout",
                "--no-color",
            ],
            cwd=ROOT,
            env={**env, "SCHEMATHESIS_HOOKS": "bench.fuzz_hooks"},
            capture_output=True,
            text=True,
            timeout=MAX_TIME + 300,
            check=False,
        )
        (ROOT / "var" / "fuzz-report.txt").write_text(run.stdout + run.stderr)
        print(run.stdout[-3000:])
        return run.returncode
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()
        errors = [line for line in log_path.read_text().splitlines() if " ERROR " in line]
        print(
            f"server log lines with ERROR: {len(errors)} (var/fuzz-server.log; report: var/fuzz-report.txt)"
        )


if __name__ == "__main__":
    sys.exit(main())
