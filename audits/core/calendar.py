"""Working days and calendar months, vectorised over pandas Series.

WD(x, n): the date n working days after x; x itself is not counted; Saturdays, Sundays and
England & Wales bank holidays (the `holidays` package, subdivision ENG; no network) are skipped.
M(x, n): x plus n calendar months, clamped to the end of a shorter month
(31 Aug + 6 months = 28/29 Feb).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

_FIRST_YEAR = 1990
_LAST_YEAR = 2060


@lru_cache(maxsize=8)
def bank_holidays(first_year: int = _FIRST_YEAR, last_year: int = _LAST_YEAR) -> np.ndarray:
    """England & Wales bank holidays (including substitute days) as datetime64[D]."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


class WorkingDayCalendar:
    """England & Wales working days (Monday to Friday, less bank holidays)."""

    def __init__(self, first_year: int = _FIRST_YEAR, last_year: int = _LAST_YEAR) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.holidays = bank_holidays(first_year, last_year)
        self._busdays = np.busdaycalendar(weekmask="1111100", holidays=self.holidays)

    def add_working_days(self, dates: pd.Series, n: int) -> pd.Series:
        """WD(x, n) for every x; blank stays blank.

        Rolling *backward* first makes a start on a weekend or holiday count from the working day
        before it, so the first working day after it is day 1 (x itself is never counted).
        """
        return per_day(
            dates,
            lambda days: np.busday_offset(days, n, roll="backward", busdaycal=self._busdays),
        )

    def is_working_day(self, day: dt.date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._busdays))


def add_months(dates: pd.Series, n: int) -> pd.Series:
    """M(x, n): calendar months, clamped at month end; blank stays blank."""
    return per_day(
        dates,
        lambda days: (pd.DatetimeIndex(days) + pd.DateOffset(months=n)).to_numpy("datetime64[D]"),
    )


_SPAN_LIMIT = 80_000  # days (219 years): the loader keeps dates within 1900-2099


def per_day(dates: pd.Series, compute: Callable[[np.ndarray], np.ndarray]) -> pd.Series:
    """Apply a day-to-day calendar function to a date column through a lookup table.

    A column of millions of dates spans a few thousand days, so `compute` runs once per day of
    that span (datetime64[D] in, datetime64[D] out) and each row looks its answer up; dates
    carry no time of day (the loader normalises them). Blank stays blank.
    """
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    number = days.view(np.int64)
    ok = ~np.isnat(days)
    if not ok.any():
        return pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")
    first = int(np.min(number, where=ok, initial=np.iinfo(np.int64).max))
    last = int(np.max(number, where=ok, initial=np.iinfo(np.int64).min))
    if last - first > _SPAN_LIMIT:  # not from the loader: compute row by row (still vectorised)
        out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        out[ok] = compute(days[ok])
        return pd.Series(out.astype("datetime64[us]"), index=dates.index)
    span = np.arange(first, last + 1, dtype=np.int64).view("datetime64[D]")
    answers = np.append(compute(span), np.datetime64("NaT")).astype("datetime64[us]")
    position = np.where(ok, number - first, len(span))  # a blank looks up the final NaT
    return pd.Series(answers[position], index=dates.index)


def add_days(dates: pd.Series, n: int) -> pd.Series:
    return pd.to_datetime(dates) + pd.Timedelta(days=n)


def age_in_years(dob: pd.Series, at: dt.date) -> pd.Series:
    """Completed years at `at` (a 29 February birthday is reached on 1 March in other years)."""
    dob = pd.to_datetime(dob)
    before_birthday = (dob.dt.month > at.month) | (
        (dob.dt.month == at.month) & (dob.dt.day > at.day)
    )
    return at.year - dob.dt.year - before_birthday.astype("Int64")
