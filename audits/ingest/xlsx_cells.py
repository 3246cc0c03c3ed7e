"""A careful reader of one .xlsx sheet's cells, for the sheets the fast reader cannot be trusted with.

python-calamine (Rust) is fast, but it allocates every cell of the rectangle the cells span (one
stray cell at XFD1048576 asks for tens of gigabytes and aborts the process), reads an error value
such as `#REF!` as a blank, shows a formula saved without its result as a blank, and panics on a
date serial such as -1e300. `scan` looks at a sheet's XML first (streamed, bounded memory);
`read_cells` then reads such a sheet itself, keeping only the cells that hold something:

- error values stay visible as their text (`#REF!`), and a formula without a saved result as
  `=<formula> (formula saved without its result)`, so the loader reports them as DQ-04;
- a number in a date format becomes a date only when it is a plausible date; otherwise the
  number itself is kept (and reported where a date was expected);
- cells beyond `MAX_COLUMNS` are returned apart (`stray`) with their place, so a stray cell far
  to the right costs nothing and is still reported;
- a text cell pointing at a shared string the workbook does not hold (a damaged index: past the
  end, which calamine refuses, or `-1` or `x`, which it reads as the first string) keeps its
  place as `MISSING_TEXT`, reported as DQ-04.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from audits.ingest.date_systems import epoch

MAX_COLUMNS = 104  # A to CZ; Annex A lists have under 50 columns; cells further right are `stray`
FORMULA_MARK = " (formula saved without its result)"
MISSING_TEXT = "(text no. {} is missing from the workbook's shared strings)"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_REF = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_WIDE_CELL = re.compile(rb' r="(?:[D-Z][A-Z]|[A-Z]{3})[0-9]')  # a cell in column DA or beyond
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ODD_TEXT_INDEX = re.compile(rb't="s"[^>]*><v>(?!\d+</v>)')  # starts with a literal: quick
_DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass
class SheetScan:
    """What a sheet's XML holds, found without parsing it."""

    formulas: bool = False
    errors: bool = False
    wide: bool = False  # a cell beyond MAX_COLUMNS (column DA or further right)
    # a text cell whose shared-string index is not a plain whole number: calamine reads `-1` or
    # `x` as the first string (an index past the end it refuses, and the careful reader takes over)
    odd_text_index: bool = False
    rows: int = 0  # <row> elements
    last_row: int = 0  # highest row number named

    @property
    def sparse(self) -> bool:
        """Rows far below the data (a stray cell): the rectangle would be mostly empty."""
        return self.last_row > 2 * self.rows + 1000

    @property
    def needs_care(self) -> bool:
        return self.formulas or self.errors or self.wide or self.sparse or self.odd_text_index


def scan(archive: zipfile.ZipFile, member: str) -> SheetScan:
    """Stream the sheet's XML once, in 1 MB pieces (a small overlap keeps tags cut in two)."""
    found = SheetScan()
    tail = b""
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(1 << 20):
                piece = tail + chunk
                found.formulas = found.formulas or b"<f>" in piece or b"<f " in piece
                found.errors = found.errors or b't="e"' in piece
                found.wide = found.wide or _WIDE_CELL.search(piece) is not None
                if not found.odd_text_index:
                    found.odd_text_index = _ODD_TEXT_INDEX.search(piece) is not None
                found.rows += chunk.count(b"<row")
                last = piece.rfind(b"<row")  # rows are in order: the last one is the lowest
                numbered = _ROW_REF.match(piece, last) if last >= 0 else None
                if numbered:
                    found.last_row = max(found.last_row, int(numbered.group(1)))
                tail = chunk[-256:]
    except KeyError:
        pass
    return found


