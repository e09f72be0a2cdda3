"""Alembic environment (async). The URL comes from `app.migrate`, or from the settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import models

config = context.config
target_metadata = models.metadata


def _include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # The app role's guard on the audit log lives outside the models; procrastinate's tables
    # are its own (migration 0019 applies its schema).
    return not (
        type_ == "table" and (name == "alembic_version" or name.startswith("procrastinate_"))
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from app.db import resolve_database_url
    from app.settings import get_settings

    return resolve_database_url(get_settings())


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as conn:
        await conn.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _configure(existing)
    else:
        asyncio.run(_run_async())
