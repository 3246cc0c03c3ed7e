"""What every list builder of the SSD adapter shares: the rows of a table a list takes, their
fields read into canonical values (unreadable ones reported for those rows only), the person
fields, and the reasons a list or column is absent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audits.ingest.export import ListTable
from audits.ingest.ssd import parse
from audits.ingest.ssd.extract import Extract, Held, make_table
from audits.ingest.ssd.people import Involvements, People
from audits.model import codes
from audits.model.spec import ListSpec

PERSON_FIELDS = ("gender", "ethnicity", "dob", "age")
PERSON_SOURCES = {
    "child_id": "pers_person_id",
    "gender": "ssd_person.pers_sex (else pers_gender)",
    "ethnicity": "ssd_person.pers_ethnicity",
    "dob": "ssd_person.pers_dob",
    "age": "age at the as-at date (from pers_dob)",
    "disability": "ssd_disability.disa_disability_code",
}


@dataclass
class Rows:
    """The rows of one SSD table that a list takes, and the canonical columns built for them."""

    spec: ListSpec
    held: Held
    at: np.ndarray  # positions in held.raw
    columns: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, object] = field(default_factory=dict)
    who: pd.Series | None = None  # the child of each row of held.raw, when not its person field

    @property
    def label(self) -> str:
        return self.spec.label

    def put(self, name: str, values, source: str | None = None) -> None:
        self.columns[name] = (
            values.reset_index(drop=True) if isinstance(values, pd.Series) else (values)
        )
        if source:
            self.sources[name] = source

    def lack(self, name: str, why: str) -> None:
        self.absent[name] = why

    def child(self) -> pd.Series:
        person = self.who if self.who is not None else self.held.person()
        return person.iloc[self.at].reset_index(drop=True)

    def _have(self, ssd_field: str, name: str) -> bool:
        if self.held.has(ssd_field):
            return True
        self.lack(name, f"{self.held.table.name} has no column {ssd_field}")
        return False

    def _take(self, name: str, ssd_field: str, values: pd.Series, bad, expected: str):
        """`values` (one per row of the table) for the list's rows, their unreadable values
        reported."""
        self.held.report(
            ssd_field, bad, rows=self.at, list_label=self.label, canonical=name, expected=expected
        )
        taken = values.iloc[self.at]
        self.put(name, taken, f"{self.held.table.name}.{ssd_field}")
        return taken.reset_index(drop=True)

    def date(self, name: str, ssd_field: str) -> pd.Series | None:
        if not self._have(ssd_field, name):
            return None
        held = self.held
        return self._take(
            name, ssd_field, held.date(ssd_field), held.bad_date(ssd_field), parse.EXPECTED_DATE
        )

    def code(self, name: str, ssd_field: str, mapping: dict[str, str] | None = None):
        if not self._have(ssd_field, name):
            return None
        domain = self.spec.field(name).domain
        code, bad = parse.coded(self.held.raw[ssd_field], domain, mapping)
        return self._take(name, ssd_field, code, bad, f"one of: {domain.describe()}")

    def flag(self, name: str, ssd_field: str):
        if not self._have(ssd_field, name):
            return None
        code, bad = self.held.flag(ssd_field)
        return self._take(name, ssd_field, code, bad, parse.EXPECTED_FLAG)

    def text(self, name: str, ssd_field: str):
        if not self._have(ssd_field, name):
            return None
        values = self.held.text(ssd_field).iloc[self.at]
        self.put(name, values, f"{self.held.table.name}.{ssd_field}")
        return values.reset_index(drop=True)

    def persons(self, pp: People, ex: Extract, extra: tuple[str, ...] = ()) -> None:
        children = self.child()
        self.put("child_id", children, f"{self.held.table.name}.{self.held.table.person}")
        fields = (*PERSON_FIELDS, *extra)
        found = pp.person_columns(children, ex, fields)
        for name in fields:
            if name in found:
                self.put(name, found[name], PERSON_SOURCES.get(name))
            elif name in ("gender", "ethnicity", "dob", "age"):
                self.lack(name, ex.why_absent("ssd_person", ("pers_dob",)) or "ssd_person")
            elif name == "disability":
                self.lack(name, ex.why_absent("ssd_disability", ("disa_disability_code",)) or "")

    def build(self) -> ListTable:
        rows = self.held.raw["_row"].to_numpy()[self.at]
        return make_table(
            self.spec,
            self.columns,
            rows,
            place=self.held.place,
            sources=self.sources,
            absent={k: v for k, v in self.absent.items() if k not in self.columns},
            hidden=self.hidden,
        )


def open_rows(
    c: Context,
    spec: ListSpec,
    held: Held,
    start: str,
    end: str,
    canonical: str,
    extra: tuple[str, ...] = ("disability",),
    leave_out: np.ndarray | None = None,
) -> tuple[Rows, pd.Series, pd.Series | None]:
    """The rows of a list whose records were open in the period (`start` on or before D, `end`
    blank or after P), with the person fields and the start date (unreadable start dates are
    reported for every row: such a record cannot be placed); `leave_out` marks records that are
    not the list's. Returns the rows, the end date of every record as of D, and the start date
    of the rows."""
    begin = held.date(start)
    finish = c.until_as_at(held, end)
    taken = open_in_period(begin, finish, c.ex)
    if leave_out is not None:
        taken = taken & ~leave_out
    r = Rows(spec, held, np.flatnonzero(taken))
    held.report(
        start,
        held.bad_date(start),
        list_label=spec.label,
        canonical=canonical,
        expected=parse.EXPECTED_DATE,
    )
    r.persons(c.pp, c.ex, extra)
    return r, finish, r.date(canonical, start)


def open_in_period(start: pd.Series, end: pd.Series, ex: Extract) -> np.ndarray:
    """Records open at some time in the period (P, D]: started on or before D, and not ended
    on or before P."""
    return ((start <= ex.date) & (end.isna() | (end > ex.period_start))).to_numpy(bool)


def dated_in_period(when: pd.Series, ex: Extract) -> np.ndarray:
    return ((when > ex.period_start) & (when <= ex.date)).to_numpy(bool)


def count_before(
    child: pd.Series, when: pd.Series, all_child: pd.Series, all_when: pd.Series, months: int
) -> np.ndarray:
    """For each (child, when): the child's other dates in [M(when, -months), when)."""
    from audits.core.calendar import add_months

    left = pd.DataFrame(
        {"child": child.to_numpy(), "when": when.to_numpy(), "_i": range(len(child))}
    )
    right = pd.DataFrame({"child": all_child.to_numpy(), "other": all_when.to_numpy()}).dropna()
    pairs = left.dropna().merge(right, on="child")
    since = add_months(pairs["when"], -months)
    hit = (pairs["other"] >= since) & (pairs["other"] < pairs["when"])
    counts = hit.groupby(pairs["_i"]).sum()
    out = np.zeros(len(child), dtype="float64")
    out[counts.index.to_numpy(dtype=np.int64)] = counts.to_numpy()
    out[left["when"].isna().to_numpy()] = np.nan
    return out


