"""What a person changed in a returned workbook outside the reviewer columns: every such cell is
listed with its file, sheet and row (DESIGN §3: typing over an export column, on a sheet that is
not read back, or in a copied reviewer column is never stored, and never silently dropped).

- Export columns (Child ID, Team, Worker, Due date, Value ...) are compared with the findings of
  the run the workbook shows (the store's `findings` rows, by the workbook's as-at property): a
  correction typed there is listed, since the export itself must be corrected in the case
  system. The same comparison tells which lapse each row was about (its due date and value),
  which the store keeps with the entries (`audits.review.covers`). A row whose cells have the
  digest its run recorded is as the tool wrote it (`audits.output.shown`); only the other rows
  are compared cell by cell with their stored findings.
- On a sheet that is not read back, a cell beyond what the tool wrote there (the extent each
  sheet's property records) is listed; so is anything on a sheet the tool did not write.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from audits.ingest.keys import member
from audits.ingest.xlsx_cells import column_letters, reaches_beyond
from audits.output.reviewed import Returned
from audits.output.shown import COMPARED, comparable, shown_digest, stored_as_shown

if TYPE_CHECKING:  # reading a return needs no store (`audits.review.returned`)
    from audits.history import Store


@dataclass(frozen=True)
class Changed:
    """A cell changed outside the reviewer columns: where, and what it says."""

    sheet: str
    row: int
    message: str


@dataclass(frozen=True)
class Shown:
    """A return's compared export cells as saved (`shown_cells` of each read-back sheet), and
    which run it shows: its as-at property, else the latest run before it was saved."""

    cells: pd.DataFrame
    as_at: str | None
    saved_at: str | None


def shown_cells(columns, sheet: str) -> pd.DataFrame:
    """The compared export columns of a read-back sheet as saved, with `row`, `finding_id` (rows
    with a Finding ID only) and `compared` (the compared headings the sheet has, joined by '|').
    Made comparable by `typed_over`, once for every return of an import."""
    finding_id = columns["Finding ID"]
    keep = finding_id.notna().to_numpy()
    ids = finding_id[keep].astype(str).str.strip()
    present = [h for h in COMPARED if columns.get(h) is not None]
    cells = {h: columns.get(h).to_numpy()[keep] for h in present}  # as saved: mixed types
    return pd.DataFrame(
        {"row": finding_id.index[keep], "finding_id": ids.array, "sheet": sheet}
        | {h: pd.array(v, dtype=object) for h, v in cells.items()}
        | {"compared": "|".join(present)}
    )


def typed_over(
    returns: list[Shown], store: Store, wanted: Collection[str] | None = None
) -> list[tuple[list[Changed], pd.DataFrame]]:
    """For each return, (its export cells that differ from the finding its workbook showed; the
    lapse of each of its rows, only of the findings `wanted` when given: finding_id, due_date,
    value, or for a row matched by digest the run to read them from, `read_from`, as
    `lapse_values` does). Rows whose finding the store does not hold are left to the merge, which lists them
    when they carry entries.

    Done for all the returns of an import at once: their cells made comparable in one pass.
    A row showing every compared column whose digest is one its run recorded is as the tool
    wrote it (`audits.output.shown`); the other rows (a cell typed over, a sheet showing fewer
    columns, a run recorded before v9) are compared cell by cell with their findings, read
    from the store by id. So an import reads the run's digests, not the run."""
    empty = pd.DataFrame(columns=["finding_id", *LAPSE])
    out: list[tuple[list[Changed], pd.DataFrame]] = [([], empty) for _ in returns]
    frames = [r.cells.assign(ret=i) for i, r in enumerate(returns) if not r.cells.empty]
    if not frames:
        return out
    rows = pd.concat(frames, ignore_index=True)
    rows["at"] = range(len(rows))  # reading order: a finding's first row gives its lapse
    for heading in COMPARED:
        if heading in rows:
            rows[heading] = comparable(rows[heading]).array  # blank, or not on the sheet: ''
    asked: dict[tuple, tuple[int, ...]] = {}  # a query per as-at date (or per saved time)
    for r in returns:
        key = (r.as_at,) if r.as_at else (None, r.saved_at)
        if key not in asked:
            asked[key] = store.shown_runs(r.as_at, r.saved_at)
    shows = [asked[(r.as_at,) if r.as_at else (None, r.saved_at)] for r in returns]
    distinct = list(dict.fromkeys(shows))  # usually one: every return shows the same run
    shown_by = np.array([distinct.index(runs) for runs in shows])
    rows["runs"] = shown_by[rows["ret"].to_numpy()]
    changed: list[tuple[int, Changed]] = []
    lapses = []
    for which, group in rows.groupby("runs", sort=False):
        run_ids = distinct[which]
        if not run_ids:
            continue
        as_written = _as_written(group, store.shown_digests(run_ids))
        if len(as_written):  # their due dates and values read once stored (`lapse_values`)
            lapses.append(
                group.loc[as_written.index, ["ret", "at", "finding_id"]].assign(
                    read_from=as_written.to_numpy()
                )
            )
        rest = group.drop(index=as_written.index)
        if rest.empty:
            continue
        stored = store.shown_findings(rest["finding_id"], run_ids, list(COMPARED.values()))
        versions = stored_as_shown(stored)
        if versions.empty:
            continue
        for signature, part in rest.groupby("compared", sort=False):
            compared = [h for h in str(signature).split("|") if h]
            matched = part[["ret", "at", "sheet", "row", "finding_id", *compared]].merge(
                versions, on=["finding_id", *compared], how="left"
            )
            matched = matched.sort_values("run_id", kind="stable")
            matched = matched.drop_duplicates("at", keep="last")
            ok = matched["run_id"].notna()
            lapses.append(matched.loc[ok, ["ret", "at", "finding_id", *_AS_STORED]])
            if not ok.all():
                _listed(matched[~ok], compared, versions, changed, lapses)
    if not lapses:
        return out
    lapse = pd.concat(lapses, ignore_index=True).sort_values("at", kind="stable")
    if wanted is not None:
        lapse = lapse[member(lapse["finding_id"], wanted)]
    lapse = lapse.rename(columns={"due_date_stored": "due_date", "value_stored": "value"})
    lapse = lapse.reindex(columns=["ret", "finding_id", *LAPSE]).astype({"read_from": "Int64"})
    by_return = dict(tuple(lapse.groupby("ret", sort=False)))
    for i in range(len(returns)):
        mine = by_return.get(i)
        if mine is not None:
            mine = mine[["finding_id", *LAPSE]].drop_duplicates("finding_id")
        out[i] = ([c for r, c in changed if r == i], empty if mine is None else mine)
    return out


