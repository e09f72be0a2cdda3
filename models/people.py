"""People: League cadres (团干部) and the young people they keep in touch with (小伙伴)."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantOwned, Timestamps, str_enum


class CadreKind(enum.StrEnum):
    FULL_TIME = "FULL_TIME"  # 专职
    SECONDED = "SECONDED"  # 挂职
    PART_TIME = "PART_TIME"  # 兼职


class Cadre(Base, TenantOwned, Timestamps):
    __tablename__ = "cadres"
    __table_args__ = (sa.Index("ix_cadres_org_path_gist", "org_path", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    kind: Mapped[CadreKind] = mapped_column(str_enum(CadreKind))
    position: Mapped[str] = mapped_column(sa.String(100), server_default="")
    # A cadre of a leading organ (领导机关干部); their 五个一 quota is the organ's.
    is_leading_organ_cadre: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    # About a hundred youth per cadre: shown as a target, never enforced.
    contact_target: Mapped[int] = mapped_column(sa.Integer, server_default="100")


class Membership(enum.StrEnum):
    """政治面貌 as far as the League counts it."""

    LEAGUE_MEMBER = "LEAGUE_MEMBER"  # 团员
    YOUTH = "YOUTH"  # 青年 (not a League member)


# 团员年龄: League members are 14 to 28 (《团章》: 年龄在十四周岁以上，二十八周岁以下).
LEAGUE_AGE = (14, 28)


class Youth(Base, TenantOwned, Timestamps):
    """Partitioned by city (migration 0027): the database's primary key is (id, city_id), and
    what must be unique across cities (id, mobile, account) is in `youth_keys`."""

    __tablename__ = "youth"
    __table_args__ = (
        sa.Index("ix_youth_org_path_gist", "org_path", postgresql_using="gist"),
        # The industry mix (resolvers/figures.py) reads industries of many youth index-only.
        sa.Index("ix_youth_industry", "id", postgresql_include=["industry"]),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # Set when the young person first logs in with their mobile number.
    user_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(50))
    mobile: Mapped[str] = mapped_column(sa.String(20), index=True)
    industry: Mapped[str] = mapped_column(sa.String(50), server_default="")
    # For guardian consent under 14 (PIPL art. 31); optional otherwise.
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    # 团员 or 青年; None until someone says.
    membership: Mapped[Membership | None] = mapped_column(str_enum(Membership))


class YouthKey(Base):
    """The one global index of the partitioned `youth`: every youth's id (what foreign keys
    refer to), mobile and account, each unique across all cities, and the city (the
    partition) a youth reached by id is in. Written only by youth's statement triggers
    (migration 0027), never by the application."""

    __tablename__ = "youth_keys"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    city_id: Mapped[int] = mapped_column(sa.BigInteger)
    mobile: Mapped[str] = mapped_column(sa.String(20), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
