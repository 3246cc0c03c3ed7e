"""Write the board pack: `board.xlsx` and `board.html` from the store's data, never replacing a
board.xlsx a person has changed."""

from __future__ import annotations

from pathlib import Path

from audits.board.data import board_data
from audits.board.html import render
from audits.board.xlsx import write_workbook
from audits.core.config import Config
from audits.core.errors import InputError
from audits.history import Store
from audits.output.atomic import atomic_path
from audits.output.written import remember, target_for


def write_board(
    store: Store, out: Path, pseudonymise: bool = True, config: Config | None = None
) -> list[Path]:
    """board.xlsx and board.html in `out`. A board.xlsx a person has changed since the tool wrote
    it is kept: the new one is written beside it (`audits.output.written`)."""
    data = board_data(store, pseudonymise, config)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"The board folder cannot be created ({exc.strerror})",
            file=str(out),
            expected="--out naming a folder you can write to",
        ) from None
    xlsx, _kept = target_for(out / "board.xlsx", out)
    page = out / "board.html"
    with atomic_path(xlsx) as tmp:
        write_workbook(data, tmp)
    remember(out, [xlsx])
    with atomic_path(page) as tmp:
        tmp.write_text(render(data), encoding="utf-8")
    return [xlsx, page]
