"""The SSDA903 looked-after return (DfE CSV set) read onto canonical Lists 8 and 9, with histories.

Each CSV is recognised by its headings (never its name): `header` (CHILD, SEX, DOB, ETHNIC),
`episodes` (DECOM, RNE, LS, CIN, PLACE, DEC, REC ...), `reviews` (REVIEW), `oc2` (health and
teeth checks), `oc3` (care leavers), `missing` (MISSING, MIS_START); `ad1`, `placed_for_adoption`,
`previous_permanence`, `sw_episodes` and `uasc` are recognised and listed, not audited.

List 8 has one row per child with episodes: the child's latest period of care, which starts at
the DECOM of its first episode (an episode with RNE = S, or one that does not continue the one
before it: its DECOM is not the previous DEC). Its latest episode gives the legal status,
placement, category of need and, when it has a DEC, the date ceased; the placement started at the
latest episode that began a placement (RNE other than L, a change of legal status only).
Placements in the last 12 months count the child's placement episodes running at any time in
(M(D, -12), D]; missing episodes count MISSING = M with MIS_START in that window. Every review of
the period goes to the `cla_reviews` history; the latest is List 8's latest review. List 9 has
one row per OC3 record. The return has no visits, workers, teams or return interviews: rules
that need them are reported not run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from audits.core.calendar import add_months
from audits.core.encodings import decode_bytes
from audits.core.errors import InputError
from audits.ingest import values
from audits.ingest.export import export_files, not_followed_notes
from audits.ingest.read import CsvTable, read_tables
from audits.ingest.returns import (
    CLA_REVIEWS,
    OC2,
    SSDA903,
    ReturnExport,
    canonical,
    gather_unreadable,
    unreadable_column,
)
from audits.model.spec import LIST8, LIST9

# Each table's headings as the DfE names them (the columns the adapter reads; a real file has
# more). A CSV is a table when it has CHILD and most of that table's own headings; a heading it
# lacks is named, and what rests on it is not read. `REQUIRED`: without these, nothing can be.
TABLES: dict[str, frozenset[str]] = {
    "header": frozenset({"CHILD", "SEX", "DOB", "ETHNIC"}),
    "episodes": frozenset({"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"}),
    "reviews": frozenset({"CHILD", "REVIEW", "REVIEW_CODE"}),
    "oc2": frozenset({"CHILD", "HEALTH_CHECK", "TEETH_CHECK"}),
    "oc3": frozenset({"CHILD", "IN_TOUCH", "ACTIV", "ACCOM"}),
    "missing": frozenset({"CHILD", "MISSING", "MIS_START"}),
    "ad1": frozenset({"CHILD", "DATE_INT", "DATE_MATCH"}),
    "placed_for_adoption": frozenset({"CHILD", "DATE_PLACED"}),
    "previous_permanence": frozenset({"CHILD", "PREV_PERM"}),
    "sw_episodes": frozenset({"CHILD", "SW_ID"}),
    "uasc": frozenset({"CHILD", "DUC"}),
}
REQUIRED: dict[str, frozenset[str]] = {
    "episodes": frozenset({"CHILD", "DECOM"}),  # the period of care and the collection year
    "reviews": frozenset({"CHILD", "REVIEW"}),
    "missing": frozenset({"CHILD", "MISSING", "MIS_START"}),
}
_NOT_OWN = frozenset({"CHILD", "DOB"})  # shared by several tables: they identify none
AUDITED = ("header", "episodes", "reviews", "oc2", "oc3", "missing")
PLACEMENT_CHANGES = ("S", "P", "T", "U", "B")  # RNE L: a change of legal status only
_SEX = {"1": "Male", "2": "Female"}
_OC2_AS = {"health_check": "last_health_assessment", "teeth_check": "last_dental_check"}
# what each canonical field of List 8 is read from (a field whose columns are absent is not read)
_LIST8_NEEDS = {
    "ceased": ("DEC",),
    "reason_ceased": ("REC", "DEC"),
    "legal_status": ("LS",),
    "category_of_need": ("CIN",),
    "placement_type": ("PLACE",),
    "placement_start": ("RNE",),
    "placements_12m": ("RNE", "DEC"),
}


def _headings(path: Path) -> list[str]:
    """The first line of a CSV file, cheaply (Annex A folders must not pay for this): decoded by
    the one decoder (UTF-8 with or without BOM, UTF-16, cp1252) and split at the delimiter the
    line itself uses most (`,`, `;`, tab or `|`)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if len(head) % 2 and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[:-1]  # a UTF-16 character cut by the window
    text = decode_bytes(head).lstrip("\ufeff")
    line = text.replace("\r", "\n").split("\n", 1)[0]
    delimiter = max(",;\t|", key=line.count)
    return [h.strip().strip('"').strip().upper() for h in line.split(delimiter)]


