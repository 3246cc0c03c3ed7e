"""The improvement-board pack's data: the scorecard of indicators first, then trends.

Read from the history store only (the runs' stored summaries, scores, findings, decisions and
practice-audit grades); `audits.board.pack` writes it as `board.html` (`audits.board.html`: one
self-contained page, SVG charts, no scripts, no external files) and `board.xlsx`
(`audits.board.xlsx`). One month is
one column: the latest run of each month. Child ids are replaced by keyed pseudonyms (HMAC-SHA256
with a key kept in the history store) unless asked otherwise.
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from audits.core.config import Config
from audits.core.errors import InputError
from audits.history import Store
from audits.indicators.comparators import amber_band, rag
from audits.indicators.definitions import BY_ID, INDICATORS, value_of
from audits.indicators.scores import rag as score_rag
from audits.model.grades import GRADES


def pseudonym(child_id: str, key: bytes) -> str:
    return "C-" + hmac.new(key, str(child_id).encode(), hashlib.sha256).hexdigest()[:10]


def monthly_runs(store: Store) -> pd.DataFrame:
    """The latest run of each month (by as-at date, then run id), oldest month first."""
    runs = store.run_summaries()
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


def moderation_by_month(store: Store) -> pd.DataFrame:
    """month, decisions, agree, value: manager–QA agreement (of the findings given both a team
    manager's and a QA moderator's decision, those where the QA moderator chose the manager's),
    by the month of the QA decision (the time its workbook was saved)."""
    decisions = store.latest_decisions()
    decided = decisions[decisions["agreed"].notna()]
    when = decided["moderator_at"].astype(str).str[:7]
    frame = pd.DataFrame({"month": when, "agree": decided["agreed"].astype(bool)})
    out = frame.groupby("month").agg(decisions=("agree", "size"), agree=("agree", "sum"))
    out = out.reset_index().astype({"decisions": int, "agree": int})
    out["value"] = (100 * out["agree"] / out["decisions"]).round(1)
    return out


def practice_by_month(store: Store) -> pd.DataFrame:
    """month, audits graded, how many per grade, Good or better and its share (the moderator's
    grade where given, else the auditor's)."""
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
    from audits.indicators.comparators import describe

    ind = BY_ID[ind_id]
    row = table[table["month"] == month]
    if row.empty:
        reason = "nothing recorded in the history store for this month"
        return describe(ind, None, None, None, reason, config)
    n, d = int(row[num].iloc[0]), int(row[den].iloc[0])
    return describe(ind, value_of(ind, n, d), n, d, None, config)


# --- the scorecard -------------------------------------------------------------------------------


def arrow(this: float | None, last: float | None, better: str) -> tuple[str, str]:
    """(text, judgement) of the change since last month: '▲ +1.2', 'better'."""
    if this is None or last is None or pd.isna(this) or pd.isna(last):
        return "–", "none"
    change = round(this - last, 1)
    if change == 0:
        return "► no change", "same"
    improved = (change > 0) == (better == "higher")
    return f"{'▲' if change > 0 else '▼'} {change:+g}", "better" if improved else "worse"


def indicator_history(months: pd.DataFrame, store: Store, config: Config) -> pd.DataFrame:
    """One row per (month, indicator): the runs' stored indicators and the store's two."""
    moderation, practice = moderation_by_month(store), practice_by_month(store)
    rows = []
    for month, summary in zip(months["month"], months["summary"], strict=True):
        stored = {i["id"]: i for i in summary.get("indicators", [])}
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
                    "reason": "not computed by this run (recorded before indicators existed)",
                }
            rows.append({**record, "month": month})
    return pd.DataFrame(rows)


def scorecard(history: pd.DataFrame, months: list[str], config: Config) -> pd.DataFrame:
    """Indicator, this month, last month, change, target, national, RAG (this month's)."""
    latest = months[-1]
    previous = months[-2] if len(months) > 1 else None
    rows = []
    for ind in INDICATORS:
        mine = history[history["id"] == ind.id].set_index("month")
        now = mine.loc[latest].to_dict() if latest in mine.index else {}
        before = mine.loc[previous].to_dict() if previous in mine.index else {}
        this, last = _num(now.get("value")), _num(before.get("value"))
        text, judgement = arrow(this, last, ind.better)
        own = config.indicators.get(ind.id, {})
        target = own.get("target", _num(now.get("target")))
        national = _num(now.get("national"))
        basis = target if target is not None else national
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
                "change": text,
                "judgement": judgement,
                "target": target,
                "national": national,
                "national_period": now.get("national_period"),
                "national_source": now.get("national_source"),
                "national_derived": now.get("national_derived"),
                "regional": _num(now.get("regional", own.get("regional"))),
                "neighbours": _num(now.get("neighbours", own.get("neighbours"))),
                "regional_label": own.get("regional_label", now.get("regional_label")),
                "neighbours_label": own.get("neighbours_label", now.get("neighbours_label")),
                "rag": rag(this, ind.better, basis, amber_band(ind, config, own)),
            }
        )
    frame = pd.DataFrame(rows).astype(object)
    return frame.where(frame.notna(), None)  # blanks stay None, never NaN


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- actions --------------------------------------------------------------------------------------


