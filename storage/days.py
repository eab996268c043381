"""Vietnam's days, as archivists count them: UTC+7 all year round (no daylight saving time since 1975)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def day_start(day: dt.date) -> dt.datetime:
    """The moment a day begins in Vietnam, in UTC."""
    return dt.datetime.combine(day, dt.time(), VIETNAM).astimezone(dt.UTC)