def recognise_table(path: Path) -> tuple[str, frozenset[str]] | None:
    """(the SSDA903 table a CSV holds, the table's headings it lacks), or None: CHILD and at
    least half of the table's own headings, the table best matched winning."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    names = set(_headings(path))
    if "CHILD" not in names:
        return None
    best: tuple[float, str] | None = None
    for table, needed in TABLES.items():
        own = needed - _NOT_OWN
        share = len(own & names) / len(own)
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, table)
    if best is None:
        return None
    return best[1], TABLES[best[1]] - names


def table_of(path: Path) -> str | None:
    found = recognise_table(path)
    return found[0] if found else None


def recognise_folder(path: Path) -> dict[str, Path]:
    """SSDA903 tables by name, for a folder (or one CSV) of them; {} for anything else."""
    if not path.exists() or (path.is_file() and path.suffix.lower() not in (".csv", ".txt")):
        return {}
    files = [path] if path.is_file() else [p for p in export_files(path)]
    found: dict[str, Path] = {}
    for file in files:
        table = table_of(file)
        if table is None:
            continue
        if table in found:
            raise InputError(
                f"The SSDA903 {table} table appears twice: in {found[table].name} and {file.name}",
                file=str(file),
                expected="each SSDA903 table once in the folder",
                action="Remove the older copy, or audit the two returns separately",
            )
        found[table] = file
    return found


def _read(file: Path, table: str) -> tuple[pd.DataFrame, list[str]]:
    """A 903 CSV as text columns named by heading (the index is the line in the file), and the
    reader's notes: stray quotes, and the table's headings the file lacks."""
    raw = next(iter(read_tables(file)))
    assert isinstance(raw, CsvTable)
    heading = [str(h).strip().lstrip("\ufeff").upper() for h in raw.rows[0]]
    body = raw.body(0, len(heading))
    body.columns = heading
    body = body.loc[:, ~body.columns.duplicated()]
    absent = sorted(TABLES[table] - set(heading))
    required = sorted(REQUIRED.get(table, frozenset({"CHILD"})) & set(absent))
    if required:
        raise InputError(
            f"The SSDA903 {table} table has no {_and(required)} column, which it cannot be "
            "read without",
            file=str(file),
            column=required[0],
            expected=f"the DfE's {table} headings: " + ", ".join(sorted(TABLES[table])),
            action="Export the table again with all its columns",
        )
    notes = list(raw.notes)
    if absent:
        notes.append(
            f"{file.name} (SSDA903 {table}) has no {_and(absent)} column: what rests on "
            f"{'it' if len(absent) == 1 else 'them'} is not read, and the rules that need "
            f"{'it' if len(absent) == 1 else 'them'} are not run"
        )
    return body[~(body == "").all(axis=1)], notes


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def load_ssda903(path: Path, files: dict[str, Path]) -> ReturnExport:
    if "episodes" not in files and "oc3" not in files:
        raise InputError(
            "The SSDA903 files hold neither the episodes table nor OC3, so there is nothing to audit",
            file=str(path),
            expected="episodes.csv (CHILD, DECOM, RNE, LS, CIN, PLACE, DEC, REC ...) and the other "
            "SSDA903 tables",
        )
    frames: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    for name, file in files.items():
        if name in AUDITED:
            frames[name], said = _read(file, name)
            notes += said
    reference, note, problem = _reference_date(frames, files)
    people, bad_people = _people(frames, files)
    lists, tables, bad = {}, {}, [bad_people]
    if "episodes" in frames:
        list8, history, bad8 = _list8(frames, files, people, reference)
        lists[8] = list8
        tables["cla_reviews"] = history
        bad.append(bad8)
        if "oc2" in frames:
            tables["oc2"], bad_oc2 = _oc2(frames["oc2"], files["oc2"], list8)
            bad_oc2["list"] = "8"  # reported against List 8's health and dental columns
            bad_oc2["field"] = bad_oc2["field"].map(_OC2_AS).fillna("child_id")
            bad.append(bad_oc2)
    if "oc3" in frames:
        list9, bad9 = _list9(frames["oc3"], files["oc3"], people)
        lists[9] = list9
        bad.append(bad9)
    skipped = [
        f"{file.name} (SSDA903 {name}: not audited)"
        for name, file in files.items()
        if name not in AUDITED
    ]
    if path.is_dir():
        used = set(files.values())
        skipped += [f"{f.name} (not an SSDA903 table)" for f in export_files(path) if f not in used]
        links, said = not_followed_notes(path)
        skipped += links
        notes += said
    return ReturnExport(
        path,
        sorted(files.values()),
        dict(sorted(lists.items())),
        gather_unreadable(bad),
        skipped,
        tables,
        notes=notes,
        kind=SSDA903,
        reference_date=reference,
        reference_note=note,
        reference_problem=problem,
    )


def _dates(column: pd.Series) -> pd.Series:
    return values.dates(column)[0]


def _reference_date(
    frames: dict[str, pd.DataFrame], files: dict[str, Path]
) -> tuple[dt.date, str, InputError | None]:
    """The 31 March ending the collection year: the first on or after the latest episode start,
    with the DECOM that decided it (its date, file, line and child) in the note.

    The return names no reference date; every episode in it starts by the end of its year. A
    start date after today cannot be a real episode (a mistyped year, 2052 for 2025): it would
    move the as-at date decades ahead and hide itself from DQ-02, so the run stops there and
    names it. That refusal is returned for `default_as_at` to raise: with --as-at the return is
    audited, and such a DECOM is a DQ-02 like any other date after the as-at date.
    """
    if "episodes" not in frames:
        return dt.date.today(), "today (the SSDA903 files hold no episodes table)", None
    episodes = frames["episodes"]
    starts = _dates(episodes["DECOM"])
    if starts.notna().sum() == 0:
        note = "today (the SSDA903 episodes hold no readable start date, DECOM)"
        return dt.date.today(), note, None
    line = starts.idxmax()
    latest = starts[line]
    child = episodes.at[line, "CHILD"] if "CHILD" in episodes else ""
    where = f"DECOM {latest:%d/%m/%Y}, {files['episodes'].name} row {line}, child {child}"
    year = latest.year + (1 if (latest.month, latest.day) > (3, 31) else 0)
    note = f"the 31 March after the latest episode start ({where})"
    problem = None
    if latest.date() > dt.date.today():
        problem = InputError(
            f"The latest episode start date is in the future ({where}), so the as-at date (the "
            "31 March after it) cannot be taken from the return",
            file=str(files["episodes"]),
            row=int(line),
            column="DECOM",
            expected="episode start dates on or before today",
            action="Correct the DECOM in the case system and export again, or give the date to "
            "audit as at with --as-at",
        )
    return dt.date(year, 3, 31), note, problem


def _people(
    frames: dict[str, pd.DataFrame], files: dict[str, Path]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the header's SEX, DOB and ETHNIC by CHILD, as written; the header's unreadable values,
    each with header.csv's own line: reported once, where they are, not on each list row that
    shows them)."""
    header = frames.get("header")
    if header is None:
        empty = pd.DataFrame(columns=["CHILD", "SEX", "DOB", "ETHNIC"]).set_index("CHILD")
        return empty, gather_unreadable([])
    people = header.drop_duplicates("CHILD").set_index("CHILD")
    people = people[[c for c in ("SEX", "DOB", "ETHNIC") if c in people]]
    cells = _person_cells(header["CHILD"], people.reindex(header["CHILD"].to_numpy()))
    _, bad = canonical(
        LIST8,
        cells,
        header.index.to_numpy(),
        file=files["header"],
        origin=SSDA903,
        sources=_PERSON_SOURCES,
    )
    bad["list"] = LIST8.label if "episodes" in frames else LIST9.label
    return people, bad


