"""Read spreadsheet files into raw tables of cell values (no interpretation yet).

Formats: `.xlsx`/`.xlsm` (openpyxl, read-only, cached values), legacy `.xls` (xlrd), and
`.csv`/`.txt` in UTF-8, UTF-8 with BOM, UTF-16 (with or without BOM) or cp1252. Files are
identified by their bytes, not their names, so a CSV named `.xlsx` or a PDF named `.xlsx` is
caught with a clear message.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import pandas as pd

from audits.core.errors import InputError
from audits.ingest.xlsx_cells import (
    DamagedSheet,
    date_styles,
    read_cells,
    scan,
    shared_strings,
)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt"}
HEAD_ROWS = 12  # rows searched for the heading row (title rows may stand above it)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 100  # real sheets pack 5 to 30 times


@dataclass
class RawTable:
    """The cells of one sheet or CSV file: `head` for recognition, `frame` for the data rows."""

    file: Path
    sheet: str | None
    rows: list[tuple]  # every row as read, heading and title rows included
    row_numbers: list[int] | None = None  # 1-based row of each entry of `rows`; None: 1, 2, ...
    stray: list[tuple[int, int, object]] = field(default_factory=list)  # (row, col) far right

    @property
    def where(self) -> str:
        return f"{self.file.name}" + (f" / {self.sheet}" if self.sheet else "")


def sniff_kind(path: Path) -> str:
    """'xlsx', 'xls', 'csv', or raise InputError for bytes that are none of these."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise InputError(
            "The file is empty (0 bytes)",
            file=str(path),
            expected="an Annex A workbook (.xlsx or .xls) or CSV file",
            action="Export the list again from the case system",
        )
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        data = path.read_bytes()
        if _ENCRYPTED_MARK in data:
            raise InputError(
                "The workbook is password-protected (encrypted), so it cannot be read",
                file=str(path),
                expected="an unprotected workbook",
                action="Open it in Excel, remove the password (File > Info > Protect Workbook) "
                "and save a copy",
            )
        return "xls"
    if _looks_like_text(head):
        return "csv"
    raise InputError(
        "The file is not a spreadsheet or CSV file (its contents are not Excel or text)",
        file=str(path),
        expected="an Annex A workbook (.xlsx or .xls) or CSV file",
        action="Check that the right file was exported; rename does not convert a file",
    )


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        if _utf16_without_bom(head) is not None:
            return True
        if head.count(0) > max(len(head) // 100, 2):  # a stray NUL in text, not binary data
            return False
        head = head.replace(b"\x00", b"")
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4 and len(head) >= 4000:  # a character cut by the window
            return True
    try:
        text = head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / max(len(text), 1) > 0.95


def _utf16_without_bom(head: bytes) -> str | None:
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def read_tables(path: Path, only: str | None = None) -> Iterator[RawTable]:
    """Every sheet (or the CSV file) as read; with `only`, a workbook's sheet of that name alone
    (a returned workbook: the others are not read at all)."""
    kind = sniff_kind(path)
    if kind == "xlsx":
        yield from _read_xlsx(path, only)
    elif kind == "xls":
        yield from _read_xls(path)
    else:
        yield _read_csv(path)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"The workbook is damaged and cannot be opened ({exc})",
            file=str(path),
            expected="a complete .xlsx file",
            action="Export or copy the file again",
        ) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or (
        total > 50 * 1024**2 and total / packed > MAX_COMPRESSION_RATIO
    ):
        raise InputError(
            f"The workbook would expand to {total / 1024**2:,.0f} MB "
            f"({total / packed:,.0f} times its size on disk), which is not a plausible export",
            file=str(path),
            expected=f"at most {MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GB of sheet data",
            action="Check where the file came from; split a genuinely huge export into CSV files",
        )


