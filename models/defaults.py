"""Starting values the province edits afterwards: the notice's 五个一 quotas (§二.1, §二.2:
the kinds are examples, so no variety is required; organs' 一学一做 work counts, §二.1)
and the first point rules. Loaded by migration 0002 (and by the test reset)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

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
