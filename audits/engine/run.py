"""Run every registered rule over an export; record which ran and which could not, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from audits.engine import findings as build_findings
from audits.engine.context import Context
from audits.engine.hits import RuleHits, hit_blocks
from audits.engine.registry import Rule, all_rules


@dataclass
class RuleOutcome:
    rule: Rule
    ran: bool
    reason: str = ""
    findings: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    findings: pd.DataFrame
    outcomes: list[RuleOutcome]

    @property
    def not_run(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.ran]


TABLE_NAMES = {
    "care_leaver_documents": "care leaver documents table",
    "workers": "workers table",
    "management_oversight": "management oversight table",
    "cin_visits": "the history of visits to children in need (in the SSD, not in Annex A)",
    "cp_visits": "the history of child protection visits (in the SSD, not in Annex A)",
    "cla_visits": "the history of visits to children in care (in the SSD, not in Annex A)",
    "cla_placements": "the history of placements (in the SSD, not in Annex A)",
    "missing_episodes": "the history of missing episodes (in the SSD, not in Annex A)",
    "involvements": "the history of allocated workers (in the SSD, not in Annex A)",
}


def _table_label(key: str) -> str:
    return f"List {key[4:]}" if key.startswith("list") else TABLE_NAMES.get(key, key)


def _in_rule_order(parts: list[pd.DataFrame], rule_ids: list[str]) -> pd.DataFrame:
    """Findings built in parts, in the order one build over every rule gives: by rule, and
    within a rule as built (ids never collide across rules: the rule is part of the id)."""
    parts = [p for p in parts if len(p)]
    if len(parts) <= 1:
        return parts[0] if parts else build_findings.build_all([], pd.Timestamp(0))
    joined = pd.concat(parts, ignore_index=True)
    place = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    order = joined["rule_id"].map(place).to_numpy()
    return joined.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _ran(rule: Rule, raw: RuleHits, problems: list[str], ctx: Context) -> RuleOutcome:
    notes = problems + ctx.notes.get(rule.id, [])
    found = sum(len(block) for block in hit_blocks(raw))
    return RuleOutcome(rule, ran=True, findings=found, notes=notes)


def missing_inputs(rule: Rule, ctx: Context) -> tuple[list[str], list[str]]:
    """(tables or columns absent, tables usable) for a rule."""
    problems, usable = [], []
    for key, columns in rule.needs.items():
        table = ctx.table(key)
        if table is None:
            why = ctx.export.absent.get(key)
            problems.append(
                f"{_table_label(key)} is not in the export" + (f" ({why})" if why else "")
            )
            continue
        absent = [c for c in columns if c not in table.columns]
        if absent:
            headings = ", ".join(f"'{table.spec.field(c).heading}'" for c in absent)
            layout = f" ({table.layout})" if table.layout else ""
            whys = list(dict.fromkeys(table.absent[c] for c in absent if c in table.absent))
            why = f" ({'; '.join(whys)})" if whys else ""
            problems.append(f"{_table_label(key)}{layout} has no column {headings}{why}")
            continue
        usable.append(key)
    return problems, usable


@dataclass
class Later:
    """What a rule returns when its work is still under way elsewhere (DQ-05: the suites in the
    helper process): `collect` is called once the other rules have run, so they overlap it."""

    collect: Callable[[], RuleHits]


def run_rules(ctx: Context, rules: list[Rule] | None = None) -> RunResult:
    rules = rules if rules is not None else all_rules()
    outcomes: list[RuleOutcome] = []
    raws: list[tuple[Rule, RuleHits]] = []
    later: list[tuple[int, int, list[str]]] = []  # (outcome, raw, problems) still to collect
    for rule in rules:
        problems, usable = missing_inputs(rule, ctx)
        if (
            problems
            and rule.or_needs
            and not missing_inputs(replace(rule, needs=rule.or_needs), ctx)[0]
        ):
            problems = []  # runs on what a statutory return carries instead
        if problems and not (rule.needs_any and usable):
            outcomes.append(RuleOutcome(rule, ran=False, reason="; ".join(problems)))
            continue
        raw = rule.func(ctx)
        if isinstance(raw, Later):
            later.append((len(outcomes), len(raws), problems))
            raws.append((rule, raw))
            outcomes.append(RuleOutcome(rule, ran=True))
            continue
        raws.append((rule, raw))
        outcomes.append(_ran(rule, raw, problems, ctx))
    # the findings of the rules that are done are built while the others' work goes on
    pending = {raw_at for _, raw_at, _ in later}
    done = build_findings.build_all([r for i, r in enumerate(raws) if i not in pending], ctx.date)
    for at, raw_at, problems in later:
        rule = raws[raw_at][0]
        raw = raws[raw_at][1].collect()
        raws[raw_at] = (rule, raw)
        outcomes[at] = _ran(rule, raw, problems, ctx)
    collected = build_findings.build_all([raws[i] for i in sorted(pending)], ctx.date)
    findings = _in_rule_order([done, collected], [rule.id for rule, _ in raws])
    return RunResult(findings[[*build_findings.FINDING_COLUMNS, "source_row"]], outcomes)