def actions(
    months: pd.DataFrame, key: bytes, pseudonymise: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(open and overdue actions per month, n/a where a run recorded none; the latest run's
    overdue actions, most days past due first, or None when that run recorded no actions)."""
    per_month = pd.DataFrame(
        {
            "month": months["month"],
            "open": [_count(s, "open") for s in months["summary"]],
            "overdue": [_count(s, "overdue") for s in months["summary"]],
            "done": [_count(s, "done") for s in months["summary"]],
        }
    )
    latest = months["summary"].iloc[-1].get("actions")
    if not isinstance(latest, dict):
        return per_month, None
    columns = ["child", "rule_id", "team", "action_owner", "action_due", "days_past_due"]
    items = pd.DataFrame(latest.get("overdue_items") or [])
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


def _count(summary: dict, key: str) -> float | None:
    value = (
        summary.get("actions", {}).get(key) if isinstance(summary.get("actions"), dict) else None
    )
    return None if value is None else float(value)


# --- everything the pack shows -------------------------------------------------------------------


def board_data(store: Store, pseudonymise: bool = True, config: Config | None = None) -> dict:
    config = config or Config()
    months = monthly_runs(store)
    month_list = list(months["month"])
    latest_month = month_list[-1]
    run_month = months[["run_id", "month"]]
    scores = store.table("scores").merge(run_month, on="run_id")
    areas = scores[scores["team"].isna()].pivot_table(
        index="month", columns="area", values="score", dropna=False
    )
    areas = areas.reindex(month_list)
    teams = scores[scores["team"].notna()].sort_values(["month", "area", "team"])
    teams = teams.assign(
        rag=[score_rag(s, config.rag_green, config.rag_amber) for s in teams["score"]]
    )
    findings = store.table("findings")
    ids = {
        m: set(findings.loc[findings["run_id"] == r, "finding_id"])
        for m, r in zip(months["month"], months["run_id"], strict=True)
    }
    accepted = store.carried_decisions()  # no longer raised, but not resolved either
    changes, before = [], None
    for month, current in ids.items():
        changes.append(
            {
                "month": month,
                "findings": len(current),
                "new": len(current - before) if before is not None else len(current),
                "persisting": len(current & before) if before is not None else 0,
                "resolved": len(before - current - accepted) if before is not None else 0,
            }
        )
        before = current
    decisions = store.latest_decisions()
    decided = decisions[decisions["agreed"].notna()]  # both decisions: manager–QA agreement
    moderation = _agreement(decided, "rule_id")
    moderation_teams = _agreement(decided.assign(team=decided["team"].fillna("(no team)")), "team")
    latest = findings[
        (findings["run_id"] == months["run_id"].iloc[-1]) & (findings["severity"] == "Error")
    ]
    overdue = (
        latest.dropna(subset=["days_overdue"]).sort_values("days_overdue", ascending=False).head(20)
    )
    key = store.pseudonym_key()
    overdue = overdue.assign(
        child=[pseudonym(c, key) if pseudonymise else c for c in overdue["child_id"]]
    )[["child", "rule_id", "team", "days_overdue", "message"]]
    history = indicator_history(months, store, config)
    practice = practice_by_month(store)
    action_months, action_items = actions(months, key, pseudonymise)
    return {
        "months": month_list,
        "as_at": months["as_at"].iloc[-1],
        "scorecard": scorecard(history, month_list, config),
        "indicator_history": history,
        "practice": practice[["month", "audits", "good_or_better", "good_or_better_percent"]],
        "practice_grades": practice,
        "moderation_by_month": moderation_by_month(store),
        "areas": areas,
        "teams": teams[["month", "area", "team", "children_in_scope", "score", "rag"]],
        "changes": pd.DataFrame(changes),
        "moderation": moderation,
        "moderation_teams": moderation_teams,
        "actions_by_month": action_months,
        "actions_overdue": action_items,
        "overdue": overdue,
        "pseudonymised": pseudonymise,
        "latest_month": latest_month,
        "rag_green": config.rag_green,
        "rag_amber": config.rag_amber,
        "amber_points": config.indicator_amber_points,
        "amber_caseload": config.indicator_amber_caseload,
    }


def _agreement(decided: pd.DataFrame, by: str) -> pd.DataFrame:
    out = (
        decided.groupby(by)["agreed"]
        .agg(decisions="size", agree=lambda s: int(s.astype(bool).sum()))
        .reset_index()
    )
    out["agree_percent"] = (100 * out["agree"] / out["decisions"]).round(1)
    return out
