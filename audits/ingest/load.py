"""Load an export (one workbook, one CSV, or a folder of them) into canonical list frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audits.errors import InputError
from audits.ingest import values
from audits.ingest.keys import KeyCodes, encode
from audits.ingest.read import SPREADSHEET_SUFFIXES, CsvTable, RawTable, read_tables
from audits.ingest.recognise import Recognition, column_letter, recognise
from audits.spec import ALL_SPECS, LIST9_2024_FIELDS, ListSpec

KEY_COLUMNS = ("child_id", "worker")
UNREADABLE_COLUMNS = [
    "list",
    "file",
    "sheet",
    "row",
    "column",
    "heading",
    "field",
    "child_id",
    "team",
    "worker",
    "value",
    "expected",
]


@dataclass
class ListTable:
    """One recognised list: canonical columns plus `_row`, the row number in the source."""

    spec: ListSpec
    frame: pd.DataFrame
    file: Path
    sheet: str | None
    recognised_by: str
    headings: dict[str, str]
    unmatched_headings: list[str]

    @property
    def columns(self) -> set[str]:
        return set(self.headings)

    @property
    def source(self) -> str:
        return self.file.name + (f" / {self.sheet}" if self.sheet else "")

    @property
    def layout(self) -> str | None:
        if self.spec.number != 9:
            return None
        if set(LIST9_2024_FIELDS) <= self.columns:
            return "2024 layout (17 columns)"
        return "2019 layout (13 columns)"


@dataclass
class Export:
    path: Path
    files: list[Path]
    lists: dict[int, ListTable]
    unreadable: pd.DataFrame
    skipped: list[str] = field(default_factory=list)  # sheets/files that are not Annex A lists
    tables: dict[str, ListTable] = field(default_factory=dict)  # local tables by key
    _keys: dict[str, KeyCodes] = field(default_factory=dict, repr=False)

    def get(self, number: int) -> ListTable | None:
        return self.lists.get(number)

    def all_tables(self) -> dict[str, ListTable]:
        """Lists ('list4') and local tables ('workers') by key."""
        return {**{t.spec.key: t for t in self.lists.values()}, **self.tables}

    def keys(self, column: str) -> KeyCodes:
        """Shared integer codes of a key column (`child_id`, `worker`) across every table.

        Computed once, when the export is loaded (or on first use); the frames do not change
        after loading except for team renames, which touch no key column.
        """
        if column not in self._keys:
            self._keys[column] = encode(
                {key: t.frame[column] for key, t in self.all_tables().items() if column in t.frame}
            )
        return self._keys[column]

    def set_keys(self, column: str, keys: KeyCodes) -> None:
        """Codes computed elsewhere (e.g. several councils' exports combined)."""
        self._keys[column] = keys

    def row_counts(self) -> dict[int, int]:
        return {n: len(t.frame) for n, t in sorted(self.lists.items())}


def export_files(path: Path) -> list[Path]:
    """The files of the export. Only regular files are read (not a FIFO, a device such as
    /dev/null, or a socket), and in a folder a symbolic link is never followed out of it."""
    if not path.exists():
        raise InputError(
            "The export was not found",
            file=str(path),
            expected="a workbook, a CSV file, or a folder holding them",
        )
    if not path.is_file() and not path.is_dir():
        raise InputError(
            "The export is not an ordinary file or folder (it is a device, a pipe or a socket)",
            file=str(path),
            expected="a workbook, a CSV file, or a folder holding them",
            action="Name the exported file itself",
        )
    if path.is_file():
        return [path]
    outside = links_outside(path)
    files = [
        p
        for p in sorted(path.iterdir())
        if p.is_file()
        and p.name not in outside
        and p.suffix.lower() in SPREADSHEET_SUFFIXES
        and not p.name.startswith(("~$", "."))
    ]
    if not files:
        raise InputError(
            "The folder holds no spreadsheet or CSV files"
            + (
                f" (links to files outside it are not followed: {', '.join(outside)})"
                if outside
                else ""
            ),
            file=str(path),
            expected="Annex A lists as .xlsx, .xls or .csv files",
        )
    return files


def links_outside(folder: Path) -> list[str]:
    """Names of the symbolic links in an export folder that lead out of it (never read)."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return [
        p.name
        for p in sorted(folder.iterdir())
        if p.is_symlink() and not p.resolve().is_relative_to(root)
    ]


def load_export(path: Path | str, specs: tuple[ListSpec, ...] = ALL_SPECS) -> Export:
    """Read, recognise and normalise every list in the export; raise InputError if none is usable."""
    path = Path(path)
    from audits.ingest.returns import load_return  # CIN census XML or SSDA903 CSVs, by content

    if (statutory := load_return(path)) is not None:
        return statutory
    files = export_files(path)
    found: dict[str, ListTable] = {}
    unreadable: list[pd.DataFrame] = []
    skipped = [
        f"{name} (a link to a file outside the export folder: not read)"
        for name in links_outside(path)
    ]
    for file in files:
        for raw in read_tables(file):
            recognition = recognise(raw, specs)
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
    export = Export(path, files, dict(sorted(lists.items())), bad_all, skipped, tables)
    for key in KEY_COLUMNS:
        export.keys(key)  # hashed once here, shared by the cross-list rules
    return export


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
    for (parse, *args), members in _by_parser(rec).items():
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


def _by_parser(rec: Recognition) -> dict[tuple, list[tuple[int, str]]]:
    """The table's columns grouped by how their values are parsed: (parser, its arguments)."""
    groups: dict[tuple, list[tuple[int, str]]] = {}
    for col, name in rec.columns.items():
        f = rec.spec.field(name)
        if f.kind == "date":
            key: tuple = (values.dates,)
        elif f.kind == "number":
            key = (values.numbers, f.count)
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
