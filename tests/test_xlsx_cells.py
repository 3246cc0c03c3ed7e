"""The careful reader's cheap looks at a sheet's XML (`audits.ingest.xlsx_cells`)."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from audits.ingest.xlsx_cells import column_letters, reaches_beyond

MEMBER = "xl/worksheets/sheet1.xml"


def sheet_with(cells: list[tuple[int, int]], *, filler: int = 0) -> zipfile.ZipFile:
    """A zipped sheet holding a styled blank at each (row, column index), rows in order, after
    `filler` bytes of white space (to place a reference across the reader's 1 MB pieces)."""
    rows: dict[int, list[int]] = {}
    for row, column in sorted(set(cells)):
        rows.setdefault(row, []).append(column)
    body = [b" " * filler]
    for row, columns in rows.items():
        refs = "".join(f'<c r="{column_letters(c)}{row}" s="1"/>' for c in columns)
        body.append(f'<row r="{row}">{refs}</row>'.encode())
    xml = b"<sheetData>" + b"".join(body) + b"</sheetData>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MEMBER, xml)
    return zipfile.ZipFile(buffer)


def test_a_cell_at_the_extent_is_within_it_and_one_further_is_beyond():
    for rows, columns in [(1, 1), (9, 26), (99, 27), (100, 52), (999, 702), (3724, 24)]:
        assert not reaches_beyond(sheet_with([(rows, columns - 1)]), MEMBER, rows, columns)
        assert reaches_beyond(sheet_with([(rows + 1, 0)]), MEMBER, rows, columns)
        assert reaches_beyond(sheet_with([(1, columns)]), MEMBER, rows, columns)


def test_nothing_written_means_any_cell_is_beyond():
    assert reaches_beyond(sheet_with([(1, 0)]), MEMBER, 0, 0)
    assert not reaches_beyond(sheet_with([]), MEMBER, 0, 0)
    assert not reaches_beyond(sheet_with([(1, 0)]), "xl/worksheets/missing.xml", 0, 0)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(0, 20_000),
    columns=st.integers(0, 16_384),
    cells=st.lists(st.tuples(st.integers(1, 30_000), st.integers(0, 16_383)), max_size=6),
)
def test_beyond_agrees_with_comparing_every_cell(rows, columns, cells):
    expected = any(row > rows or column >= columns for row, column in cells)
    assert reaches_beyond(sheet_with(cells), MEMBER, rows, columns) == expected


def test_a_reference_cut_between_two_pieces_is_still_found():
    for cut in range(1, 9):  # the piece ends this many bytes into '<c r="AO5"'
        start = len(b"<sheetData>") + len(b'<row r="5">')
        archive = sheet_with([(5, 40)], filler=(1 << 20) - start - cut)
        assert archive.read(MEMBER)[(1 << 20) - cut :].startswith(b'<c r="AO5"')
        assert reaches_beyond(archive, MEMBER, 10, 30)
