"""Declarative base, the naming convention, and the types every domain shares."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Ltree(UserDefinedType):
    """PostgreSQL ltree: a materialized tree path such as `1.7.42` (labels are org ids)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "LTREE"

    def bind_expression(self, bindvalue):
        return sa.cast(bindvalue, self)

    def column_expression(self, col):
        return sa.cast(col, sa.Text)

    class comparator_factory(UserDefinedType.Comparator):
        def descendant_of(self, other: object) -> sa.ColumnElement[bool]:
            """`self <@ other`: in other's subtree (other included)."""
            # SQLAlchemy types op(...)(x) as Operators; on a column it is a ColumnElement.
            return self.op("<@", is_comparison=True)(other)  # type: ignore[return-value]

        def ancestor_of(self, other: object) -> sa.ColumnElement[bool]:
            """`self @> other`: other is in self's subtree (self included)."""
            # SQLAlchemy types op(...)(x) as Operators; on a column it is a ColumnElement.
            return self.op("@>", is_comparison=True)(other)  # type: ignore[return-value]


# Let reflection (alembic's drift check) recognise the column type.
ischema_names["ltree"] = Ltree


def ltree_array(paths: list[str]) -> sa.ColumnElement:
    """A bound `ltree[]`, for `path <@ ANY(:roots)`."""
    return sa.cast(sa.bindparam(None, list(paths), type_=_TEXT_ARRAY), _LTREE_ARRAY)


def ltree_array_param(name: str) -> sa.ColumnElement:
    """An `ltree[]` parameter bound at execution (`name`), for a statement built once."""
    return sa.cast(sa.bindparam(name, type_=_TEXT_ARRAY, required=True), _LTREE_ARRAY)


# Made once: every readable predicate binds an array of roots, and a type costs more to
# construct than the rest of the predicate.
_TEXT_ARRAY = ARRAY(sa.Text)
_LTREE_ARRAY = ARRAY(Ltree())


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Enums stored as checked VARCHAR: new values need no ALTER TYPE."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        name=enum_cls.__name__.lower(),
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = metadata
    # Server-side defaults and onupdate values come back by RETURNING: no lazy loads later.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


class TenantOwned:
    """Hot tenant-owned rows: the owner's org, its path (kept in step when a subtree moves),
    and the city-level ancestor (partition / distribution key)."""

    org_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("orgs.id"), index=True)
    org_path: Mapped[str] = mapped_column(Ltree())
    city_id: Mapped[int] = mapped_column(sa.BigInteger)
