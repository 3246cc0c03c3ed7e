"""The board's performance indicators (DESIGN §3b), computed by every run from the canonical
lists and the findings, never from a format.

Each indicator is one small function returning (numerator, denominator); the table `INDICATORS`
gives its id, title, unit, direction and what it needs. A percentage is rounded to one decimal;
when the denominator is 0, or a list, column, table or rule it rests on is absent, or a column
its numerator or denominator rests on (`rests_on`) is blank in every row or holds no readable
value, the value is null with the reason (never 0). Children are counted once (distinct `Child Unique ID`); rows with
no child id are not children. Two indicators (moderation agreement, practice audits Good or
better) come from the history store and are computed by the board pack (`audits.board`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.core.calendar import add_months, age_in_years
from audits.engine.context import Context
from audits.model.names import name_key

CASE_HOLDING_ROLES = ("SW", "NQSW/ASYE")
# F3/P3 (training or employment) became F4/P4 (apprenticeship) and F5/P5 (other training or
# employment) in the DfE's OC3 code set: all are in education, employment or training
EET_CODES = ("F1", "F2", "F3", "F4", "F5", "P1", "P2", "P3", "P4", "P5")
# SSDA903 OC3 activity codes written as words only (Annex A exports often drop the code).
EET_WORDS = (
    "full time in higher education",
    "part time in higher education",
    "full time in education other than higher education",
    "part time in education other than higher education",
    "full time in training or employment",
    "part time in training or employment",
)
_PREFIX = r"^\s*[a-z]{1,2}\)\s*"


class NotAvailable(Exception):  # noqa: N818 (a result, not a failure)
    """An indicator's inputs are absent; the message is the reason shown on the board."""