def positions_of(values: pd.Series) -> pd.Series:
    """Position of the first row holding each value (value -> position)."""
    pos = pd.Series(np.arange(len(values)), index=values.to_numpy())
    return pos[~pos.index.duplicated() & pos.index.notna()]


def latest_per(keys: np.ndarray, dates: np.ndarray, size: int) -> np.ndarray:
    """The latest date per key position 0..size-1 (NaT where none)."""
    out = np.full(size, np.datetime64("NaT"), dtype="datetime64[us]")
    ok = (keys >= 0) & ~np.isnat(dates)
    if ok.any():
        frame = pd.DataFrame({"k": keys[ok], "d": dates[ok]})
        latest = frame.groupby("k")["d"].max()
        out[latest.index.to_numpy(dtype=np.int64)] = latest.to_numpy("datetime64[us]")
    return out


@dataclass
class Context:
    """What the list builders share: the extract, the people, the involvements."""

    ex: Extract
    pp: People
    inv: Involvements | None
    legal: pd.DataFrame | None = None  # legal statuses, read once (see `legal_statuses`)

    def until_as_at(self, held: Held, name: str) -> pd.Series:
        """An end date as of D: a date after D that has already come (on or before today) is
        an event after the as-at date, left out (blank) and counted; a date after today is kept
        (the record stays open, and DQ-02 reports the impossible date)."""
        when = held.date(name)
        today = pd.Timestamp(dt.date.today())
        later = ((when > self.ex.date) & (when <= today)).to_numpy(bool)
        self.ex._count_after(held, int(later.sum()))
        return when.mask(later)


def within(pairs: pd.DataFrame, start: str, end: str, at: pd.Timestamp) -> pd.Series:
    stop = pairs[end].where(pairs[end].notna() & (pairs[end] <= at), at)
    return (pairs["visit_date"] >= pairs[start]) & (pairs["visit_date"] <= stop)


def allocation_columns(c: Context, r: Rows, worker: pd.Series, team: pd.Series) -> None:
    if c.inv is None:
        why = c.ex.why_absent("ssd_involvements", ("invo_involvement_start_date",))
        r.lack("worker", why)
        r.lack("team", why)
        return
    r.put("worker", worker, "the allocated involvement (ssd_involvements)")
    r.put("team", team, "the allocated involvement's team (ssd_involvements)")


def legal_statuses(c: Context) -> pd.DataFrame | None:
    """Every legal status: child, DfE code (the config's `ssd_legal_statuses` first), start, end,
    and whether its code could be read."""
    held = c.ex.get("ssd_legal_status")
    if held is None or not held.has("lega_legal_status"):
        return None
    if c.legal is not None:
        return c.legal
    mapping = {k.strip().upper(): v for k, v in c.ex.config.ssd_legal_statuses.items()}
    code, bad = parse.coded(held.raw["lega_legal_status"], codes.LEGAL_STATUS, mapping)
    frame = pd.DataFrame(
        {
            "child": held.person().to_numpy(),
            "code": code.to_numpy(),
            "bad": bad.to_numpy(),
            "start": held.date("lega_legal_status_start_date").to_numpy(),
            "end": c.until_as_at(held, "lega_legal_status_end_date").to_numpy(),
            "_pos": np.arange(len(held)),
        }
    )
    c.legal = frame
    return frame
