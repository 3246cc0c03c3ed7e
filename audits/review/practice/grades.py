"""Practice-audit grades summarised: distribution, auditor-moderator agreement (exact and
linearly weighted kappa), direction of changes, escalations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.model.grades import GRADES


def weighted_kappa(
    a: pd.Series, b: pd.Series, categories: tuple[str, ...] = GRADES
) -> float | None:
    """Cohen's kappa with linear weights |i - j| / (k - 1) for ordered grades."""
    pairs = pd.DataFrame({"a": a, "b": b}).dropna()
    if pairs.empty:
        return None
    k = len(categories)
    index = {c: i for i, c in enumerate(categories)}
    observed = np.zeros((k, k))
    for x, y in zip(pairs["a"].map(index), pairs["b"].map(index), strict=True):
        observed[x, y] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    disagreement_expected = (weights * expected).sum()
    if disagreement_expected == 0:
        return 1.0
    return float(1 - (weights * observed).sum() / disagreement_expected)


def grade_report(frame: pd.DataFrame) -> dict:
    """Distribution, exact agreement, weighted kappa, direction of changes, per auditor and team."""
    both = frame.dropna(subset=["auditor_grade", "moderator_grade"])
    rank = {g: i for i, g in enumerate(GRADES)}
    moved = both["moderator_grade"].map(rank).astype(float) - both["auditor_grade"].map(
        rank
    ).astype(float)

    def agreement_by(column: str) -> dict:
        out = {}
        for key, group in both.groupby(both[column].fillna("(none)")):
            out[str(key)] = {
                "audits": len(group),
                "exact_agreement_percent": round(
                    100 * float((group["auditor_grade"] == group["moderator_grade"]).mean()), 1
                ),
            }
        return out

    return {
        "audits": len(frame),
        "auditor_grades": {g: int((frame["auditor_grade"] == g).sum()) for g in GRADES},
        "moderated_grades": {g: int((frame["moderator_grade"] == g).sum()) for g in GRADES},
        "moderated": len(both),
        "exact_agreement_percent": round(100 * float((moved == 0).mean()), 1)
        if len(both)
        else None,
        "weighted_kappa": None
        if both.empty
        else round(weighted_kappa(both["auditor_grade"], both["moderator_grade"]), 3),
        "upgraded": int((moved < 0).sum()),
        "downgraded": int((moved > 0).sum()),
        "by_auditor": agreement_by("auditor"),
        "by_team": agreement_by("team"),
        "escalations": frame.loc[frame["escalate"], ["row", "child_id", "team", "auditor"]].to_dict(
            "records"
        ),
        "good_or_better_percent": (
            round(
                100
                * float(
                    frame["moderator_grade"].fillna(frame["auditor_grade"]).isin(GRADES[:2]).mean()
                ),
                1,
            )
            if len(frame)
            else None
        ),
    }
