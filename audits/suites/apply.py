"""Great Expectations suites: declarative checks of the recording itself, editable without Python.

Each file `expectations/list_N.json` holds a suite for Annex A list N. Columns are named by their
Annex A heading as `audit rules` and the Rules sheet show it; coded fields hold the canonical
code (`Yes`, `No`, `Suitable` ...) and dates are dates. Each failing row becomes a DQ-05 finding
whose message is the expectation's `meta.message`. Great Expectations is imported only here and in
the helper process (`audits.suites.preload`), and only when a run finds suites to apply (it takes
about 3 seconds to import).
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.core import helper
from audits.core.encodings import decode_file
from audits.core.errors import InputError
from audits.ingest.export import ListTable
from audits.model.spec import BY_NUMBER
from audits.suites.preload import DEFAULT_DIR as DEFAULT_DIR  # re-exported
from audits.suites.preload import SUITE_FILE as _SUITE_FILE
from audits.suites.preload import has_suites
from audits.suites.preload import import_gx as _import_gx
from audits.suites.preload import quiet_offline_gx as _quiet_offline_gx

_COLUMN_KEYS = ("column", "column_A", "column_B")


@dataclass
class Suite:
    path: Path
    number: int
    name: str
    expectations: list[dict]


@dataclass
class Failure:
    number: int
    rows: list[int]  # source row numbers (`_row`)
    field: str
    column: str  # the heading whose value the finding shows
    message: str
    item: str


def find_suites(folder: Path) -> list[Suite]:
    if not folder.is_dir():
        return []
    suites = []
    for path in sorted(folder.iterdir()):
        m = _SUITE_FILE.match(path.name)
        if not m:
            continue
        number = int(m.group(1))
        if number not in BY_NUMBER:
            raise InputError(
                f"There is no Annex A List {number}",
                file=str(path),
                expected="list_1.json to list_11.json",
            )
        try:
            data = json.loads(decode_file(path))  # the one decoder: BOM, UTF-16, cp1252
        except json.JSONDecodeError as exc:
            raise InputError(
                f"The expectation suite is not valid JSON ({exc})",
                file=str(path),
                expected='{"name": ..., "expectations": [{"type": ..., "kwargs": {...}}]}',
            ) from None
        expectations = data.get("expectations") if isinstance(data, dict) else None
        if not isinstance(expectations, list):
            raise InputError(
                "The suite has no list of expectations",
                file=str(path),
                expected='an "expectations" list',
            )
        headings = {f.heading for f in BY_NUMBER[number].fields}
        for index, exp in enumerate(expectations):
            if not isinstance(exp, dict) or not isinstance(exp.get("type"), str):
                raise InputError(
                    f"Expectation {index + 1} has no type",
                    file=str(path),
                    expected='"type": "expect_..."',
                )
            for key in _COLUMN_KEYS:
                column = exp.get("kwargs", {}).get(key)
                if column is not None and column not in headings:
                    raise InputError(
                        f"Expectation {index + 1} names column '{column}', which is not a List {number} heading",
                        file=str(path),
                        expected="one of: " + ", ".join(sorted(headings)),
                    )
        suites.append(Suite(path, number, str(data.get("name") or path.stem), expectations))
    return suites


def preload(folder: Path) -> Future | None:
    """Start importing Great Expectations in the helper process while the export is read.

    The import is about 2-3 seconds of Python work; a thread would gain nothing (the GIL), a
    second process runs it on the other core. The suites are then validated in that process
    (`run_suites`), given only the columns they name. Only when there are suites to run.
    """
    global _preloaded
    if not has_suites(folder):
        return None
    _preloaded = helper.submit(_import_gx)
    return _preloaded


_preloaded: Future | None = None


def _headed_frame(table: ListTable, expectations: list[dict]) -> pd.DataFrame:
    """The list under its Annex A headings, cut to the columns the expectations mention (and
    `_row`): Great Expectations fingerprints every column of the frame it is given."""
    named = json.dumps([e.get("kwargs", {}) for e in expectations], default=str)
    columns = {
        f.name: f.heading
        for f in table.spec.fields
        if f.name in table.frame and json.dumps(f.heading)[1:-1] in named
    }
    return table.frame[["_row", *columns]].rename(columns=columns)


@dataclass
class _Job:
    """One suite's work for Great Expectations: the usable expectations and the list's columns
    they name (under their Annex A headings, with `_row`)."""

    suite: Suite
    usable: list[dict]
    frame: pd.DataFrame


@dataclass
class SuiteRun:
    """Suites being validated: in the helper process when `preload` started Great Expectations
    there (the work then overlaps this process's own), else here when the result is asked for."""

    jobs: list[_Job]
    notes: list[str]
    future: Future | None

    def result(self) -> tuple[list[Failure], list[str]]:
        """Row-level failures, and notes of what was skipped."""
        if not self.jobs:
            return [], self.notes
        kind, value = helper.run_here_if_lost(self.future, _validate_reporting, self.jobs)
        if kind == "input_error":
            raise InputError(**value)
        return value, self.notes


def start_suites(suites: list[Suite], tables: dict[int, ListTable]) -> SuiteRun:
    """Begin validating each list with its suite (see `SuiteRun`). The frames are handed over as
    they are now: start once the lists are final (teams renamed)."""
    todo = [s for s in suites if s.number in tables and not tables[s.number].frame.empty]
    jobs: list[_Job] = []
    notes: list[str] = []
    for suite in todo:
        table = tables[suite.number]
        present = {table.spec.field(name).heading for name in table.columns}
        usable, skipped = [], []
        for exp in suite.expectations:
            columns = [exp.get("kwargs", {}).get(k) for k in _COLUMN_KEYS]
            absent = [c for c in columns if c is not None and c not in present]
            (skipped if absent else usable).append(exp)
        if skipped:
            notes.append(
                f"{suite.path.name}: {len(skipped)} expectation(s) skipped, columns not in this export"
            )
        if usable:
            jobs.append(_Job(suite, usable, _headed_frame(table, usable)))
    future = helper.submit(_validate_reporting, jobs) if jobs and _preloaded is not None else None
    return SuiteRun(jobs, notes, future)


def run_suites(
    suites: list[Suite], tables: dict[int, ListTable]
) -> tuple[list[Failure], list[str]]:
    """Validate each list with its suite; return row-level failures and notes of what was skipped."""
    return start_suites(suites, tables).result()


def _validate_reporting(jobs: list[_Job]) -> tuple[str, object]:
    """`_validate`, with bad input returned as data (it crosses the process boundary whole)."""
    try:
        return "ok", _validate(jobs)
    except InputError as exc:
        fields = ("file", "sheet", "column", "row", "expected", "action")
        return "input_error", {"problem": exc.problem, **{f: getattr(exc, f) for f in fields}}


def _validate(jobs: list[_Job]) -> list[Failure]:
    _quiet_offline_gx()
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.exceptions import (
        ExpectationNotFoundError,
        InvalidExpectationConfigurationError,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={},  # no documentation site: nothing is written outside --out
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    # One asset and one batch definition for every list; each list's frame is given as the
    # batch's parameter and validated against a suite held only here (`Batch.validate`): adding
    # an asset, a suite or a validation definition to the context saves its whole configuration
    # again, which cost more than the validation itself on a council's month.
    batches = (
        context.data_sources.add_pandas("export")
        .add_dataframe_asset("list")
        .add_batch_definition_whole_dataframe("month")
    )
    failures: list[Failure] = []
    for job in jobs:
        suite, usable = job.suite, job.usable
        for exp in usable:
            try:
                get_expectation_impl(exp["type"])
            except ExpectationNotFoundError:
                raise InputError(
                    f"Expectation type '{exp['type']}' is not valid: Great Expectations has no such expectation",
                    file=str(suite.path),
                    expected="a Great Expectations 1.x type such as expect_column_values_to_not_be_null",
                ) from None
        try:
            tagged = [
                {**e, "meta": {**(e.get("meta") or {}), "casefile_index": i}}
                for i, e in enumerate(usable)
            ]
            gx_suite = ExpectationSuite(name=f"list_{suite.number}", expectations=tagged)
            if len(gx_suite.expectations) != len(tagged):
                raise InvalidExpectationConfigurationError(
                    "an expectation's arguments were not accepted"
                )
        except InvalidExpectationConfigurationError as exc:
            raise InputError(
                f"An expectation in the suite is not valid ({exc})",
                file=str(suite.path),
                expected="Great Expectations 1.x expectation types and arguments",
            ) from None
        result = batches.get_batch(batch_parameters={"dataframe": job.frame}).validate(
            gx_suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row"]},
        )
        for res in result.results:  # Great Expectations does not keep the suite's order
            exp = usable[int(res.expectation_config.meta["casefile_index"])]
            if res.exception_info and res.exception_info.get("raised_exception"):
                raise InputError(
                    f"Expectation '{exp['type']}' could not be evaluated: {res.exception_info.get('exception_message')}",
                    file=str(suite.path),
                )
            if res.success:
                continue
            rows = [int(r["_row"]) for r in res.result.get("unexpected_index_list") or []]
            kwargs = exp.get("kwargs", {})
            main = kwargs.get("column") or kwargs.get("column_A") or ""
            field = (
                main if "column_B" not in kwargs else f"{kwargs['column_A']} / {kwargs['column_B']}"
            )
            message = (exp.get("meta") or {}).get("message") or f"{exp['type']} failed for {field}"
            item = json.dumps({"type": exp["type"], "kwargs": kwargs}, sort_keys=True, default=str)
            failures.append(Failure(suite.number, rows, field, main, message, item))
    return failures