def reaches_beyond(archive: zipfile.ZipFile, member: str, rows: int, columns: int) -> bool:
    """Whether any cell of the sheet (a styled blank included) lies below row `rows` or right of
    its first `columns` columns: one search of the streamed XML for such a cell reference, which
    stops at the first (a cheap look before reading a sheet cell by cell)."""
    beyond = re.compile(
        rb'<c r="(?:'
        + _at_least(column_letters(columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode()
        + rb"[0-9]|[A-Z]{1,3}"
        + _at_least(str(rows + 1), "0123456789").encode()
        + rb'")'
    )
    tail = b""
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(1 << 20):
                piece = tail + chunk
                if beyond.search(piece):
                    return True
                tail = piece[-64:] if len(piece) > 64 else piece
                tail = tail[tail.rfind(b"<") :] if b"<" in tail else b""
    except KeyError:
        return False
    return False


def _at_least(first: str, alphabet: str) -> str:
    """A pattern for the names not before `first` where names are ordered by length, then by
    `alphabet` (column letters from 'A', row numbers from '1'): longer names, or names of the
    same length that share a prefix with `first` and then have a later character, or `first`."""
    rest = f"[{alphabet[0]}-{alphabet[-1]}]"
    lead = "[1-9]" if alphabet[0] == "0" else rest  # a longer number starts with no 0
    options = [f"{lead}{rest}{{{len(first)},}}"]  # longer
    for i, ch in enumerate(first):
        at = alphabet.index(ch)
        if at + 1 < len(alphabet):
            tail = f"{rest}{{{len(first) - i - 1}}}" if i + 1 < len(first) else ""
            options.append(f"{re.escape(first[:i])}[{alphabet[at + 1]}-{alphabet[-1]}]{tail}")
    options.append(re.escape(first))
    return "(?:" + "|".join(options) + ")"


def column_index(letters: str) -> int:
    """'A' -> 0, 'XFD' -> 16383."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    """0 -> 'A', 27 -> 'AB' (the inverse of `column_index`)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetCells:
    rows: list[tuple]  # rows that hold something, each up to the widest such row (<= MAX_COLUMNS)
    row_numbers: list[int]  # the 1-based row number of each
    stray: list[tuple[int, int, object]] = field(default_factory=list)  # (row, column, value)


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        fh = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with fh:
        for _, elem in ElementTree.iterparse(fh, events=("end",)):
            if elem.tag == f"{_MAIN}si":
                strings.append(_text_of(elem))
                elem.clear()
    return strings


def date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a date."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return set()
    custom = set()
    for fmt in root.iter(f"{_MAIN}numFmt"):
        code = _QUOTED.sub("", fmt.get("formatCode", ""))
        if _DATE_CODE.search(code) and not re.fullmatch(r"[#0.,%E+\-\s]*", code):
            custom.add(_int(fmt.get("numFmtId")))
    xfs = root.find(f"{_MAIN}cellXfs")
    if xfs is None:
        return set()
    return {
        i
        for i, xf in enumerate(xfs.findall(f"{_MAIN}xf"))
        if _int(xf.get("numFmtId")) in _DATE_FORMAT_IDS | custom
    }


def read_cells(
    archive: zipfile.ZipFile,
    member: str,
    strings: list[str],
    dates: set[int],
    date_system: int = 1900,
) -> SheetCells:
    """Every cell that holds something, with its place; blank cells cost nothing. Dates are
    counted in the workbook's `date_system` (1900, or Mac Excel's 1904)."""
    start = epoch(date_system)
    found: dict[int, dict[int, object]] = {}
    stray: list[tuple[int, int, object]] = []
    row_tag, cell_tag = f"{_MAIN}row", f"{_MAIN}c"
    last_row, col = 0, -1
    pending: list[tuple[int, object]] = []  # the cells of the row being read: (column, value)
    with archive.open(member) as fh:
        try:
            # end events only (a row's number is on the row, whose end follows its cells)
            for _, elem in ElementTree.iterparse(fh, events=("end",)):
                tag = elem.tag
                if tag == cell_tag:
                    ref = _REF.match(elem.get("r") or "")
                    col = column_index(ref.group(1)) if ref else col + 1
                    value = _value(elem, strings, dates, start)
                    if value is not None:
                        pending.append((col, value))
                    elem.clear()
                elif tag == row_tag:
                    last_row = _int(elem.get("r")) or last_row + 1
                    for c, value in pending:
                        if c < MAX_COLUMNS:
                            found.setdefault(last_row, {})[c] = value
                        else:
                            stray.append((last_row, c, value))
                    pending.clear()
                    col = -1
                    elem.clear()
        except ElementTree.ParseError as exc:
            raise DamagedSheet(f"the sheet's XML ({member}) is damaged: {exc}") from None
    width = max((max(cells) + 1 for cells in found.values()), default=0)
    numbers = sorted(found)
    rows = []
    for number in numbers:
        row = [None] * width
        for c, value in found[number].items():
            row[c] = value
        rows.append(tuple(row))
    return SheetCells(rows, numbers, stray)


class DamagedSheet(ValueError):
    """A sheet whose XML cannot be parsed."""


def _value(
    cell: ElementTree.Element, strings: list[str], dates: set[int], start: dt.datetime
) -> object:
    kind = cell.get("t", "n")
    v = cell.find(f"{_MAIN}v")
    text = v.text if v is not None else None
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return _text_of(inline) if inline is not None else None
    if text is None:
        formula = cell.find(f"{_MAIN}f")
        if formula is not None and (formula.text or "").strip():
            return f"={formula.text.strip()}{FORMULA_MARK}"
        return None
    if kind == "s":
        index = _int(text)
        if index is not None and 0 <= index < len(strings):
            return strings[index]
        return MISSING_TEXT.format(text.strip())
    if kind == "str":
        return unescape(text)
    if kind == "e":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text
    try:
        number = float(text)
    except ValueError:
        return text
    if _int(cell.get("s")) in dates and math.isfinite(number) and 1 <= number < 2958466:
        try:
            return start + dt.timedelta(days=number)
        except OverflowError:  # past 9999 in the 1904 system: the number is kept, as above
            return int(number) if number.is_integer() else number
    if math.isfinite(number) and number.is_integer() and abs(number) < 1e15:
        return int(number)
    return number


def _text_of(elem: ElementTree.Element) -> str:
    """The text of a string item: its <t> pieces, rich-text runs included, phonetic runs not;
    Excel's `_x000B_` escapes (characters XML cannot hold) decoded."""
    parts = []
    for child in elem.iter():
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}rPh":
            break
    return unescape("".join(parts))


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """`_x000B_` -> the character U+000B (`_x005F_` escapes a literal underscore)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