Counts = tuple[float, float]


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str  # "%" or "per FTE"
    better: str  # "higher" or "lower"
    definition: str
    compute: Callable[[Context, pd.DataFrame], Counts] | None = None  # None: from the store
    rule: str | None = None  # a rule whose findings it counts (must have run)
    of: str = ""  # the denominator in words, for "n/a: no ..."
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (table key, columns)
    # columns the counts rest on: one blank (or unreadable) in every row makes the value null;
    # checked when the column is in the export (a rule that reads another source decides)
    rests_on: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (table key, column) pairs of which at least one must hold a value (the lists' workers)
    rests_on_any: tuple[tuple[str, str], ...] = ()


# --- shared helpers ---------------------------------------------------------------------------


def _frame(ctx: Context, key: str) -> pd.DataFrame:
    table = ctx.table(key)
    assert table is not None  # checked against `needs` before computing
    return table.frame


def _children(ids: pd.Series) -> pd.Index:
    """Distinct child ids, blanks left out."""
    return pd.Index(ids.dropna().unique())


def _open_children(ctx: Context, key: str) -> pd.Index:
    table = ctx.table(key)
    if table is None:
        return pd.Index([])
    return _children(table.frame.loc[ctx.is_open(table), "child_id"])


def _flagged(findings: pd.DataFrame, rule_id: str) -> pd.Index:
    return _children(findings.loc[findings["rule_id"] == rule_id, "child_id"])


def _without_finding(children: pd.Index, findings: pd.DataFrame, rule_id: str) -> Counts:
    """(children with no finding of `rule_id`, children)."""
    return float((~children.isin(_flagged(findings, rule_id))).sum()), float(len(children))


def _share(mask: pd.Series, among: pd.Series) -> Counts:
    return float((mask & among).sum()), float(among.sum())


# --- one function per indicator ----------------------------------------------------------------


def assessments_within_45(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 4 rows authorised on or before D with authorised <= WD(start, 45) / List 4 rows
    authorised on or before D (Working Together 2023, ch. 1: 45 working days). A row with no
    start date cannot be shown to be within timescale and counts in the denominator only."""
    table = ctx.table("list4")
    f = _frame(ctx, "list4")
    done = f["assessment_authorised"].notna() & (f["assessment_authorised"] <= ctx.date)
    due = ctx.working_days(table, "assessment_start", 45)
    return _share((f["assessment_authorised"] <= due).fillna(False), done)


def icpcs_within_15(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 5 rows with an ICPC on or before D and icpc <= WD(strategy, 15) / List 5 rows with
    an ICPC on or before D (Working Together 2023, ch. 2: 15 working days)."""
    table = ctx.table("list5")
    f = _frame(ctx, "list5")
    held = f["icpc_date"].notna() & (f["icpc_date"] <= ctx.date)
    due = ctx.working_days(table, "strategy_date", 15)
    return _share((f["icpc_date"] <= due).fillna(False), held)


def rereferrals(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 3 referrals on or before D made within 12 months of a previous referral / List 3
    referrals on or before D (a row with no referral date cannot be placed: in neither count).

    A child's referrals are ordered by date. Each one after the first is a re-referral when the
    one before it is within 12 months (on or after M(date, -12)). For the first, List 3 holds
    only "Number of Referrals in Last 12 Months" before the child's latest referral (the same on
    every row, Ofsted's guidance): when it exceeds the child's List 3 referrals in those 12
    months, an earlier referral lies before the first one, within 12 months of it, so the first
    is a re-referral too; a blank count says nothing (not a re-referral). A row with no child id
    is its own latest referral."""
    f = _frame(ctx, "list3")
    dated = (f["referral_date"].notna() & (f["referral_date"] <= ctx.date)).fillna(False)
    rows = f.loc[dated, ["child_id", "referral_date", "referrals_12m"]]
    child = (
        rows["child_id"]
        .astype(object)
        .where(rows["child_id"].notna(), "\x00row " + rows.index.astype(str))
    )
    rows = rows.assign(child=child).sort_values(["child", "referral_date"], kind="stable")
    by = rows.groupby("child", sort=False)
    order = by.cumcount()
    before = by["referral_date"].shift()
    latest_date = by["referral_date"].transform("max")
    latest_count = by["referrals_12m"].transform("last")
    window = add_months(latest_date, -12)
    in_window = (rows["referral_date"] >= window) & (order < by["child"].transform("size") - 1)
    earlier = in_window.groupby(rows["child"], sort=False).transform("sum")
    again = (before >= add_months(rows["referral_date"], -12)).fillna(False)
    first = (
        (order == 0) & (rows["referral_date"] >= window) & (latest_count > earlier).fillna(False)
    )
    return float((again | first).sum()), float(len(rows))


def repeat_cp_plans(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 7 rows with plan start in the 12 months up to D (M(D, -12) < start <= D: a start
    exactly 12 months ago is outside, as the DfE's year 1 April to 31 March) and Number of
    Previous CP Plans >= 1 / List 7 rows with plan start in those 12 months."""
    f = _frame(ctx, "list7")
    since = add_months(pd.Series([ctx.date]), -12).iloc[0]
    started = (f["plan_start"] > since) & (f["plan_start"] <= ctx.date)
    return _share((f["previous_plans"] >= 1).fillna(False), started.fillna(False))


def cp_plans_two_years(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Open List 7 rows with D >= M(start, 24) / open List 7 rows (a plan reaches two years on
    its second anniversary; as CP-03)."""
    table = ctx.table("list7")
    f = _frame(ctx, "list7")
    long = (ctx.date >= add_months(f["plan_start"], 24)).fillna(False)
    return _share(long, ctx.is_open(table))


def _rule_share(key: str, rule_id: str) -> Callable[[Context, pd.DataFrame], Counts]:
    def compute(ctx: Context, findings: pd.DataFrame) -> Counts:
        return _without_finding(_open_children(ctx, key), findings, rule_id)

    compute.__doc__ = f"Open {key} children with no {rule_id} finding / open {key} children."
    return compute


def placement_instability(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 8 children with Number of Placements in the Last 12 Months >= 3 / List 8 children
    (every row, open or ceased; a child counts once, unstable if any row says 3 or more)."""
    f = _frame(ctx, "list8")
    children = _children(f["child_id"])
    unstable = _children(f.loc[(f["placements_12m"] >= 3).fillna(False), "child_id"])
    return float(len(unstable)), float(len(children))


def teeth_checked(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Open List 8 children looked after 12 months or more (D >= M(start, 12)) with no CLA-04
    finding / those children (the nearest Annex A gives to the DfE's children looked after
    continuously for 12 months at 31 March whose teeth were checked)."""
    table = ctx.table("list8")
    f = _frame(ctx, "list8")
    a_year = (ctx.date >= add_months(f["cla_start"], 12)).fillna(False)
    children = _children(f.loc[ctx.is_open(table) & a_year, "child_id"])
    return _without_finding(children, findings, "CLA-04")


def _list9_share(column: str, wanted: str) -> Callable[[Context, pd.DataFrame], Counts]:
    def compute(ctx: Context, findings: pd.DataFrame) -> Counts:
        f = _frame(ctx, "list9")
        return _share((f[column] == wanted).fillna(False), pd.Series(True, index=f.index))

    compute.__doc__ = f"List 9 rows with {column} = {wanted} / List 9 rows."
    return compute


def _eet(f: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(in education, employment or training, has an Activity Status) per List 9 row."""
    text = f["activity"].astype("str")
    plain = text.str.replace(_PREFIX, "", regex=True, flags=re.IGNORECASE).str.strip()
    code = plain.str.upper().str.extract(r"^([A-Z]\d)\b", expand=False)
    words = plain.str.casefold().str.replace(r"\s+", " ", regex=True)
    eet = code.isin(EET_CODES) | words.isin(EET_WORDS)
    return eet.fillna(False), plain.fillna("").ne("")


def care_leavers_eet(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 9 rows whose Activity Status is F1-F5 or P1-P5 (SSDA903 OC3: full or part time in
    higher education, other education, an apprenticeship, or training or employment; the code
    or its words) / List 9 rows with an Activity Status (blank left out)."""
    return _share(*_eet(_frame(ctx, "list9")))


def _eet_band(low: int, high: int) -> Callable[[Context, pd.DataFrame], Counts]:
    def compute(ctx: Context, findings: pd.DataFrame) -> Counts:
        f = _frame(ctx, "list9")
        age = age_in_years(f["dob"], ctx.as_at)
        band = ((age >= low) & (age <= high)).fillna(False).astype(bool)
        eet, status = _eet(f)
        return _share(eet & band, status & band)

    compute.__doc__ = (
        f"List 9 rows aged {low} to {high} at D (completed years; a blank date of birth is in "
        f"no band) whose Activity Status is F1-F5 or P1-P5 / List 9 rows aged {low} to {high} "
        "with an Activity Status (the DfE's age band of care leavers' activity)."
    )
    return compute


def care_leavers_with_adviser(ctx: Context, findings: pd.DataFrame) -> Counts:
    """List 9 rows with Allocated Personal Advisor recorded / List 9 rows (2024 layout only:
    the 2019 layout has no such column, so the indicator is n/a there)."""
    f = _frame(ctx, "list9")
    named = f["personal_adviser"].astype("str").str.strip().fillna("").ne("")
    return _share(named, pd.Series(True, index=f.index))


def care_leavers_with_documents(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Care leavers aged 18+ at D with no CL-06 finding / care leavers aged 18+ (documents
    table only; a blank date of birth is not known to be 18)."""
    f = _frame(ctx, "list9")
    adults = _children(f.loc[(age_in_years(f["dob"], ctx.as_at) >= 18).fillna(False), "child_id"])
    return _without_finding(adults, findings, "CL-06")


def _case_holders(ctx: Context) -> pd.DataFrame:
    """Workers with Role SW or NQSW/ASYE and an FTE above 0 (one row per name, compared as WF-01
    compares them); a blank or 0 FTE holds no cases here, as WF-01 does not assess it."""
    w = _frame(ctx, "workers")
    staff = w.assign(key=name_key(w["worker"])).drop_duplicates("key")
    return staff[staff["role"].isin(CASE_HOLDING_ROLES) & (staff["fte"] > 0).fillna(False)]


def average_caseload(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Children on open List 4-9 rows of SW and NQSW/ASYE workers (distinct children per worker,
    summed: a child allocated to two workers is in both caseloads, as in WF-01) / the sum of
    their FTE. A number per FTE, not a percentage."""
    from checks.local_tables import CASELOAD_LISTS

    staff = _case_holders(ctx)
    parts = []
    for n in CASELOAD_LISTS:
        table = ctx.table(f"list{n}")
        if table is None or "worker" not in table.columns:
            continue
        f = table.frame.loc[ctx.is_open(table), ["worker", "child_id"]].dropna()
        parts.append(f)
    if not parts:
        return 0.0, float(staff["fte"].sum())
    rows = pd.concat(parts, ignore_index=True)
    pairs = pd.DataFrame({"key": name_key(rows["worker"]), "child": rows["child_id"]})
    pairs = pairs.drop_duplicates()
    return float(pairs["key"].isin(staff["key"]).sum()), float(staff["fte"].sum())


def workers_above_standard(ctx: Context, findings: pd.DataFrame) -> Counts:
    """SW and NQSW/ASYE workers with a WF-01 finding / SW and NQSW/ASYE workers (FTE above 0)."""
    staff = _case_holders(ctx)
    over = name_key(findings.loc[findings["rule_id"] == "WF-01", "worker"])
    return float(staff["key"].isin(over).sum()), float(len(staff))


def oversight_in_time(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Children on open List 6, 7 or 8 rows with no MO-01 finding / those children (management
    oversight table only)."""
    from checks.local_tables import OVERSIGHT_LISTS

    children = pd.Index(
        pd.concat([_open_children(ctx, f"list{n}").to_series() for n in OVERSIGHT_LISTS]).unique()
    )
    return _without_finding(children, findings, "MO-01")


def records_free_of_dq(ctx: Context, findings: pd.DataFrame) -> Counts:
    """Rows of Lists 1-10 with no data-quality finding / rows of Lists 1-10. A DQ-02 or DQ-04
    finding marks its own row; DQ-01 (duplicate open record) marks the child's open rows on its
    list; DQ-03 (dates of birth differ) marks the child's rows on each list it names."""
    dq = findings[findings["rule_id"].str.startswith("DQ-")]
    row_of = dq["source_row"] if "source_row" in dq else pd.Series(np.nan, index=dq.index)
    per_row = dq[dq["rule_id"].isin(["DQ-02", "DQ-04"])].assign(row=row_of)
    dup = dq[dq["rule_id"] == "DQ-01"]
    dob = dq[dq["rule_id"] == "DQ-03"]
    dob_lists = dob.assign(list=dob["list"].astype("str").str.split(r",\s*")).explode("list")
    clean = total = 0
    for n in range(1, 11):
        table = ctx.table(f"list{n}")
        if table is None:
            continue
        f, label = table.frame, str(n)
        bad = f["_row"].isin(per_row.loc[per_row["list"] == label, "row"])
        if "child_id" in f:
            dup_children = dup.loc[dup["list"] == label, "child_id"]
            bad |= f["child_id"].isin(dup_children).fillna(False) & ctx.is_open(table)
            bad |= (
                f["child_id"]
                .isin(dob_lists.loc[dob_lists["list"] == label, "child_id"])
                .fillna(False)
            )
        total += len(f)
        clean += int((~bad).sum())
    return float(clean), float(total)


# --- the table ------------------------------------------------------------------------------------

L4 = ("list4", ("assessment_start", "assessment_authorised"))
WORKER_COLUMNS = tuple((f"list{n}", "worker") for n in range(4, 10))  # CASELOAD_LISTS
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "IND-ASM-45",
        "Assessments completed within 45 working days",
        "%",
        "higher",
        assessments_within_45.__doc__ or "",
        assessments_within_45,
        of="List 4 rows authorised on or before the as-at date",
        needs=(L4,),
        rests_on=(L4,),
    ),
    Indicator(
        "IND-ICPC-15",
        "ICPCs within 15 working days of the strategy discussion",
        "%",
        "higher",
        icpcs_within_15.__doc__ or "",
        icpcs_within_15,
        of="List 5 rows with an ICPC on or before the as-at date",
        needs=(("list5", ("strategy_date", "icpc_date")),),
        rests_on=(("list5", ("strategy_date", "icpc_date")),),
    ),
    Indicator(
        "IND-REREFERRAL",
        "Referrals within 12 months of a previous referral",
        "%",
        "lower",
        rereferrals.__doc__ or "",
        rereferrals,
        of="List 3 referrals on or before the as-at date",
        needs=(("list3", ("referral_date", "referrals_12m")),),
        rests_on=(("list3", ("referral_date", "referrals_12m")),),
    ),
    Indicator(
        "IND-CP-REPEAT",
        "Child protection plans that are a second or subsequent plan",
        "%",
        "lower",
        repeat_cp_plans.__doc__ or "",
        repeat_cp_plans,
        of="List 7 plans starting in the 12 months up to the as-at date",
        needs=(("list7", ("plan_start", "previous_plans")),),
        rests_on=(("list7", ("plan_start", "previous_plans")),),
    ),
    Indicator(
        "IND-CP-2YR",
        "Open child protection plans open two years or more",
        "%",
        "lower",
        cp_plans_two_years.__doc__ or "",
        cp_plans_two_years,
        of="open List 7 plans",
        needs=(("list7", ("plan_start", "plan_end")),),
        rests_on=(("list7", ("plan_start",)),),
    ),
    *(
        Indicator(
            ind,
            title,
            "%",
            "higher",
            f"Open List {key[4:]} children with no {rule} finding / open List {key[4:]} children.",
            _rule_share(key, rule),
            rule=rule,
            of=f"open List {key[4:]} children",
            rests_on=((key, (evidence,)),),
        )
        for ind, title, key, rule, evidence in (
            (
                "IND-CP-VISIT",
                "Children on a CP plan visited in timescale",
                "list7",
                "CP-01",
                "last_visit",
            ),
            (
                "IND-CP-REVIEW",
                "CP review conferences in timescale",
                "list7",
                "CP-02",
                "latest_review",
            ),
            ("IND-CIN-VISIT", "Children in need seen in timescale", "list6", "CIN-01", "last_seen"),
            (
                "IND-CLA-REVIEW",
                "Children in care with reviews in timescale",
                "list8",
                "CLA-01",
                "latest_review",
            ),
            (
                "IND-CLA-VISIT",
                "Children in care visited in timescale",
                "list8",
                "CLA-02",
                "last_visit",
            ),
            (
                "IND-CLA-HEALTH",
                "Children in care with a health assessment up to date",
                "list8",
                "CLA-03",
                "last_health_assessment",
            ),
        )
    ),
    Indicator(
        "IND-CLA-TEETH",
        "Children in care 12 months or more with teeth checked",
        "%",
        "higher",
        teeth_checked.__doc__ or "",
        teeth_checked,
        rule="CLA-04",
        of="open List 8 children looked after 12 months or more",
        needs=(("list8", ("cla_start",)),),
        rests_on=(("list8", ("cla_start", "last_dental_check")),),
    ),
    Indicator(
        "IND-CLA-STABILITY",
        "Children in care with three or more placements in 12 months",
        "%",
        "lower",
        placement_instability.__doc__ or "",
        placement_instability,
        of="List 8 children",
        needs=(("list8", ("placements_12m",)),),
        rests_on=(("list8", ("placements_12m",)),),
    ),
    Indicator(
        "IND-CL-TOUCH",
        "Care leavers in touch",
        "%",
        "higher",
        "List 9 rows with LA in Touch = Yes / List 9 rows.",
        _list9_share("in_touch", "Yes"),
        of="List 9 rows",
        needs=(("list9", ("in_touch",)),),
        rests_on=(("list9", ("in_touch",)),),
    ),
    Indicator(
        "IND-CL-ACCOM",
        "Care leavers in suitable accommodation",
        "%",
        "higher",
        "List 9 rows with Suitability of Accommodation = Suitable / List 9 rows.",
        _list9_share("accommodation_suitability", "Suitable"),
        of="List 9 rows",
        needs=(("list9", ("accommodation_suitability",)),),
        rests_on=(("list9", ("accommodation_suitability",)),),
    ),
    Indicator(
        "IND-CL-EET",
        "Care leavers in education, employment or training",
        "%",
        "higher",
        care_leavers_eet.__doc__ or "",
        care_leavers_eet,
        of="List 9 rows with an Activity Status",
        needs=(("list9", ("activity",)),),
        rests_on=(("list9", ("activity",)),),
    ),
    *(
        Indicator(
            f"IND-CL-EET-{low}-{high}",
            f"Care leavers aged {low} to {high} in education, employment or training",
            "%",
            "higher",
            _eet_band(low, high).__doc__ or "",
            _eet_band(low, high),
            of=f"List 9 rows aged {low} to {high} with an Activity Status",
            needs=(("list9", ("activity", "dob")),),
            rests_on=(("list9", ("activity", "dob")),),
        )
        for low, high in ((17, 18), (19, 21))
    ),
    Indicator(
        "IND-CL-PA",
        "Care leavers with a personal adviser",
        "%",
        "higher",
        care_leavers_with_adviser.__doc__ or "",
        care_leavers_with_adviser,
        of="List 9 rows",
        needs=(("list9", ("personal_adviser",)),),
        rests_on=(("list9", ("personal_adviser",)),),
    ),
    Indicator(
        "IND-CL-DOCS",
        "Care leavers 18+ holding every required document",
        "%",
        "higher",
        care_leavers_with_documents.__doc__ or "",
        care_leavers_with_documents,
        of="care leavers aged 18 or over",
        rule="CL-06",
        rests_on=(("list9", ("dob",)),),
    ),
    Indicator(
        "IND-CASELOAD",
        "Average caseload per FTE social worker",
        "per FTE",
        "lower",
        average_caseload.__doc__ or "",
        average_caseload,
        of="FTE of SW or NQSW/ASYE workers",
        needs=(("workers", ("worker", "fte", "role")),),
        rests_on=(("workers", ("worker", "fte", "role")),),
        rests_on_any=WORKER_COLUMNS,
    ),
    Indicator(
        "IND-CASELOAD-OVER",
        "Social workers above the caseload standard",
        "%",
        "lower",
        workers_above_standard.__doc__ or "",
        workers_above_standard,
        of="SW or NQSW/ASYE workers with an FTE",
        rule="WF-01",
        needs=(("workers", ("worker", "fte", "role")),),
        rests_on=(("workers", ("worker", "fte", "role")),),
        rests_on_any=WORKER_COLUMNS,
    ),
    Indicator(
        "IND-OVERSIGHT",
        "Open cases with management oversight in the last 42 days",
        "%",
        "higher",
        oversight_in_time.__doc__ or "",
        oversight_in_time,
        of="children on open List 6, 7 or 8 rows",
        rule="MO-01",
        rests_on=(("management_oversight", ("last_oversight",)),),
    ),
    Indicator(
        "IND-DQ",
        "Records free of data-quality findings",
        "%",
        "higher",
        records_free_of_dq.__doc__ or "",
        records_free_of_dq,
        of="rows on Lists 1 to 10",
    ),
    Indicator(
        "IND-MODERATION",
        "Moderation agreement (manager–QA)",
        "%",
        "higher",
        "Findings where the QA moderator's latest decision is the team manager's latest "
        "decision / findings given both decisions, in the audit month the QA decision reviews: "
        "the month of the latest audit run made on or before the day it was entered (history "
        "store).",
    ),
    Indicator(
        "IND-PRACTICE-GOOD",
        "Practice audits graded Good or better",
        "%",
        "higher",
        "Practice audits graded Outstanding or Good (moderator's grade, else the auditor's) / "
        "practice audits graded, in the audit month they review: the month the cases were "
        "chosen for (history store).",
    ),
)
BY_ID = {i.id: i for i in INDICATORS}
# IND-CL-EET counts care leavers of every age; the DfE publishes two age bands, each its own
# indicator here (with its own published comparator), listed under IND-CL-EET too.
AGE_BANDS = {"IND-CL-EET": ("IND-CL-EET-17-18", "IND-CL-EET-19-21")}
FROM_STORE = tuple(i.id for i in INDICATORS if i.compute is None)


def value_of(ind: Indicator, numerator: float, denominator: float) -> float | None:
    if not denominator:
        return None
    ratio = numerator / denominator
    return round(100 * ratio if ind.unit == "%" else ratio, 1)
