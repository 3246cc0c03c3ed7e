"""The improvement-board pack's data: the scorecard of indicators first, then trends.

Read from the history store only, and only what the pack shows: each month's digest (its
indicators, action counts, year-end reconciliation; `audits.history.aggregates`), each pair of
months' counts of new, persisting and gone findings, the scores, the latest run's summary and
its twenty longest-overdue Error findings, reviewer decisions and practice-audit grades; never
every finding of every month. `audits.board.pack` writes it as `board.html`
(`audits.board.html`: one self-contained page, SVG charts, no scripts, no external files) and
`board.xlsx` (`audits.board.xlsx`). One month is one column: the latest run of each month.
Child ids are replaced by keyed pseudonyms (HMAC-SHA256 with a key kept in the history store)
unless asked otherwise.

The DfE's published figures (`audits.indicators.published`) are looked up for the council the
board's config names (`la_code`), else the one the latest run was audited for.

Moderation agreement is manager–QA agreement (DESIGN §3 "Decisions and actions"): of the findings
given both a team manager's and a QA moderator's decision, the share where the QA moderator
chose the manager's (`agreed` of `Store.latest_decisions`).

Months of moderation and practice audits, one rule for every page: a moderator's decision and a
practice-audit grade count in the **audit month they review**. A practice audit's month is the
month its cases were chosen for; a decision's is the month of the latest run made on or before
the day the QA moderator's decision was entered (the run whose workbook was being reviewed). A
decision entered before any run is counted nowhere and said so.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

from audits.core.config import Config
from audits.core.errors import InputError
from audits.history import CARRIED_DECISION, Store
from audits.indicators.comparators import amber_band, basis_of, describe, published_of, rag
from audits.indicators.definitions import BY_ID, INDICATORS, value_of
from audits.indicators.published import attribution
from audits.indicators.reconcile import council
from audits.indicators.scores import rag as score_rag
from audits.model.grades import GRADES

MONTH_RULE = (
    "Moderation decisions and practice-audit grades count in the audit month they review: a "
    "practice audit in the month its cases were chosen for, a QA moderator's decision in the "
    "month of the latest audit run made on or before the day it was entered."
)
CHANGE_UNITS = {"%": "pp", "per FTE": "per FTE"}


def pseudonym(child_id: str, key: bytes) -> str:
    return "C-" + hmac.new(key, str(child_id).encode(), hashlib.sha256).hexdigest()[:10]


def monthly_runs(store: Store) -> pd.DataFrame:
    """The latest run of each month (by as-at date, then run id), oldest month first."""
    runs = store.run_index()
    if runs.empty:
        raise InputError(
            "The history store holds no runs yet",
            file=str(store.engine.url),
            expected="at least one `audit run` recorded in this store",
            action="Run `audit run` (with the same --db) first",
        )
    runs = runs.sort_values(["month", "as_at", "run_id"])
    return runs.drop_duplicates("month", keep="last").reset_index(drop=True)


# --- store-derived indicators --------------------------------------------------------------------


def audit_month_of(entered_at: pd.Series, runs: pd.DataFrame) -> pd.Series:
    """The audit month each entry reviews: the month of the latest run made on or before the
    day it was entered (None: before any run)."""
    made = runs.assign(day=runs["run_at"].astype(str).str[:10]).sort_values(
        ["day", "run_at", "run_id"], kind="stable"
    )
    days = made["day"].to_numpy(dtype=str)
    at = np.searchsorted(days, entered_at.astype(str).str[:10].to_numpy(dtype=str), "right") - 1
    months = made["month"].to_numpy(dtype=object)
    return pd.Series(
        np.where(at >= 0, months[np.maximum(at, 0)], None), index=entered_at.index, dtype=object
    )


def moderation_by_month(compared: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """month, decisions, agree, value: manager–QA agreement over the findings given both
    decisions (`compared`: rows of `latest_decisions` whose `agreed` is known), by the audit
    month the QA decision reviews (see the module's docstring); QA decisions entered before any
    run have no month."""
    month = audit_month_of(compared["moderator_at"], runs)
    frame = pd.DataFrame({"month": month, "agree": compared["agreed"].astype(bool)})
    frame = frame[frame["month"].notna()]
    out = frame.groupby("month").agg(decisions=("agree", "size"), agree=("agree", "sum"))
    out = out.reset_index().astype({"decisions": int, "agree": int})
    out["value"] = (100 * out["agree"] / out["decisions"]).round(1)
    return out


def practice_by_month(store: Store) -> pd.DataFrame:
    """month, audits graded, how many per grade, Good or better and its share (the moderator's
    grade where given, else the auditor's), by the audit month."""
    practice = store.table("practice_audits")
    grade = practice["moderator_grade"].fillna(practice["auditor_grade"])
    graded = practice.assign(grade=grade)[grade.notna()]
    columns = ["month", "audits", "good_or_better", "good_or_better_percent", *GRADES]
    if graded.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(graded["month"], graded["grade"]).reindex(columns=list(GRADES))
    counts = counts.fillna(0).astype(int)
    out = counts.assign(
        audits=counts.sum(axis=1), good_or_better=counts[list(GRADES[:2])].sum(axis=1)
    )
    out["good_or_better_percent"] = (100 * out["good_or_better"] / out["audits"]).round(1)
    return out.reset_index()[columns]


def store_indicator(ind_id: str, month: str, table: pd.DataFrame, num: str, den: str, config):
    """One store-derived indicator for one month, as the run's indicators are described."""
    ind = BY_ID[ind_id]
    row = table[table["month"] == month]
    if row.empty:
        what = "moderation decision" if ind_id == "IND-MODERATION" else "graded practice audit"
        reason = f"no {what} reviews this audit month"
        return describe(ind, None, None, None, reason, config)
    n, d = int(row[num].iloc[0]), int(row[den].iloc[0])
    return describe(ind, value_of(ind, n, d), n, d, None, config)


# --- the scorecard -------------------------------------------------------------------------------


def arrow(this: float | None, last: float | None, better: str, unit: str = "%") -> tuple[str, str]:
    """(text, judgement) of the change since last month: '▲ +1.2 pp', 'better'; percentages
    change in percentage points (pp), the caseload in children per FTE."""
    if this is None or last is None or pd.isna(this) or pd.isna(last):
        return "–", "none"
    change = round(this - last, 1)
    if change == 0:
        return "► no change", "same"
    improved = (change > 0) == (better == "higher")
    sign = "+" if change > 0 else "−"
    text = f"{'▲' if change > 0 else '▼'} {sign}{abs(change):.1f} {CHANGE_UNITS.get(unit, unit)}"
    return text, "better" if improved else "worse"


def indicator_history(
    months: pd.DataFrame, digests: dict[int, dict], moderation, practice, config: Config
) -> pd.DataFrame:
    """One row per (month, indicator): the runs' indicators and the store's two."""
    rows = []
    for month, run_id in zip(months["month"], months["run_id"], strict=True):
        stored = {i["id"]: i for i in digests[run_id].get("indicators") or []}
        for ind in INDICATORS:
            if ind.compute is None:
                table, num, den = (
                    (moderation, "agree", "decisions")
                    if ind.id == "IND-MODERATION"
                    else (practice, "good_or_better", "audits")
                )
                record = store_indicator(ind.id, month, table, num, den, config)
            else:
                record = stored.get(ind.id) or {
                    "id": ind.id,
                    "value": None,
                    "reason": "not computed by this run (recorded before this indicator existed)",
                }
            rows.append({**record, "month": month})
    return pd.DataFrame(rows)


def scorecard(
    history: pd.DataFrame, months: list[str], config: Config, la_code: str | None
) -> pd.DataFrame:
    """Indicator, this month, last month, change, target, the comparators (England, region,
    statistical neighbours, the council's own published figure), how the definitions match,
    RAG (this month's)."""
    latest = months[-1]
    previous = months[-2] if len(months) > 1 else None
    rows = []
    for ind in INDICATORS:
        mine = history[history["id"] == ind.id].set_index("month")
        now = mine.loc[latest].to_dict() if latest in mine.index else {}
        before = mine.loc[previous].to_dict() if previous in mine.index else {}
        this, last = _num(now.get("value")), _num(before.get("value"))
        text, judgement = arrow(this, last, ind.better, ind.unit)
        own = config.indicators.get(ind.id, {})
        target = own.get("target", _num(now.get("target")))
        national = _num(now.get("national"))
        pub = published_of(ind.id, la_code) if ind.compute is not None else None
        basis, against = basis_of(target, national, pub)
        england = _part(pub, "england")
        region = _part(pub, "region")
        sn = _part(pub, "neighbours")
        mine_dfe = _part(pub, "council")
        regional = _num(own.get("regional", now.get("regional")))
        neighbours = _num(own.get("neighbours", now.get("neighbours")))
        rows.append(
            {
                "id": ind.id,
                "title": ind.title,
                "unit": ind.unit,
                "better": ind.better,
                "this": this,
                "numerator": _num(now.get("numerator")),
                "denominator": _num(now.get("denominator")),
                "reason": now.get("reason") if this is None else None,
                "last": last,
                "last_reason": before.get("reason") if previous and last is None else None,
                "change": text,
                "judgement": judgement,
                "target": target,
                "national": national,
                "national_period": now.get("national_period"),
                "national_source": now.get("national_source"),
                "national_derived": now.get("national_derived"),
                # England: the DfE's published figure (the national table's when none)
                "england": england["value"] if england else national,
                "england_period": england["period"] if england else now.get("national_period"),
                "england_source": pub["source"] if england else now.get("national_source"),
                # region and neighbours: the council's own figures from its config, else DfE's
                "region": regional if regional is not None else _v(region),
                "region_label": (
                    own.get("regional_label", now.get("regional_label"))
                    if regional is not None
                    else (region["name"] if region else None)
                ),
                "region_period": (
                    own.get("period", now.get("regional_period"))
                    if regional is not None
                    else _p(region)
                ),
                "region_source": "audit config" if regional is not None else _src(region, pub),
                "neighbours": neighbours if neighbours is not None else (sn or {}).get("median"),
                "neighbours_label": own.get("neighbours_label", now.get("neighbours_label"))
                if neighbours is not None
                else None,
                "neighbours_min": None if neighbours is not None else (sn or {}).get("min"),
                "neighbours_max": None if neighbours is not None else (sn or {}).get("max"),
                "neighbours_count": None if neighbours is not None else (sn or {}).get("count"),
                "neighbours_period": (
                    own.get("period", now.get("neighbours_period"))
                    if neighbours is not None
                    else _p(sn)
                ),
                "neighbours_source": ("audit config" if neighbours is not None else _src(sn, pub)),
                "council_dfe": _v(mine_dfe),
                "council_dfe_period": _p(mine_dfe),
                "match": pub["match"] if pub else None,
                "published_source": pub["source"] if pub else None,
                "rag": rag(this, ind.better, basis, amber_band(ind, config, own)),
                "rag_against": against if this is not None else None,
            }
        )
    frame = pd.DataFrame(rows).astype(object)
    return frame.where(frame.notna(), None)  # blanks stay None, never NaN


def _part(pub: dict | None, name: str) -> dict | None:
    return pub.get(name) if pub else None


def _v(part: dict | None) -> float | None:
    return part.get("value") if part else None


def _p(part: dict | None) -> str | None:
    return part.get("period") if part else None


def _src(part: dict | None, pub: dict | None) -> str | None:
    return pub["source"] if part and pub else None


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- actions --------------------------------------------------------------------------------------


def actions(
    months: pd.DataFrame, digests: dict[int, dict], latest: dict, key: bytes, pseudonymise: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(open, overdue and done actions per month, n/a where a run recorded none; the latest
    run's overdue actions, most days past due first, or None when that run recorded no
    actions)."""
    counts = [digests[r].get("actions") or {} for r in months["run_id"]]
    per_month = pd.DataFrame(
        {
            "month": months["month"],
            "open": [_num(c.get("open")) for c in counts],
            "overdue": [_num(c.get("overdue")) for c in counts],
            "done": [_num(c.get("done")) for c in counts],
        }
    )
    listed = latest.get("actions")
    if not isinstance(listed, dict):
        return per_month, None
    columns = ["child", "rule_id", "team", "action_owner", "action_due", "days_past_due"]
    items = pd.DataFrame(listed.get("overdue_items") or [])
    if items.empty:
        return per_month, pd.DataFrame(columns=columns)
    items = items.reindex(
        columns=["child_id", "rule_id", "team", "action_owner", "action_due", "days_past_due"]
    )
    child = [
        pseudonym(c, key) if pseudonymise and c not in (None, "") and not pd.isna(c) else c
        for c in items.pop("child_id")
    ]
    items.insert(0, "child", child)
    items = items.sort_values("days_past_due", ascending=False, kind="stable")
    return per_month, items.reset_index(drop=True)[columns]


# --- findings new, persisting, resolved ---------------------------------------------------------


def changes(store: Store, months: pd.DataFrame, accepted: set[str]) -> pd.DataFrame:
    """Per month: findings, new, persisting (against the month before on the board) and
    resolved (raised the month before, not now, and not set aside by a moderator's latest
    decision 'Disagree — recording is correct')."""
    run_ids = [int(r) for r in months["run_id"]]
    pairs = list(zip(run_ids, [None, *run_ids[:-1]], strict=True))
    counted = store.changes(pairs)
    held = store.runs_holding(accepted, run_ids) if accepted else None
    by_run = held.groupby("run_id")["finding_id"].agg(set).to_dict() if held is not None else {}
    rows = []
    for month, (run, previous) in zip(months["month"], pairs, strict=True):
        c = counted[run]
        set_aside = len(by_run.get(previous, set()) - by_run.get(run, set())) if previous else 0
        rows.append(
            {
                "month": month,
                "findings": c["findings"],
                "new": c["new"],
                "persisting": c["persisting"],
                "resolved": c["gone"] - set_aside if previous else 0,
            }
        )
    return pd.DataFrame(rows)


# --- everything the pack shows -------------------------------------------------------------------


def board_data(store: Store, pseudonymise: bool = True, config: Config | None = None) -> dict:
    config = config or Config()
    months = monthly_runs(store)
    month_list = list(months["month"])
    run_ids = [int(r) for r in months["run_id"]]
    latest_run = run_ids[-1]
    digests = store.board_digests(run_ids)
    latest = store.run_summary(latest_run)
    la_code = config.la_code or digests[latest_run].get("la_code")
    run_month = months[["run_id", "month"]]
    scores = store.scores_of(run_ids).merge(run_month, on="run_id")
    areas = scores[scores["team"].isna()].pivot_table(
        index="month", columns="area", values="score", dropna=False
    )
    areas = areas.reindex(month_list)
    teams = scores[scores["team"].notna()].sort_values(["month", "area", "team"])
    teams = teams.assign(
        rag=[score_rag(s, config.rag_green, config.rag_amber) for s in teams["score"]]
    )
    decisions = store.latest_decisions()
    decided = decisions[decisions["decision"].notna()]  # the decision that stands
    compared = decisions[decisions["agreed"].notna()]  # both decisions: manager–QA agreement
    all_runs = store.run_index()
    moderation_months = moderation_by_month(compared, all_runs)
    unattributed = len(compared) - int(moderation_months["decisions"].sum())
    practice = practice_by_month(store)
    key = store.pseudonym_key()
    overdue = store.longest_overdue(latest_run)
    overdue = overdue.assign(
        child=[pseudonym(c, key) if pseudonymise else c for c in overdue["child_id"]]
    )[["child", "rule_id", "team", "days_overdue", "message"]]
    history = indicator_history(months, digests, moderation_months, practice, config)
    action_months, action_items = actions(months, digests, latest, key, pseudonymise)
    reconciliations = [
        (month, digests[run]["reconciliation"])
        for month, run in zip(month_list, run_ids, strict=True)
        if (digests[run].get("reconciliation") or {}).get("rows")
        or (digests[run].get("reconciliation") or {}).get("note")
    ]
    card = scorecard(history, month_list, config, la_code)
    shows_published = any(
        card[c].notna().any() for c in ("council_dfe", "published_source")
    ) or bool(reconciliations)
    return {
        "months": month_list,
        "as_at": months["as_at"].iloc[-1],
        "scorecard": card,
        "indicator_history": history,
        "practice": practice[["month", "audits", "good_or_better", "good_or_better_percent"]],
        "practice_grades": practice,
        "moderation_by_month": moderation_months,
        "moderation_unattributed": unattributed,
        "month_rule": MONTH_RULE,
        "areas": areas,
        "teams": teams[["month", "area", "team", "children_in_scope", "score", "rag"]],
        "changes": changes(
            store, months, set(decided.loc[decided["decision"] == CARRIED_DECISION, "finding_id"])
        ),
        "moderation": _agreement(compared, "rule_id"),
        "moderation_teams": _agreement(
            compared.assign(team=compared["team"].replace("", None).fillna("(no team)")), "team"
        ),
        "actions_by_month": action_months,
        "actions_overdue": action_items,
        "overdue": overdue,
        "warnings": latest.get("warnings") or [],
        "council": council(la_code),
        "reconciliations": reconciliations,
        "attribution": attribution() if shows_published else None,
        "pseudonymised": pseudonymise,
        "latest_month": month_list[-1],
        "rag_green": config.rag_green,
        "rag_amber": config.rag_amber,
        "amber_points": config.indicator_amber_points,
        "amber_caseload": config.indicator_amber_caseload,
    }


def _agreement(compared: pd.DataFrame, by: str) -> pd.DataFrame:
    """Manager–QA agreement per rule or team over the findings given both decisions."""
    out = (
        compared.groupby(by)["agreed"]
        .agg(decisions="size", agree=lambda s: int(s.astype(bool).sum()))
        .reset_index()
    )
    out["agree_percent"] = (100 * out["agree"] / out["decisions"]).round(1)
    return out
