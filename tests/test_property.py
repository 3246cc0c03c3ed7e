"""Property: whatever export arrives, the tool either audits it or refuses it clearly.

Random lists with random headings, values and encodings: the exit code is 0 or 1, never a
traceback, and every finding names a child who is in the input.
"""

from __future__ import annotations

import datetime as dt
import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from audits.cli import app
from audits.spec import ANNEX_A

runner = CliRunner()
SPECS = [s for s in ANNEX_A if s.audited]
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " =+-@/.:'\"\t,;é£€", max_size=12)
DATES = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2110, 12, 31))
VALUES = st.one_of(
    st.just(""),
    TEXT,
    DATES.map(lambda d: d.strftime("%d/%m/%Y")),
    DATES.map(lambda d: d.isoformat()),
    st.integers(min_value=-5, max_value=80000).map(str),
    st.sampled_from(
        ["a) Yes", "No", "Y", "b) Female", "#N/A", "31/02/2026", "U4", "Suitable", "\u00a0"]
    ),
)


@st.composite
def exports(draw):
    spec = draw(st.sampled_from(SPECS))
    headings = [f.heading for f in spec.fields]
    chosen = draw(
        st.lists(st.sampled_from(headings), min_size=1, max_size=len(headings), unique=True)
    )
    if draw(st.integers(0, 9)) < 8:  # mostly a recognisable list, sometimes not
        signature = [spec.field(n).heading for n in (spec.id_field, *spec.signature)]
        chosen = signature + [h for h in chosen if h not in signature]
        chosen = draw(st.permutations(chosen))
    chosen += draw(
        st.lists(st.sampled_from(["Notes", "Extra", "Column X"]), max_size=2, unique=True)
    )
    rows = draw(st.lists(st.lists(VALUES, min_size=len(chosen), max_size=len(chosen)), max_size=12))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    title = draw(st.booleans())
    return chosen, rows, encoding, title


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports())
def test_any_export_is_audited_or_refused_never_a_traceback(tmp_path_factory, export):
    headings, rows, encoding, title = export
    folder = tmp_path_factory.mktemp("export")
    lines = (["List: a title row"] if title else []) + [",".join(_csv_cell(h) for h in headings)]
    lines += [",".join(_csv_cell(v) for v in row) for row in rows]
    (folder / "export.csv").write_bytes(
        ("\n".join(lines) + "\n").encode(encoding, errors="replace")
    )
    out = folder / "out"
    result = runner.invoke(
        app, ["run", str(folder / "export.csv"), "--as-at", "2026-11-23", "--out", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 1:
        assert "Error:" in result.output and "export" in result.output
        return
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    if "Child Unique ID" not in headings:
        assert (findings["child_id"] == "").all()
        return
    column = headings.index("Child Unique ID")
    written = {" ".join(row[column].replace("\u00a0", " ").split()) for row in rows}
    written |= {w.removesuffix(".0") for w in written}
    for child in set(findings["child_id"]) - {""}:
        neutralised = child.startswith("'") and child[1:2] in ("=", "+", "-", "@", "\t", "\r")
        assert (child[1:] if neutralised else child) in written, child