def _person_cells(children: pd.Series, people: pd.DataFrame) -> dict[str, pd.Series]:
    cells = {"child_id": children}
    if "SEX" in people:
        sex = people["SEX"].reindex(children.to_numpy())
        cells["gender"] = sex.replace(_SEX)
    if "DOB" in people:
        cells["dob"] = people["DOB"].reindex(children.to_numpy())
    if "ETHNIC" in people:
        cells["ethnicity"] = people["ETHNIC"].reindex(children.to_numpy())
    return cells


# header fields: their unreadable values are reported against header.csv by `_people`
_FROM_HEADER = frozenset({"gender", "dob", "ethnicity"})
_PERSON_SOURCES = {"child_id": "CHILD", "gender": "SEX", "dob": "DOB", "ethnicity": "ETHNIC"}


def _list8(frames, files, people, reference: dt.date):
    """List 8 and its reviews' history. A column the episodes table lacks (`_read` names it) is
    read as blank where the periods of care need it, and the fields resting on it are not read:
    the rules that need them are reported not run, never judged on blanks."""
    ep = frames["episodes"].copy()
    has = set(ep.columns)
    for column in TABLES["episodes"] - has:
        ep[column] = ""
    ep["_line"] = ep.index.astype("int64")
    ep["_start"], bad_start = values.dates(ep["DECOM"])
    ep["_end"], bad_end = values.dates(ep["DEC"])
    bad_dates = [
        unreadable_column(
            LIST8, name, ep[column], mask, ep["CHILD"], file=files["episodes"], source=column
        )
        for name, column, mask in (("cla_start", "DECOM", bad_start), ("ceased", "DEC", bad_end))
    ]
    ep = ep.sort_values(["CHILD", "_start"], kind="stable").reset_index(drop=True)
    same_child = ep["CHILD"].eq(ep["CHILD"].shift())
    continues = same_child & ep["_start"].eq(ep["_end"].shift()) & ep["RNE"].str.upper().ne("S")
    ep["_period"] = (~continues).cumsum()  # one number per period of care
    last = ep.groupby("CHILD", sort=False).tail(1).set_index("CHILD")
    in_latest = ep["_period"].eq(ep["CHILD"].map(last["_period"]))
    current = ep[in_latest]
    period_start = current.groupby("CHILD", sort=False)["_start"].min()
    placing = current[current["RNE"].str.upper().isin(PLACEMENT_CHANGES)]
    placed = placing.groupby("CHILD", sort=False)["_start"].max()
    children = pd.Series(last.index, dtype=object)
    at = pd.Timestamp(reference)
    window = add_months(pd.Series([at]), -12).iloc[0]
    running = ep["RNE"].str.upper().isin(PLACEMENT_CHANGES) & (ep["_start"] <= at)
    running &= ep["_end"].isna() | (ep["_end"] > window)
    placements = running.groupby(ep["CHILD"]).sum().reindex(children, fill_value=0)
    cells = _person_cells(children, people)
    key = children.to_numpy()
    derived = {
        "ceased": last["_end"].reindex(key).reset_index(drop=True),
        "reason_ceased": last["REC"].reindex(key).where(last["_end"].reindex(key).notna()),
        "legal_status": last["LS"].reindex(key),
        "category_of_need": last["CIN"].reindex(key),
        "placement_type": last["PLACE"].reindex(key),
        "placement_start": placed.reindex(key).reset_index(drop=True),
        "placements_12m": placements.astype("float64").reset_index(drop=True),
    }
    cells["cla_start"] = period_start.reindex(key).reset_index(drop=True)
    cells.update({name: v for name, v in derived.items() if set(_LIST8_NEEDS[name]) <= has})
    for name, column in (
        ("placement_provider", "PLACE_PROVIDER"),
        ("placement_postcode", "PL_POST"),
        ("placement_urn", "URN"),
    ):
        if column in last:
            cells[name] = last[column].reindex(key)
    sources = {
        **_PERSON_SOURCES,
        "cla_start": "DECOM (first episode of the period)",
        "ceased": "DEC",
        "reason_ceased": "REC",
        "legal_status": "LS",
        "category_of_need": "CIN",
        "placement_type": "PLACE",
        "placement_start": "DECOM (latest placement)",
        "placements_12m": "episodes (placements in 12 months)",
        "placement_provider": "PLACE_PROVIDER",
        "placement_postcode": "PL_POST",
        "placement_urn": "URN",
    }
    if "missing" in frames:
        miss = frames["missing"]
        started, bad_missing = values.dates(miss["MIS_START"])
        bad_dates.append(
            unreadable_column(
                LIST8,
                "missing_episodes",
                miss["MIS_START"],
                bad_missing,
                miss["CHILD"],
                file=files["missing"],
                source="MIS_START",
                expected="a date dd/mm/yyyy (the start of a missing episode)",
            )
        )
        counted = miss["MISSING"].str.upper().eq("M") & (started > window) & (started <= at)
        missing = counted.groupby(miss["CHILD"]).sum().reindex(key, fill_value=0)
        cells["missing_episodes"] = missing.astype("float64").reset_index(drop=True)
        sources["missing_episodes"] = "missing (MISSING = M in 12 months)"
    rows = last["_line"].reindex(key).to_numpy()
    list8, bad = canonical(
        LIST8,
        cells,
        rows,
        file=files["episodes"],
        origin=SSDA903,
        sources={k: v for k, v in sources.items() if k in cells},
        reported_elsewhere=_FROM_HEADER,
    )
    history, bad_reviews = _reviews(frames, files, list8)
    if not history.frame.empty:
        latest = history.frame.groupby("_plan")["review_date"].max()
        list8.frame["latest_review"] = latest.reindex(range(len(list8.frame))).to_numpy(
            dtype="datetime64[us]"
        )
        list8.headings["latest_review"] = "REVIEW (the latest of the period)"
    return list8, history, gather_unreadable([*bad_dates, bad, bad_reviews])


