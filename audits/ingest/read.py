"""Read spreadsheet files into raw tables of cell values (no interpretation yet).

Formats: `.xlsx`/`.xlsm` (openpyxl, read-only, cached values), legacy `.xls` (xlrd), and
`.csv`/`.txt` in UTF-8, UTF-8 with BOM, UTF-16 (with or without BOM) or cp1252. Files are
identified by their bytes, not their names, so a CSV named `.xlsx` or a PDF named `.xlsx` is
caught with a clear message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.errors import InputError

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
        return _utf16_without_bom(head) is not None
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the 4 KB window
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


def read_tables(path: Path) -> Iterator[RawTable]:
    kind = sniff_kind(path)
    if kind == "xlsx":
        yield from _read_xlsx(path)
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


def _has_formulas(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML holds any formula element (streamed, in bounded memory)."""
    tail = b""
    try:
        with archive.open(member.lstrip("/")) as fh:
            while chunk := fh.read(1 << 20):
                if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                    return True
                tail = chunk[-3:]
    except KeyError:
        return False
    return False


class FormulaWithoutValue(str):
    """A formula cell saved without its result (the file was never recalculated in Excel)."""


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


def _read_xlsx(path: Path) -> Iterator[RawTable]:
    """Cells by python-calamine (Rust; an order of magnitude faster than openpyxl), except for
    sheets holding formulas, which openpyxl reads so a formula saved without its result stays
    visible instead of becoming a silent blank."""
    import python_calamine

    _check_zip(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several kinds for a broken package
        raise InputError(
            f"The workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected="an .xlsx workbook saved by Excel or the case system",
            action="Open it in Excel and save it again as .xlsx",
        ) from None
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_paths(archive)
        with_formulas = {name for name, part in parts.items() if _has_formulas(archive, part)}
    for name in book.sheet_names:
        if name in with_formulas:
            rows = _read_with_formulas(path, name)
        else:
            rows = [tuple(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        yield RawTable(path, name, rows)


def _read_with_formulas(path: Path, sheet: str) -> list[tuple]:
    import openpyxl

    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    written = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        rows = [tuple(r) for r in values[sheet].iter_rows(values_only=True)]
        return _mark_uncached_formulas(rows, written[sheet])
    finally:
        values.close()
        written.close()


def _mark_uncached_formulas(rows: list[tuple], ws) -> list[tuple]:
    """Keep a formula with no saved result visible (as its text) instead of a silent blank."""
    marked = []
    for values, written in zip(rows, ws.iter_rows(values_only=True), strict=False):
        if any(
            v is None and isinstance(w, str) and w.startswith("=")
            for v, w in zip(values, written, strict=False)
        ):
            values = (
                tuple(
                    FormulaWithoutValue(w)
                    if v is None and isinstance(w, str) and w.startswith("=")
                    else v
                    for v, w in zip(values, written, strict=False)
                )
                + values[len(written) :]
            )
        marked.append(values)
    return marked


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
        return data.decode("utf-16")
    encoding = _utf16_without_bom(data[:4096])
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> RawTable:
    text = decode_text(path)
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
