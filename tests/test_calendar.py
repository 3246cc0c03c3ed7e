import pandas as pd

from audits.core.calendar import WorkingDayCalendar, add_months, age_in_years
from tests.conftest import d

CAL = WorkingDayCalendar()


def wd(day: str, n: int) -> str:
    out = CAL.add_working_days(pd.Series(pd.to_datetime([day])), n)
    return out.iloc[0].date().isoformat()


def months(day: str, n: int) -> str:
    return add_months(pd.Series(pd.to_datetime([day])), n).iloc[0].date().isoformat()


def test_start_day_not_counted():
    assert wd("2026-11-02", 1) == "2026-11-03"  # Monday -> Tuesday
    assert wd("2026-11-06", 1) == "2026-11-09"  # Friday -> Monday


def test_weekend_start_counts_from_next_working_day():
    assert wd("2026-11-07", 1) == "2026-11-09"  # Saturday -> Monday is day 1
    assert wd("2026-11-08", 5) == "2026-11-13"


def test_christmas_and_boxing_day_substitute_are_skipped():
    # 25 Dec 2026 is a Friday, Boxing Day a Saturday, so Monday 28 Dec is the substitute holiday.
    assert wd("2026-12-24", 1) == "2026-12-29"
    assert wd("2026-12-23", 2) == "2026-12-29"


def test_easter_2026_is_skipped():
    assert wd("2026-04-02", 1) == "2026-04-07"  # Good Friday 3 Apr, Easter Monday 6 Apr


def test_one_off_bank_holidays_are_known():
    assert not CAL.is_working_day(d("2022-09-19"))  # State funeral of Queen Elizabeth II
    assert not CAL.is_working_day(d("2023-05-08"))  # Coronation of King Charles III


def test_forty_five_working_days_across_spring_bank_holiday():
    # 16 May 2019 + 45 working days: 27 May 2019 (spring bank holiday) is skipped.
    assert wd("2019-05-16", 45) == "2019-07-19"


def test_blank_dates_stay_blank():
    out = CAL.add_working_days(pd.Series(pd.to_datetime(["2026-01-05", None])), 3)
    assert out.isna().tolist() == [False, True]


def test_month_end_clamping():
    assert months("2026-08-31", 6) == "2027-02-28"
    assert months("2027-08-31", 6) == "2028-02-29"
    assert months("2026-01-31", 1) == "2026-02-28"
    assert months("2024-02-29", 12) == "2025-02-28"
    assert months("2026-05-15", 3) == "2026-08-15"


def test_age_boundaries_including_leap_day_birthdays():
    dob = pd.Series(pd.to_datetime(["2021-11-23", "2021-11-24", "2020-02-29", "2020-02-29"]))
    at = [d("2026-11-23"), d("2026-11-23"), d("2025-02-28"), d("2025-03-01")]
    ages = [int(age_in_years(dob.iloc[[i]], at[i]).iloc[0]) for i in range(4)]
    assert ages == [5, 4, 4, 5]


def test_the_per_day_lookup_agrees_with_working_each_date_out():
    """Working days and months go through a lookup table over the column's span of days; a
    column spanning more than the loader allows is worked out date by date instead."""
    import numpy as np

    rng = np.random.default_rng(5)
    days = pd.Series(
        pd.to_datetime("2019-01-01") + pd.to_timedelta(rng.integers(0, 3000, 400), "D")
    )
    days[::7] = pd.NaT
    wide = pd.concat(
        [days, pd.Series(pd.to_datetime(["1790-02-28", "2095-08-31"]))], ignore_index=True
    )
    for column in (days, wide):
        by_lookup = CAL.add_working_days(column, 20)
        one_by_one = [
            None
            if pd.isna(x)
            else pd.Timestamp(
                np.busday_offset(
                    np.datetime64(x.date()), 20, roll="backward", busdaycal=CAL._busdays
                )
            )
            for x in column
        ]
        assert [None if pd.isna(x) else x for x in by_lookup] == one_by_one
        expected = [None if pd.isna(x) else x + pd.DateOffset(months=6) for x in column]
        assert [None if pd.isna(x) else x for x in add_months(column, 6)] == expected