LAPSE = ["due_date", "value", "read_from"]  # a lapse; or the run to read it from (`lapse_values`)


def lapse_values(lapses: pd.DataFrame, store: Store) -> pd.DataFrame:
    """`lapses` (of `typed_over`) with the due date and value of each row matched by digest
    read from the run it matched (`read_from`): read for the lapses the import keeps, not for
    every row of every return."""
    pending = lapses["read_from"].notna().to_numpy()
    if not pending.any():
        return lapses.drop(columns="read_from")
    runs = tuple(sorted({int(r) for r in lapses.loc[pending, "read_from"]}))
    stored = store.shown_findings(lapses.loc[pending, "finding_id"], runs, ["due_date", "value"])
    stored = stored.assign(
        finding_id=stored["finding_id"].astype(str).array,
        read_from=stored["run_id"].astype("Int64"),
    )
    found = lapses.loc[pending, ["finding_id", "read_from"]].merge(
        stored[["finding_id", "read_from", "due_date", "value"]],
        on=["finding_id", "read_from"],
        how="left",
    )
    out = lapses.drop(columns="read_from").astype({"due_date": object, "value": object})
    out.loc[pending, "due_date"] = found["due_date"].to_numpy()
    out.loc[pending, "value"] = found["value"].to_numpy()
    return out


_EVERY = "|".join(COMPARED)  # a sheet showing every compared column (Findings)


