"""The Annex A adapter: one workbook, one CSV, or a folder of them, read into canonical lists.

Each sheet or CSV file is recognised by its headings (or a sheet name such as `List_8`), its
values are parsed by the kind of their field, and every value that cannot be read is kept
visible (DQ-04) with its file, sheet, row and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audits.core.errors import InputError
from audits.ingest import values
from audits.ingest.annex_a.recognise import Recognition, column_letter, recognise
from audits.ingest.export import (
    UNREADABLE_COLUMNS,
    Export,
    ListTable,
    export_files,
    not_followed_notes,
)
from audits.ingest.read import CsvTable, RawTable, read_tables
from audits.model.spec import ALL_SPECS, ListSpec


def load_annex_a(path: Path, specs: tuple[ListSpec, ...] = ALL_SPECS) -> Export:
    """Read, recognise and normalise every list in the export; raise InputError if none is usable."""
    files = export_files(path)
    found: dict[str, ListTable] = {}
    unreadable: list[pd.DataFrame] = []
    skipped, notes = not_followed_notes(path)
    for file in files:
        for raw in read_tables(file):
            recognition = recognise(raw, specs)
            notes += raw.notes
            if recognition is None:
                skipped.append(raw.where)
                continue
            spec = recognition.spec
            if spec.key in found:
                raise InputError(
                    f"{spec.display} appears twice: in {found[spec.key].source} and in {raw.where}",
                    file=str(file),
                    sheet=raw.sheet,
                    expected="each list once in an export",
                    action="Remove the older copy, or audit the two exports separately",
                )
            table, bad = normalise(raw, recognition)
            found[spec.key] = table
            unreadable.append(bad)
    lists = {t.spec.number: t for t in found.values() if t.spec.number is not None}
    tables = {t.spec.key: t for t in found.values() if t.spec.number is None}
    audited = [t for t in lists.values() if t.spec.audited]
    if not audited:
        raise InputError(
            "No Annex A list was recognised in the export",
            file=str(path),
            expected="sheets or CSV files with Annex A headings such as 'Child Unique ID' and "
            "'Date Started to be Looked After', or sheets named like 'List_8'",
            action="Check that this is the Annex A export; files found: "
            + ", ".join(f.name for f in files),
        )
    if all(t.frame.empty for t in audited):
        raise InputError(
            "Every Annex A list in the export has headings but no rows, so there is nothing to audit",
            file=str(path),
            expected="at least one list with child records",
            action="Check the export's date range and run it again",
        )
    frames = [u for u in unreadable if not u.empty]
    bad_all = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=UNREADABLE_COLUMNS)
    )
    return Export(path, files, dict(sorted(lists.items())), bad_all, skipped, tables, notes=notes)


def _body(raw: RawTable, rec: Recognition) -> pd.DataFrame:
    """Data rows below the heading, indexed by their row number in the source (1-based)."""
    if isinstance(raw, CsvTable):
        width = len(raw.rows[rec.header_index])
        return raw.body(rec.header_index, width)
    rows = raw.rows[rec.header_index + 1 :]
    width = max((len(r) for r in rows), default=0)
    width = max(width, rec.width)
    # dtype=object keeps a blank (None) apart from a NaN number, which is reported
    frame = values.mark_non_finite(
        pd.DataFrame(rows, columns=range(width), dtype=object)
        if rows
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    if raw.row_numbers is not None:
        frame.index = pd.Index(raw.row_numbers[rec.header_index + 1 :], dtype="int64")
    else:
        frame.index = pd.RangeIndex(rec.header_index + 2, rec.header_index + 2 + len(frame))
    return frame


def normalise(raw: RawTable, rec: Recognition) -> tuple[ListTable, pd.DataFrame]:
    spec = rec.spec
    body = _body(raw, rec)
    if len(body.columns):
        body = body[~(body.isna() | body.eq("")).all(axis=1)]  # empty rows, cheaply
    parsed: dict[str, tuple[pd.Series, pd.Series]] = {}
    for (parse, *args), members in _by_parser(rec, raw).items():
        results = _parse_together(parse, [body[col] for col, _ in members], *args)
        parsed.update({name: result for (_, name), result in zip(members, results, strict=True)})
    out = pd.DataFrame(index=body.index)
    masks: dict[str, pd.Series] = {}
    for name in rec.columns.values():  # in the sheet's order
        out[name], masks[name] = parsed[name]
        if spec.field(name).kind == "id":
            out[name] = values.identifier(out[name])
    unheaded = {col: values.text(body[col]) for col in _unheaded_columns(raw, rec, body)}
    keep = out.notna().any(axis=1)  # rows of spaces, '#N/A' and the like are blank rows too
    for mask in masks.values():
        keep |= mask
    for words in unheaded.values():
        keep |= words.notna()
    body, out = body[keep], out[keep]
    masks = {name: mask[keep] for name, mask in masks.items()}
    unheaded = {col: words[keep] for col, words in unheaded.items()}
    out.insert(0, "_row", out.index.astype("int64"))
    out = out.reset_index(drop=True)
    bad = _unreadable_records(raw, rec, body, out, masks)
    bad = pd.concat(
        [bad, _values_without_heading(raw, rec, out, unheaded), _stray_cells(raw, rec, out)],
        ignore_index=True,
    )
    table = ListTable(spec, out, raw.file, raw.sheet, rec.by, rec.headings, rec.unmatched)
    return table, bad


def _by_parser(rec: Recognition, raw: RawTable) -> dict[tuple, list[tuple[int, str]]]:
    """The table's columns grouped by how their values are parsed: (parser, its arguments). The
    file's own conventions go with them: its date system (serial numbers of a 1904 workbook)
    and its decimal mark (a `;`-separated CSV writes 0,5)."""
    groups: dict[tuple, list[tuple[int, str]]] = {}
    for col, name in rec.columns.items():
        f = rec.spec.field(name)
        if f.kind == "date":
            key: tuple = (values.dates, raw.date_system)
        elif f.kind == "number":
            key = (values.numbers, f.count, raw.decimal)
        elif f.kind == "code" and f.domain is not None:
            key = (values.coded, f.domain)
        else:  # identifiers and text: checked as text (identifiers tidied afterwards)
            key = (values.checked_text,)
        groups.setdefault(key, []).append((col, name))
    return groups


def _parse_together(parse, columns: list[pd.Series], *args) -> list[tuple[pd.Series, pd.Series]]:
    """`parse` over several columns at once, stacked, then split back. Every parser reads each
    value on its own, so this gives what one call per column gives; pandas' fixed cost per call
    (most of the work for a short list with many columns) is paid once per table and parser."""
    if len(columns) == 1:
        return [parse(columns[0], *args)]
    stacked = pd.concat([c.astype(object) for c in columns], ignore_index=True)
    whole = parse(stacked, *args)
    results, start = [], 0
    for column in columns:
        stop = start + len(column)
        results.append(
            tuple(
                pd.Series(part.array[start:stop], index=column.index, name=column.name)
                for part in whole
            )
        )
        start = stop
    return results


def _unheaded_columns(raw: RawTable, rec: Recognition, body: pd.DataFrame) -> list[int]:
    headed = set(rec.columns) | {
        i for i, c in enumerate(raw.rows[rec.header_index]) if c is not None and str(c).strip()
    }
    return [col for col in body.columns if col not in headed]


def _context(out: pd.DataFrame, positions: pd.Index) -> dict[str, pd.Series]:
    picked = out.iloc[positions]
    return {
        name: picked[name].reset_index(drop=True)
        if name in picked
        else pd.Series([pd.NA] * len(picked), dtype=object)
        for name in ("child_id", "team", "worker")
    }


def _unreadable_records(raw, rec, body, out, masks) -> pd.DataFrame:
    parts = []
    col_of = {name: col for col, name in rec.columns.items()}
    for name, mask in masks.items():
        mask = mask.reindex(body.index, fill_value=False).to_numpy()
        if not mask.any():
            continue
        positions = pd.Index(mask.nonzero()[0])
        f = rec.spec.field(name)
        expected = {
            "date": "a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date) between 1900 and 2099",
            "number": f"a whole number of zero or more (at most {values.COUNT_MAX:,})"
            if f.count
            else "a number of zero or more",
            "code": f"one of: {f.domain.describe()}" if f.domain else "a code",
            "id": "an identifier, not a spreadsheet error or a formula without its result",
            "text": "a value, not a spreadsheet error or a formula without its result",
        }[f.kind]
        cells = body[col_of[name]].iloc[positions]
        raw_values = values.text(cells).fillna(cells.astype(str).str.strip()).reset_index(drop=True)
        ctx = _context(out, positions)
        parts.append(
            pd.DataFrame(
                {
                    "list": rec.spec.label,
                    "file": raw.file.name,
                    "sheet": raw.sheet or "",
                    "row": out["_row"].iloc[positions].to_numpy(),
                    "column": column_letter(col_of[name]),
                    "heading": rec.headings[name],
                    "field": name,
                    "child_id": ctx["child_id"],
                    "team": ctx["team"],
                    "worker": ctx["worker"],
                    "value": raw_values,
                    "expected": expected,
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=UNREADABLE_COLUMNS)
    )


def _values_without_heading(raw, rec, out, unheaded: dict[int, pd.Series]) -> pd.DataFrame:
    """Values in columns that have no heading: rows that do not fit the heading row."""
    parts = []
    for col, words in unheaded.items():
        mask = words.notna().to_numpy()
        if not mask.any():
            continue
        positions = pd.Index(mask.nonzero()[0])
        ctx = _context(out, positions)
        parts.append(
            pd.DataFrame(
                {
                    "list": rec.spec.label,
                    "file": raw.file.name,
                    "sheet": raw.sheet or "",
                    "row": out["_row"].iloc[positions].to_numpy(),
                    "column": column_letter(col),
                    "heading": "",
                    "field": "",
                    "child_id": ctx["child_id"],
                    "team": ctx["team"],
                    "worker": ctx["worker"],
                    "value": words.iloc[positions].reset_index(drop=True),
                    "expected": "no value: this column has no heading, so the row does not fit "
                    "the heading row",
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=UNREADABLE_COLUMNS)
    )


def _stray_cells(raw: RawTable, rec: Recognition, out: pd.DataFrame) -> pd.DataFrame:
    """Cells far to the right of the table (beyond the columns read), below the heading row."""
    heading_row = raw.row_numbers[rec.header_index] if raw.row_numbers else rec.header_index + 1
    cells = [(r, c, v) for r, c, v in raw.stray if r > heading_row]
    if not cells:
        return pd.DataFrame(columns=UNREADABLE_COLUMNS)
    rows = pd.Series([r for r, _, _ in cells], dtype="int64")
    ctx = {
        name: rows.map(pd.Series(out[name].to_numpy(), index=out["_row"].to_numpy()))
        if name in out
        else pd.Series([pd.NA] * len(rows), dtype=object)
        for name in ("child_id", "team", "worker")
    }
    return pd.DataFrame(
        {
            "list": rec.spec.label,
            "file": raw.file.name,
            "sheet": raw.sheet or "",
            "row": rows,
            "column": [column_letter(c) for _, c, _ in cells],
            "heading": "",
            "field": "",
            "child_id": ctx["child_id"],
            "team": ctx["team"],
            "worker": ctx["worker"],
            "value": values.text(pd.Series([v for _, _, v in cells], dtype=object)),
            "expected": "no value: the cell is far to the right of the table, under no heading",
        }
    )


def load_local_tables(
    files: list[Path], specs: tuple[ListSpec, ...]
) -> tuple[dict[str, ListTable], pd.DataFrame]:
    """The council's local tables among `files` (given beside another input, e.g. the SSD's CSV
    dumps), recognised and read as in an Annex A export; other files are left alone."""
    found: dict[str, ListTable] = {}
    unreadable = []
    for file in files:
        for raw in read_tables(file):
            recognition = recognise(raw, specs)
            if recognition is None or recognition.spec.key in found:
                continue
            table, bad = normalise(raw, recognition)
            found[recognition.spec.key] = table
            unreadable.append(bad)
    frames = [u for u in unreadable if not u.empty]
    bad_all = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=UNREADABLE_COLUMNS)
    )
    return found, bad_all
