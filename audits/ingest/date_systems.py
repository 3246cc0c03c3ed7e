"""Excel's two date systems, and the one switch every reader of a workbook goes through.

A workbook stores a date as a serial number of days. Windows Excel counts from 30/12/1899 (the
1900 date system); Mac Excel before 2011, and any workbook saved with "Use 1904 date system",
counts from 01/01/1904 (`<workbookPr date1904="1"/>` in `xl/workbook.xml`; legacy `.xls`: the
book's `datemode`). The same serial is a date four years and a day apart in the two systems, so
each reader takes the workbook's system from the workbook itself: the fast reader (calamine,
which honours it for date-formatted cells), the careful cell reader, the loader's conversion of
plain serial numbers, and the reader of returned workbooks.
"""

from __future__ import annotations

import datetime as dt

EPOCHS = {1900: dt.datetime(1899, 12, 30), 1904: dt.datetime(1904, 1, 1)}
# the years a date in an export is read in (others are unreadable), and an audit's as-at date
FIRST_YEAR, LAST_YEAR = 1900, 2099
_TRUE = {"1", "true", "on"}


def epoch(system: int) -> dt.datetime:
    """The date of serial 0 in `system` (1900 or 1904)."""
    return EPOCHS[system]


def date_system(date1904: object) -> int:
    """1904 when a workbook's `date1904` flag (attribute text, bool or xlrd datemode) is set."""
    if isinstance(date1904, str):
        return 1904 if date1904.strip().lower() in _TRUE else 1900
    return 1904 if date1904 else 1900