def _as_written(rows: pd.DataFrame, digests: pd.DataFrame) -> pd.Series:
    """The run each row shows as the tool wrote it (indexed like `rows`; the rows not found
    left out): a row showing every compared column whose digest a run recorded (the latest of
    those runs), and a row showing fewer whose cells are those of a row found so (its finding
    as that run stored it). Digests of every row, then kept where they mean something: no copy
    of the rows is made."""
    every = (rows["compared"] == _EVERY).to_numpy()
    if not every.any() or digests.empty:
        return pd.Series([], dtype="int64")
    run = _latest_run(
        pd.Series(shown_digest(rows), index=rows.index), digests["shown_digest"], digests["run_id"]
    )
    run[~every] = np.nan
    found = ~np.isnan(run)
    fewer = ~every & ~found
    if fewer.any() and found.any():
        for signature in pd.unique(rows["compared"][fewer]):
            part = fewer & (rows["compared"] == signature).to_numpy()
            compared = ["finding_id", *(h for h in str(signature).split("|") if h)]
            digest = shown_digest(rows, compared)
            run[part] = _latest_run(pd.Series(digest[part]), digest[found], run[found])
    kept = ~np.isnan(run)
    return pd.Series(run[kept].astype("int64"), index=rows.index[kept])


def _latest_run(digest: pd.Series, known, runs) -> np.ndarray:
    """For each digest, the latest of the runs `runs` whose digests `known` have it (NaN when
    none)."""
    latest = pd.DataFrame({"digest": np.asarray(known), "run": np.asarray(runs, dtype="float64")})
    latest = latest.sort_values("run", kind="stable").drop_duplicates("digest", keep="last")
    return digest.map(
        pd.Series(latest["run"].to_numpy(), index=latest["digest"].to_numpy())
    ).to_numpy(dtype="float64", copy=True)


_AS_STORED = ["due_date_stored", "value_stored"]  # a lapse as the compared findings give it


def _listed(unmatched, compared, versions, changed: list[tuple[int, Changed]], lapses) -> None:
    """Each row whose export cells match no stored version: what differs from the latest
    version of its finding (rows of a finding the store does not hold: left to the merge)."""
    latest = versions[member(versions["finding_id"], unmatched["finding_id"])]
    latest = latest.sort_values("run_id", kind="stable")
    latest = latest.drop_duplicates("finding_id", keep="last").set_index("finding_id")
    held = unmatched[member(unmatched["finding_id"], latest.index)]
    shown = latest.loc[held["finding_id"]]
    for row, version in zip(held.to_dict("records"), shown.to_dict("records"), strict=True):
        differ = [
            f"{h} '{version[h]}' typed over as '{row[h]}'" for h in compared if row[h] != version[h]
        ]
        message = (
            "; ".join(differ) + ": the export's columns are not stored (correct the record in "
            "the case system, and the next export will show it)"
        )
        changed.append((row["ret"], Changed(row["sheet"], int(row["row"]), message)))
    lapses.append(
        pd.DataFrame(
            {
                "ret": held["ret"].to_numpy(),
                "at": held["at"].to_numpy(),
                "finding_id": held["finding_id"].to_numpy(),
                **{c: shown[c].to_numpy() for c in _AS_STORED},
            }
        )
    )


def beyond_the_tool(book: Returned, read_back: tuple[str, ...]) -> list[Changed]:
    """Cells typed on the sheets that are not read back: beyond the extent the tool recorded for
    the sheet, or anywhere on a sheet it did not write. Workbooks without the extents (written
    before they were recorded) are not checked."""
    if not book.extents:
        return []
    found: list[Changed] = []
    for name in book.sheet_names:
        if name in read_back:
            continue
        rows, columns = book.extents.get(name, (0, 0))
        with zipfile.ZipFile(book.path) as archive:
            if not reaches_beyond(archive, book.parts[name], rows, columns):
                continue
        sheet = book.sheet(name)
        wrote = name in book.extents
        for number, row in enumerate(sheet.rows, start=1):
            cells = [
                (c, v) for c, v in enumerate(row) if _filled(v) and (number > rows or c >= columns)
            ]
            if not cells:
                continue
            typed = "; ".join(f"'{v}' in column {column_letters(c)}" for c, v in cells[:3])
            more = f" and {len(cells) - 3} more" if len(cells) > 3 else ""
            where = (
                f"beyond what the tool wrote on the '{name}' sheet, which is not read back"
                if wrote
                else f"on the '{name}' sheet, which the tool did not write and does not read"
            )
            found.append(Changed(name, number, f"{typed}{more} typed {where}"))
        for r, c, v in sheet.stray:
            if _filled(v):
                found.append(
                    Changed(name, r, f"'{v}' typed in column {column_letters(c)}, far to the right")
                )
    return found


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""
