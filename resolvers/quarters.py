"""Quarters: the unit of reports, bulletins and ratings."""

from __future__ import annotations

from datetime import date, timedelta

from authz.errors import BadInput
from resolvers.figures import Period


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise BadInput("季度应为 1–4，年份应在 2000–2100 之间", field="quarter")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(days=1)
    return Period(start, end)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"
