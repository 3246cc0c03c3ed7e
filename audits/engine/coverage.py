"""Columns and lists with nothing in them (DESIGN §2): warnings that keep "0 findings" or a run of
findings caused by an export that does not fill a column from reading as a verdict on practice.

- a column blank in every row of a list, with the rules whose findings rest on it;
- an Annex A list with headings but no rows, or absent, with the rules that had nothing to check
  or were not run for that reason.
"""

from __future__ import annotations

from audits.engine.registry import all_rules
from audits.engine.run import RuleOutcome
from audits.ingest.export import Export
from audits.model.spec import ANNEX_A


def coverage_warnings(export: Export, outcomes: list[RuleOutcome]) -> list[dict]:
    """Each warning: {kind, list, column, rules, message} (kind: blank column, empty list,
    absent list)."""
    rules = all_rules()
    found: list[dict] = []
    for spec in ANNEX_A:
        if not spec.audited:
            continue
        table = export.lists.get(spec.number)
        if table is None:
            ids = [
                o.rule.id
                for o in outcomes
                if not o.ran
                and spec.key in o.rule.needs
                and not o.rule.needs_any
                and _only_lacks(o.rule, spec.key, export)
            ]
            if ids:
                found.append(
                    _warning(
                        "absent list",
                        spec.number,
                        None,
                        ids,
                        f"{spec.display} ({spec.title}) is not in the export, so "
                        f"{_names(ids)} {'was' if len(ids) == 1 else 'were'} not run",
                    )
                )
            continue
        if table.frame.empty:
            ids = [
                r.id
                for r in rules
                if spec.key in r.needs and not r.needs_any and _only_lacks(r, spec.key, export)
            ]
            if ids:
                found.append(
                    _warning(
                        "empty list",
                        spec.number,
                        None,
                        ids,
                        f"{spec.display} ({spec.title}) has headings but no rows, so "
                        f"{_names(ids)} had nothing to check: no findings there is not a clean bill",
                    )
                )
            continue
        unreadable = export.unreadable
        unreadable_fields = set(
            unreadable.loc[unreadable["list"].astype(str) == spec.label, "field"]
        )
        for name in sorted(table.columns, key=[f.name for f in spec.fields].index):
            if name in unreadable_fields or table.frame[name].notna().any():
                continue
            ids = [
                r.id
                for r in rules
                if name in r.needs.get(spec.key, ()) and _only_lacks(r, spec.key, export)
            ]
            if not ids:
                continue
            heading = table.headings.get(name, spec.field(name).heading)
            found.append(
                _warning(
                    "blank column",
                    spec.number,
                    heading,
                    ids,
                    f"{spec.display} column '{heading}' is blank in every row (the export may not "
                    f"fill it); the findings of {_names(ids)} rest on it",
                )
            )
    return found


def _only_lacks(rule, key: str, export: Export) -> bool:
    """Whether every table the rule needs, other than `key`, is in the export (a rule that
    needs a history only the SSD holds is not said to rest on an Annex A list)."""
    return all(
        k == key
        or (export.lists.get(int(k[4:])) if k.startswith("list") else export.tables.get(k))
        is not None
        for k in rule.needs
    )


def _warning(kind: str, number: int | None, column: str | None, ids: list[str], message: str):
    return {"kind": kind, "list": number, "column": column, "rules": ids, "message": message}


def _names(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