def _reviews(frames, files, list8):
    """The reviews of each child's current period of care (on or after its start)."""
    rv = frames.get("reviews")
    if rv is None:
        rv = pd.DataFrame({"CHILD": pd.Series(dtype=object), "REVIEW": pd.Series(dtype=object)})
        file = files["episodes"]
    else:
        file = files["reviews"]
    f = list8.frame
    position = pd.Series(np.arange(len(f)), index=f["child_id"].astype(object))
    position = position[~position.index.duplicated()]
    plan = rv["CHILD"].map(position)
    rv = rv[plan.notna()]
    plan = plan[plan.notna()].astype("int64")
    table, bad = canonical(
        CLA_REVIEWS,
        {"child_id": rv["CHILD"], "review_date": rv["REVIEW"]},
        rv.index.to_numpy(),
        file=file,
        origin=SSDA903,
        sources={"child_id": "CHILD", "review_date": "REVIEW"},
        extra={"_plan": plan.to_numpy()},
    )
    bad["list"] = "8"
    bad["field"] = "latest_review"
    start = f["cla_start"].to_numpy()[table.frame["_plan"].to_numpy()]
    in_period = table.frame["review_date"].isna() | (table.frame["review_date"].to_numpy() >= start)
    table.frame = table.frame[in_period].reset_index(drop=True)
    return table, bad