_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pkg": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from the small workbook.xml and its relationships
    (openpyxl would parse every shared string first, which costs seconds on a large export)."""
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("pkg:Relationship", _NS)}
    paths = {}
    for sheet in book.findall("main:sheets/main:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['rel']}}}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def _read_xlsx(path: Path, only: str | None = None) -> Iterator[RawTable]:
    """Cells by python-calamine (Rust; an order of magnitude faster than openpyxl), except for
    sheets it cannot be trusted with (formulas, error values, cells far outside the data, or a
    value it panics on), which `xlsx_cells` reads cell by cell, keeping what each cell holds."""
    import python_calamine

    _check_zip(path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_paths(archive)
            if only is not None:
                parts = {name: part for name, part in parts.items() if name == only}
            scans = {name: scan(archive, part) for name, part in parts.items()}
        with path.open("rb") as fh:  # by its bytes: calamine's from_path goes by the suffix
            book = python_calamine.CalamineWorkbook.from_filelike(fh)
    except BaseException as exc:  # calamine raises several kinds, and panics, for a broken file
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        raise InputError(
            f"The workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected="an .xlsx workbook saved by Excel or the case system",
            action="Open it in Excel and save it again as .xlsx",
        ) from None
    cache: dict[str, object] = {}
    for name in book.sheet_names:
        if only is not None and name != only:
            continue
        found = scans.get(name)
        rows = None if found is not None and found.needs_care else _calamine_rows(book, name)
        if rows is not None or name not in parts:
            yield RawTable(path, name, rows or [])
            continue
        with zipfile.ZipFile(path) as archive:
            try:
                if not cache:
                    cache["strings"] = shared_strings(archive)
                    cache["dates"] = date_styles(archive)
                cells = read_cells(archive, parts[name], cache["strings"], cache["dates"])
            except (DamagedSheet, ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(
                    f"The workbook is damaged and this sheet cannot be read ({exc})",
                    file=str(path),
                    sheet=name,
                    expected="a complete .xlsx file",
                    action="Open it in Excel and save it again, or export the list again",
                ) from None
        yield RawTable(path, name, cells.rows, row_numbers=cells.row_numbers, stray=cells.stray)


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def _calamine_rows(book, name: str) -> list[tuple] | None:
    """The sheet's rows, or None when the Rust reader fails or panics (read it carefully then).
    Its panic message is kept off the terminal: the careful reader takes over silently."""
    try:
        with _quiet_stderr():
            return [tuple(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
    except BaseException as exc:
        if isinstance(exc, Exception) or _is_panic(exc):
            return None  # a damaged sheet too: the careful reader names what is wrong
        raise


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (the Rust panic hook writes there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _read_xls(path: Path) -> Iterator[RawTable]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise InputError(
            f"The legacy .xls workbook cannot be opened ({exc})",
            file=str(path),
            expected="an Excel 97-2003 workbook",
            action="Open it in Excel and save it as .xlsx",
        ) from None
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = []
            for r in range(sheet.nrows):
                row = []
                for cell in sheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                        except (ValueError, OverflowError):
                            row.append(cell.value)
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                    else:
                        row.append(cell.value)
                rows.append(tuple(row))
            yield RawTable(path, sheet.name, rows)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def decode_text(path: Path) -> str:
    """Decode a text file: BOMs first, then UTF-16 without BOM, UTF-8, and cp1252 last."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    encoding = _utf16_without_bom(data[:4096])
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> RawTable:
    text = decode_text(path)
    if "\r" in text:  # Windows, old Mac and mixed line endings all read as lines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    head = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:HEAD_ROWS]
    return CsvTable(path, None, [tuple(r) for r in head], text=text, delimiter=delimiter)


class CsvTable(RawTable):
    """A CSV whose body is parsed by pandas once the heading row is known."""

    def __init__(
        self, file: Path, sheet: str | None, rows: list[tuple], *, text: str, delimiter: str
    ):
        super().__init__(file, sheet, rows)
        self.text = text
        self.delimiter = delimiter

    def body(self, header_index: int, width: int) -> pd.DataFrame:
        """Rows below the heading as strings; rows wider than the heading are refused."""
        try:
            frame = pd.read_csv(
                io.StringIO(self.text),
                sep=self.delimiter,
                header=None,
                skiprows=header_index + 1,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                names=range(width),
                engine="c",
                on_bad_lines="error",
            )
        except pd.errors.ParserError as exc:
            raise InputError(
                f"A row has more values than there are column headings ({exc})",
                file=str(self.file),
                expected=f"at most {width} values per row, one per heading",
                action="Check for unquoted commas in names or addresses and export again",
            ) from None
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=range(width), dtype=object)
        frame.index = frame.index + header_index + 2  # 1-based line numbers
        return frame
