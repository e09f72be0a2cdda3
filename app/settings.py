"""One typed settings object, read from the environment (and `.env` if present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # An operator points the service at their own PostgreSQL with this one variable;
    # without it an embedded PostgreSQL keeps its data under `var/`.
    database_url: str | None = None
    data_dir: Path = ROOT / "var"
    # The front ends' static files (console, phone pages, vendored libraries): the repo's web/
    # when run from the repo; an installed package (the Docker image) names its copy.
    web_dir: Path = ROOT / "web"
    db_pool_size: int = 10
    db_statement_timeout_ms: int = 15_000
    db_pool_timeout_seconds: float = 10
    # An operation rolled back by a deadlock or serialization failure is run again this
    # many times before the client is told to retry (SERVICE_UNAVAILABLE, WRITE_CONFLICT).
    write_retries: int = 3

    timezone: str = "Asia/Shanghai"
    # A cadre may correct a work log for this long after writing it; then it is locked.
    work_log_edit_hours: int = 72
    # A wish nobody has acted on for this many days goes to the wish pool by itself.
    wish_escalate_days: int = 7
    # A download link of an export works once, for this long.
    download_ttl_seconds: int = 600
    # Spreadsheet imports.
    import_max_rows: int = 2_000
    import_max_bytes: int = 5_000_000
    # An .xlsx is a zip: what it may unpack to (a 2 MB file can hold hundreds of MB of XML).
    import_max_unpacked_bytes: int = 50_000_000

    log_format: str = "text"  # "json" for structured logs with request ids (production)

    host: str = "127.0.0.1"
    port: int = 8000
    # Browser origins allowed to call the API from another origin (CORS), comma-separated,
    # e.g. "https://console.example.cn,https://m.example.cn". None by default.
    cors_origins: Annotated[list[str], NoDecode] = []

    # Tokens. The default secret is for development only; production refuses it.
    jwt_secret: str = Field(default="dev-only-secret-change-me-0123456789abcdef")
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
    # tests); a real provider is a dotted path "package.module:ClassName".
    sms_provider: str = "outbox"

    # GraphQL limits.
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2_000
    graphql_introspection: bool = True
    page_size_default: int = 20
    page_size_max: int = 100

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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    def check_production(self) -> None:
        if self.environment == "production" and self.jwt_secret.startswith("dev-only"):
            raise RuntimeError("JWT_SECRET must be set in production")


@lru_cache
def get_settings() -> Settings:
    return Settings()
