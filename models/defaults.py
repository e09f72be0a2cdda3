"""Starting values the province edits afterwards: the notice's 五个一 quotas (§二.1, §二.2)
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
        "one_of_each": True,
    },
    {
        "subject": "SECONDED",
        "period_months": 2,
        "min_count": 5,
        "kinds": CADRE_KINDS,
        "one_of_each": True,
    },
    {
        "subject": "PART_TIME",
        "period_months": 3,
        "min_count": 5,
        "kinds": CADRE_KINDS,
        "one_of_each": True,
    },
    {
        "subject": "LEADING_ORGAN",
        "period_months": 3,
        "min_count": 5,
        "kinds": ORGAN_KINDS,
        "one_of_each": True,
    },
]
POINT_RULES = [
    {"source": "CONTACT_LOG", "points": 1, "daily_cap": 10},
    {"source": "ACTIVITY_LOG", "points": 5, "daily_cap": 15},
    {"source": "CONTACT_ACCEPTED", "points": 2, "daily_cap": 20},
    {"source": "LEARN_AND_DO", "points": 3, "daily_cap": 6},
]


def seed_statements() -> list[sa.Executable]:
    """Insert the defaults that are missing; never overwrites the province's changes."""
    return [
        insert(QuotaRule).values(QUOTAS).on_conflict_do_nothing(),
        insert(PointRule).values(POINT_RULES).on_conflict_do_nothing(),
    ]