def _list9(oc3: pd.DataFrame, file: Path, people: pd.DataFrame):
    """List 9, one row per OC3 record; a column OC3 lacks gives no field (rules not run)."""
    children = oc3["CHILD"].reset_index(drop=True)
    cells = _person_cells(children, people)
    from_header = _FROM_HEADER
    if "DOB" in oc3:
        cells["dob"] = oc3["DOB"].reset_index(drop=True)
        from_header = from_header - {"dob"}
    if "IN_TOUCH" in oc3:
        cells["in_touch"] = oc3["IN_TOUCH"].reset_index(drop=True)
    if "ACTIV" in oc3:
        cells["activity"] = oc3["ACTIV"].reset_index(drop=True)
    if "ACCOM" in oc3:
        # OC3 ACCOM: a letter for the type, then 1 suitable or 2 unsuitable; 0 when the young
        # person has died or returned home (neither applies)
        accom = oc3["ACCOM"].str.strip().str.upper().reset_index(drop=True)
        suffix = accom.str[-1:]
        cells["accommodation_type"] = accom.str.replace(r"(?<=[A-Z])[0-9]+$", "", regex=True)
        cells["accommodation_suitability"] = suffix.where(suffix.isin(["1", "2"]), accom)
    sources = {
        **_PERSON_SOURCES,
        "in_touch": "IN_TOUCH",
        "activity": "ACTIV",
        "accommodation_type": "ACCOM",
        "accommodation_suitability": "ACCOM",
    }
    return canonical(
        LIST9,
        cells,
        oc3.index.to_numpy(),
        file=file,
        origin=SSDA903,
        sources={k: v for k, v in sources.items() if k in cells},
        reported_elsewhere=from_header,
    )


def _oc2(oc2: pd.DataFrame, file: Path, list8):
    """OC2's health and teeth checks (1 = up to date), linked to the child's List 8 row."""
    f = list8.frame
    position = pd.Series(np.arange(len(f)), index=f["child_id"].astype(object))
    position = position[~position.index.duplicated()]
    plan = oc2["CHILD"].map(position)
    return canonical(
        OC2,
        {
            "child_id": oc2["CHILD"],
            "health_check": oc2["HEALTH_CHECK"],
            "teeth_check": oc2["TEETH_CHECK"],
        },
        oc2.index.to_numpy(),
        file=file,
        origin=SSDA903,
        sources={"child_id": "CHILD", "health_check": "HEALTH_CHECK", "teeth_check": "TEETH_CHECK"},
        extra={"_plan": plan.fillna(-1).astype("int64").to_numpy()},
    )
