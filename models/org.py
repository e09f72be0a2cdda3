"""The tenant tree: League organisations (团组织) from the province down to branches."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Ltree, Timestamps, str_enum


class OrgLevel(enum.StrEnum):
    PROVINCE = "PROVINCE"  # 省
    CITY = "CITY"  # 市 (and 杨凌示范区, 西咸新区, 韩城市)
    COUNTY = "COUNTY"  # 县/区
    GRASSROOTS = "GRASSROOTS"  # 基层团委 / 团工委
    GENERAL_BRANCH = "GENERAL_BRANCH"  # 团总支
    BRANCH = "BRANCH"  # 团支部

    @property
    def depth(self) -> int:
        return list(OrgLevel).index(self)


class OrgKind(enum.StrEnum):
    REGIONAL = "REGIONAL"  # 地方团委
    WORK_COMMITTEE = "WORK_COMMITTEE"  # 团工委
    UNIVERSITY = "UNIVERSITY"  # 高校团委
    SCHOOL = "SCHOOL"  # 中学团委
    ENTERPRISE = "ENTERPRISE"  # 企业团委
    DEPARTMENT = "DEPARTMENT"  # 机关部门团组织
    COMMUNITY = "COMMUNITY"  # 街道、社区、乡镇
    ABROAD = "ABROAD"  # 驻外团工委
    OTHER = "OTHER"


class Org(Base, Timestamps):
    __tablename__ = "orgs"
    __table_args__ = (
        sa.Index("ix_orgs_path_gist", "path", postgresql_using="gist"),
        sa.Index(
            "ix_orgs_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("orgs.id"), index=True
    )
    # Labels are org ids (stable across renames and re-coding): the province is `1`,
    # a county under city 7 is `1.7.42`.
    path: Mapped[str] = mapped_column(Ltree(), unique=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # 智慧团建组织编码: the org's code in the League's national system, when known. Rosters
    # imported from there carry it, and it finds the org again on the next import.
    zhtj_code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[OrgLevel] = mapped_column(str_enum(OrgLevel))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    # 领导机关: the province/city/county committees' own offices.
    is_leading_organ: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    # The city-level ancestor (the province's own id for province-level orgs).
    city_id: Mapped[int] = mapped_column(sa.BigInteger)
