"""Date arithmetic of the example's own, independent of the engine's vectorised calendar, so the
end-to-end test compares two computations of every due date."""

from __future__ import annotations

import calendar
import datetime as dt

import holidays as holidays_lib


class Days:
    """Independent date arithmetic: a day-by-day working-day count and month addition."""

    def __init__(self) -> None:
        self.bank = holidays_lib.country_holidays("GB", subdiv="ENG", years=range(2000, 2040))

    def working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.bank

    def wd(self, start: dt.date, n: int) -> dt.date:
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            counted += self.working(day)
        return day

    @staticmethod
    def months(start: dt.date, n: int) -> dt.date:
        total = start.year * 12 + start.month - 1 + n
        year, month = divmod(total, 12)
        month += 1
        return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
