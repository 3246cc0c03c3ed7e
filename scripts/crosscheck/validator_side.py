"""Run the D2I CIN validator's 8670Q and 8675Q on CIN census files (inside its own venv).

Prints one JSON object: for each file, the ReferenceDate, the ruleset used, the bank holidays the
validator counts with, and the (child, start date) of every assessment (8670Q) and s47 enquiry
(8675Q) it queries. Run by scripts/crosscheck/compare.py; never by casefile-audit itself.
"""

from __future__ import annotations

import importlib
import json
import sys
import xml.etree.ElementTree as ET

import cin_validator.cin_validator as cv
from cin_validator import england_holidates

RULES = {
    "8670Q": ("Assessments", "AssessmentActualStartDate"),
    "8675Q": ("Section47", "S47ActualStartDate"),
}
RULESETS = ("cin2022_23", "cin2023_24", "cin2024_25", "cin2025_26", "cin2026_27")


def ruleset_for(reference: str) -> str:
    year = int(reference[:4])
    name = f"cin{year - 1}_{str(year)[2:]}"
    return name if name in RULESETS else RULESETS[-1 if year > 2027 else 0]


def check(path: str) -> dict:
    root = ET.parse(path).getroot()
    files = cv.process_data(cv.convert_data(root))
    reference = root.findtext("Header/CollectionDetails/ReferenceDate").strip()
    ruleset = ruleset_for(reference)
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    issues = cv.CinValidator(files, registry, selected_rules=list(RULES)).full_issue_df
    found = {}
    for code, (table, column) in RULES.items():
        rows = issues.loc[issues["rule_code"] == code, "row_id"].astype(int).unique()
        data = files[table].loc[rows]
        found[code] = sorted(
            [str(c), d.strftime("%Y-%m-%d")]
            for c, d in zip(data["LAchildID"], data[column], strict=True)
        )
    return {"reference_date": reference, "ruleset": ruleset, "issues": found}


def main() -> None:
    out = {path: check(path) for path in sys.argv[1:]}
    holidays = [d.isoformat() for d in england_holidates.england_holidates]
    print(json.dumps({"holidays": holidays, "files": out}))


if __name__ == "__main__":
    main()
