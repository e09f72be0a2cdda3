"""One typed settings object, read from the environment (and `.env` if present)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # An operator points the service at their own PostgreSQL with this one variable;
    # without it an embedded PostgreSQL keeps its data under `var/`.
    database_url: str | None = None
    # A streaming replica of it: queries read there, writes and a writer's next reads go to
    # the primary (app/replica.py). Unset: everything on the primary.
    database_replica_url: str | None = None
    data_dir: Path = ROOT / "var"
    # The front ends' static files (console, phone pages, vendored libraries): the repo's web/
    # when run from the repo; an installed package (the Docker image) names its copy.
    web_dir: Path = ROOT / "web"
    db_pool_size: int = 10
    db_statement_timeout_ms: int = 15_000
    db_pool_timeout_seconds: float = 10
    # A pooled connection idle for longer than this is pinged before use (a restarted
    # database left it dead); one used more recently is not (HikariCP's alive-bypass
    # window): under load the ping would be a round trip on every request.
    db_ping_idle_seconds: float = 1.0
    # An operation rolled back by a deadlock or serialization failure is run again this
    # many times before the client is told to retry (SERVICE_UNAVAILABLE, WRITE_CONFLICT).
    write_retries: int = 3

    timezone: str = "Asia/Shanghai"
    # A cadre may correct a work log for this long after writing it; then it is locked.
    work_log_edit_hours: int = 72
    # A wish nobody has acted on for this many days goes to the wish pool by itself.
    wish_escalate_days: int = 7
    # A pooled wish nobody claims moves up: from a county's pool to the city's after this
    # many days, from a city's to the province's after the next (0: it stays where it is).
    wish_county_pool_days: int = 14
    wish_city_pool_days: int = 30
    # A download link of an export works once, for this long.
    download_ttl_seconds: int = 600
    # Spreadsheet imports.
    import_max_rows: int = 2_000
    import_max_bytes: int = 5_000_000
    # An .xlsx is a zip: what it may unpack to (a 2 MB file can hold hundreds of MB of XML).
    import_max_unpacked_bytes: int = 50_000_000
    # Evidence (佐证材料) on logs and reports: per file, pixels of a photo (a larger one is
    # refused before it is decoded), files per record.
    evidence_max_bytes: int = 5_000_000
    evidence_max_pixels: int = 40_000_000
    evidence_per_record: int = 9
    # A 微视频 nomination's MP4 video (kept as sent: no transcoding) may be this large.
    evidence_video_max_bytes: int = 50_000_000
    # Where evidence files are kept: "postgres" (in their rows: backups and the replica
    # carry them) or "s3", an S3-compatible object store (resolvers/objectstore.py) named
    # by S3_ENDPOINT (unset: AWS itself), S3_BUCKET (made beforehand), S3_ACCESS_KEY,
    # S3_SECRET_KEY and S3_REGION.
    evidence_store: Literal["postgres", "s3"] = "postgres"
    s3_endpoint: str | None = None
    s3_bucket: str = "youthlink-evidence"
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None  # SecretStr: never printed, never logged
    s3_region: str = "us-east-1"
    s3_timeout_seconds: float = 10

    @property
    def wish_pool_waits(self) -> dict[str, int]:
        """Days a wish waits in a pool of each level before moving up (resolvers.wishes)."""
        return {"COUNTY": self.wish_county_pool_days, "CITY": self.wish_city_pool_days}

    log_format: str = "text"  # "json" for structured logs with request ids (production)
    # uvicorn's line per request; off by default: /metrics counts requests by path and
    # status, and failures are logged with their request id.
    access_log: bool = False
    # `serve --workers N`: uvicorn kills a worker that has not answered its supervisor's
    # ping (or finished starting) within this many seconds. uvicorn's 5 s killed every
    # starting worker, over and over, on a host at load 20 (the soak); a hung worker is
    # still replaced, a minute later.
    worker_healthcheck_seconds: float = 60.0

    host: str = "127.0.0.1"
    port: int = 8000
    # Browser origins allowed to call the API from another origin (CORS), comma-separated,
    # e.g. "https://console.example.cn,https://m.example.cn". None by default.
    cors_origins: Annotated[list[str], NoDecode] = []

    # Tokens are signed with JWT_SECRET; unset, outside production, with a random secret
    # generated once under DATA_DIR (`ready_to_serve`). Production needs its own.
    jwt_secret: str | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 30

    # Login abuse limits (per username or mobile number, known or not).
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    otp_length: int = 6
    otp_ttl_minutes: int = 5
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    # Where one-time codes go: "outbox" records them in the sms_outbox table (development,
    # tests); "tencent" sends them through Tencent Cloud SMS (resolvers/sms.py) with the
    # SMS_* settings below; another gateway is a dotted path "package.module:ClassName".
    sms_provider: str = "outbox"
    sms_secret_id: str | None = None
    sms_secret_key: SecretStr | None = None  # SecretStr: never printed, never logged
    sms_app_id: str | None = None  # SmsSdkAppId, from the SMS console
    sms_sign_name: str | None = None  # the approved sign (签名), e.g. 共青团1加100
    # The approved template (模板) of the login code; its parameters are {1} the code and
    # {2} the minutes it is valid.
    sms_template_id: str | None = None
    sms_region: str = "ap-guangzhou"
    sms_endpoint: str = "https://sms.tencentcloudapi.com"
    sms_timeout_seconds: float = 10

    # GraphQL limits.
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2_000
    # Estimated cost of one document (schema/limits.py: objects 1, lists × page size,
    # subtree 10, dashboards and exports 50); refused before it runs.
    graphql_max_cost: int = 20_000
    graphql_introspection: bool = True
    # Persisted queries (docs/api.md): the automatic protocol is always on; with
    # PERSISTED_QUERIES_ONLY (production) the service executes only the documents of the
    # allow-list in PERSISTED_QUERIES_FILE (a JSON {sha256: document} or Apollo manifest).
    persisted_queries_only: bool = False
    persisted_queries_file: Path | None = None
    page_size_default: int = 20
    page_size_max: int = 100
    # A list fetches the object edges its nodes ask for (org, cadre …) in its own statement
    # (resolvers/lookahead.py); off, each edge is loaded after the page, as a batch.
    lookahead: bool = True
    # A read whose fields are plain or look-ahead edges is completed by a compiled plan of
    # its document (schema/planned.py) instead of graphql-core field by field; off, every
    # field goes through graphql-core. The answers are the same either way.
    planned: bool = True
    # The common request (POST /graphql, JSON, one query or mutation whose document was seen
    # before) goes from the ASGI scope to its JSON answer without strawberry's HTTP layer
    # (app/main.py GraphQLView.lean); off, every request takes strawberry's view. The
    # answers, headers and side effects are the same either way.
    lean_http: bool = True
    # A query's list whose nodes ask only for columns and look-ahead edges has PostgreSQL
    # write the nodes' JSON in the page's own statement (resolvers/prebuilt.py,
    # schema/prebuilt.py); off, the page's records are completed in Python. Same answers.
    prebuilt_json: bool = True

    # Where the rate limits' counters live, shared by every instance: PostgreSQL (the
    # service's own database) unless REDIS_URL names a Redis, e.g. redis://127.0.0.1:6379/0.
    redis_url: str | None = None
    # Requests per minute per client address, all operations together.
    rate_limit_per_minute: int = 1_200
    # Expensive operations (dashboards, rankings, exports, detection, assessment) per
    # principal per minute.
    expensive_per_minute: int = 60
    # Failed logins per client address per quarter hour, whatever the username.
    login_failures_per_address: int = 30
    # One-time codes: per number per day, per address per hour.
    otp_per_mobile_per_day: int = 10
    otp_per_address_per_hour: int = 20
    # Retention (days) for the purge command.
    retain_otp_days: int = 30
    retain_sessions_days: int = 90
    retain_idempotency_hours: int = 24
    retain_data_reads_days: int = 1095
    # Finished runs of the scheduled jobs (procrastinate's jobs and events).
    retain_job_days: int = 30

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    # /metrics answers only a request with `Authorization: Bearer <METRICS_TOKEN>`; unset,
    # it answers nobody (404).
    metrics_token: str | None = None

    @property
    def signing_secret(self) -> str:
        """What tokens and links are signed with (set by `ready_to_serve`)."""
        if not self.jwt_secret:
            raise RuntimeError("no signing secret: serve with Settings.ready_to_serve()")
        return self.jwt_secret

    def ready_to_serve(self) -> Settings:
        """These settings with the secret tokens are signed with; refuses to serve production
        without a secret of its own."""
        if self.environment == "production" and (
            not self.jwt_secret or self.jwt_secret in PUBLISHED_SECRETS or len(self.jwt_secret) < 32
        ):
            raise RuntimeError(
                "JWT_SECRET must be set in production: a random value of 32 or more characters, "
                "not one published in the code"
            )
        if self.jwt_secret:
            return self
        return self.model_copy(update={"jwt_secret": local_secret(self.data_dir / "jwt_secret")})


# Secrets that have been in the code or its examples: signing with one lets anyone who read
# them make tokens.
PUBLISHED_SECRETS = frozenset(
    {
        "dev-only-secret-change-me-0123456789abcdef",
        "change-me-in-production-please-0123456789",
    }
)


def local_secret(path: Path) -> str:
    """The secret kept in `path`, made on first use (random, readable by its owner only).
    It appears whole or not at all (written aside, then linked), so processes starting
    at once agree on one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process was first: use theirs
        finally:
            aside.unlink()
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
