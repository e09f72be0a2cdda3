"""Starting values the province edits afterwards: the notice's 五个一 quotas (§二.1, §二.2:
the kinds are examples, so no variety is required; organs' 一学一做 work counts, §二.1)
and the first point rules, loaded by migration 0002; the first version of the 附件1 rubric,
loaded by migration 0024 (all of them by the test reset)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from models.assessment import RubricVersion
from models.work import PointRule, QuotaRule

CADRE_KINDS = ["PRACTICAL_DEED", "LEAGUE_LESSON", "HEART_TALK", "VOLUNTEER", "CULTURE_SPORTS"]
ORGAN_KINDS = ["ORGAN_OPEN_DAY", "FACE_TO_FACE", "VOLUNTEER", "SHARING", "SELF_DESIGNED"]

QUOTAS = [
    {
        "subject": "FULL_TIME",
        "period_months": 2,
        "min_count": 5,
        "kinds": CADRE_KINDS,
        "one_of_each": False,
        "counts_learn_and_do": False,
    },
    {
        "subject": "SECONDED",
        "period_months": 2,
        "min_count": 5,
        "kinds": CADRE_KINDS,
        "one_of_each": False,
        "counts_learn_and_do": False,
    },
    {
        "subject": "PART_TIME",
        "period_months": 3,
        "min_count": 5,
        "kinds": CADRE_KINDS,
        "one_of_each": False,
        "counts_learn_and_do": False,
    },
    {
        "subject": "LEADING_ORGAN",
        "period_months": 3,
        "min_count": 5,
        "kinds": ORGAN_KINDS,
        "one_of_each": False,
        "counts_learn_and_do": True,
    },
]
POINT_RULES = [
    {"source": "CONTACT_LOG", "points": 1, "daily_cap": 10},
    {"source": "ACTIVITY_LOG", "points": 5, "daily_cap": 15},
    {"source": "CONTACT_ACCEPTED", "points": 2, "daily_cap": 20},
    {"source": "LEARN_AND_DO", "points": 3, "daily_cap": 6},
]


def seed_statements(quota_columns: tuple[str, ...] | None = None) -> list[sa.Executable]:
    """Insert the defaults that are missing; never overwrites the province's changes. An
    early migration names the quota columns that existed then (`quota_columns`)."""
    quotas = [
        {k: v for k, v in q.items() if quota_columns is None or k in quota_columns} for q in QUOTAS
    ]
    return [
        insert(QuotaRule).values(quotas).on_conflict_do_nothing(),
        insert(PointRule).values(POINT_RULES).on_conflict_do_nothing(),
    ]


def _item(
    code: str, title: str, points: float, formula: str, **params: object
) -> dict[str, object]:
    return {"code": code, "title": title, "points": points, "formula": formula, "params": params}


# 附件1 一 as the notice titles it: 1 mechanisms (20), 2 campaigns (20), 3 rules in place (10),
# 4 cadres' work (50: five aspects, no weights of their own, ten points each). Organ and
# full-time cadres weigh 2 (一.4: 重点考察). docs/assessment.md gives each reading.
RUBRIC_V1 = [
    _item("1.1", "团的各级领导机关每季度“五个一”工作机制落实情况", 10, "ORGAN_FIVE_ONES", proportional=True),
    _item("1.2", "团干部“五个一”工作机制落实情况", 5, "CADRE_FIVE_ONES", key_weight=2, proportional=True),
    _item("1.3", "团的领导机关工作小组机制落实情况", 5, "ORGAN_WORKING_GROUPS", group_share=0.5, proportional=True),
    _item("2.1", "团的领导机关集中开放日活动", 5, "ORGAN_OPEN_DAY", proportional=True),
    _item("2.2", "团干部十九大精神宣讲活动", 5, "CADRE_CAMPAIGN", campaign="LECTURE", key_weight=2, proportional=True),
    _item("2.3", "“最美青春故事”分享活动", 5, "COUNTY_NOMINATION", proportional=True),
    _item("2.4", "“1+100”团干部集中服务青年月活动", 5, "CADRE_CAMPAIGN", campaign="SERVICE_MONTH", key_weight=2, proportional=True),
    _item("3", "考核评估制度建立情况（市、县通报、检查、考核等制度）", 10, "MANUAL"),
    _item("4.1", "使用管理系统的团干部数量", 10, "CADRE_MONTHS_USED", key_weight=2, proportional=True),
    _item("4.2", "联系青年数量", 10, "CADRE_YOUTH", youth_per_cadre=100, key_weight=2, proportional=True),
    _item("4.3", "开展联系青年活动情况", 10, "CADRE_ACTIVITIES", key_weight=2, proportional=True),
    _item("4.4", "使用管理系统手机端联系服务青年情况", 10, "CADRE_MONTHS_ON_MOBILE", key_weight=2, proportional=True),
    _item("4.5", "指导参与“一学一做”教育实践情况", 10, "CADRE_LEARN_AND_DO", choice_share=0.5, key_weight=2, proportional=True),
]  # fmt: skip


def rubric_seed_statement() -> sa.Executable:
    """Version 1 of the rubric, published: what a round opened before any edit is scored on."""
    return (
        insert(RubricVersion)
        .values(number=1, items=RUBRIC_V1, note="附件1 原文", published_at=sa.func.now())
        .on_conflict_do_nothing(index_elements=["number"])
    )
