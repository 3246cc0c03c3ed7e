"""Rules over the council's local tables (DESIGN §1): care leaver documents, workers and
management oversight. Each is reported *not run*, with the reason, when its table is absent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.core.calendar import age_in_years
from audits.engine.context import Context, frame_hits
from audits.engine.hits import RuleHits
from audits.engine.registry import rule
from audits.ingest.keys import by_appearance, first_seen, lookup
from audits.model.names import name_key
from audits.model.spec import header_key

CASELOAD_LISTS = (4, 5, 6, 7, 8, 9)
OVERSIGHT_LISTS = (6, 7, 8)


@rule(
    "CL-06",
    area="Care leavers",
    severity="Error",
    title="Key document not held",
    basis="Children Act 1989 guidance and regulations vol. 3 (planning transition to adulthood "
    "for care leavers): NI number, birth certificate, bank account, health history; councils "
    "add passport or photo ID",
    condition="care leaver aged 18 or over at D; one finding per required document not "
    "recorded as Held = Y (no row, N, blank or unreadable)",
    needs={"list9": ("dob",), "care_leaver_documents": ("child_id", "document", "held")},
    threshold="required_documents",
)
def key_document_not_held(ctx: Context) -> RuleHits:
    keys = ctx.export.keys("child_id")
    leavers = ctx.table("list9")
    codes = ctx.codes(leavers)
    adult = (age_in_years(leavers.frame["dob"], ctx.as_at) >= 18).fillna(False).to_numpy(bool)
    candidates = np.flatnonzero(adult & (codes >= 0))
    _, first = np.unique(codes[candidates], return_index=True)  # one row per child
    adults = np.sort(candidates[first])
    required = list(ctx.config.required_documents)
    docs = ctx.table("care_leaver_documents")
    doc_codes = ctx.codes(docs)
    wanted = list(dict.fromkeys(header_key(d) for d in required))
    named = _document_index(docs.frame["document"], wanted)
    held_rows = (docs.frame["held"] == "Yes").to_numpy(bool) & (doc_codes >= 0) & (named >= 0)
    held = np.zeros((keys.size, len(wanted)), dtype=bool)
    held[doc_codes[held_rows], named[held_rows]] = True
    per_required = [wanted.index(header_key(d)) for d in required]
    who, which = np.nonzero(~held[codes[adults]][:, per_required])  # adult-major, config order
    missing = leavers.frame.iloc[adults[who]].reset_index(drop=True)
    document = pd.Series(np.array(required, dtype=object)[which], dtype="str")
    return frame_hits(
        area="Care leavers",
        lists="9",
        child_id=missing["child_id"],
        team=missing.get("team", pd.Series(pd.NA, index=missing.index)),
        worker=missing.get("worker", pd.Series(pd.NA, index=missing.index)),
        field="Document",
        value=document,
        message=document + " not recorded as held",
        identity="L9",
        item=document,
        source_row=missing["_row"],
    )


def _distinct_children_per_name(
    name: np.ndarray, child: np.ndarray, size: int, names: int
) -> np.ndarray:
    """Distinct children per worker from (worker, child) rows, without hashing every pair.

    Most of a child's rows name the same worker: keep one worker per child (any of them),
    count those, then hash only the rows that name another worker.
    """
    one_name = np.empty(size, dtype=np.int64)  # only ever read where written
    one_name[child] = name
    present = np.zeros(size, dtype=bool)
    present[child] = True
    counts = np.bincount(one_name[present], minlength=names)
    other = name != one_name[child]
    if other.any():
        pairs = pd.unique(name[other] * np.int64(size) + child[other])
        counts += np.bincount(pairs // size, minlength=names)
    return counts


def _document_index(names: pd.Series, wanted: list[str]) -> np.ndarray:
    """Position of each row's document among the wanted keys (-1: not wanted, or blank),
    compared as headings are (case, spacing and punctuation aside); each name looked at once."""
    position = {key: i for i, key in enumerate(wanted)}
    codes, distinct = pd.factorize(names, use_na_sentinel=True)
    index = np.array(
        [position.get(header_key(str(d)), -1) for d in distinct] + [-1], dtype=np.int64
    )
    return index[codes]  # a blank name's code -1 picks the final -1


@rule(
    "WF-01",
    area="Workforce",
    severity="Query",
    title="Caseload above standard",
    basis="Local standard (L): 18 children per full-time social worker, 16 for NQSW/ASYE",
    condition="distinct children on open List 4 to 9 rows allocated to the worker, divided by "
    "FTE, above the standard for the role (at the standard is met); workers with no FTE above "
    "zero are not assessed",
    needs={"workers": ("worker", "fte", "role")},
    threshold="caseload_standard",
)
def caseload_above_standard(ctx: Context) -> RuleHits:
    children, workers_keys = ctx.export.keys("child_id"), ctx.export.keys("worker")
    # One name key per distinct worker text, then distinct (name key, child) pairs as integers.
    name_codes, names = pd.factorize(name_key(pd.Series(workers_keys.vocabulary)))
    names_of, children_of_rows = [], []
    for n in CASELOAD_LISTS:
        table = ctx.table(f"list{n}")
        if table is None or "worker" not in table.columns:
            continue
        worker, child = ctx.codes(table, "worker"), ctx.codes(table)
        at = ctx.is_open(table).to_numpy() & (worker >= 0) & (child >= 0)
        names_of.append(name_codes[worker[at]])
        children_of_rows.append(child[at])
    name = np.concatenate(names_of) if names_of else np.zeros(0, dtype=np.int64)
    child = np.concatenate(children_of_rows) if names_of else np.zeros(0, dtype=np.int32)
    counts = _distinct_children_per_name(name, child, children.size, len(names))
    children_of = pd.Series(counts, index=pd.Index(names, dtype="str"), name="children")
    workers = ctx.table("workers").frame
    staff = workers.assign(key=name_key(workers["worker"])).drop_duplicates("key")
    staff = staff.merge(children_of, left_on="key", right_index=True, how="left").fillna(
        {"children": 0}
    )
    standard = np.where(
        staff["role"] == "NQSW/ASYE",
        ctx.config.caseload_standard_nqsw,
        ctx.config.caseload_standard,
    )
    assessed = staff["fte"] > 0
    caseload = (staff["children"] / staff["fte"].where(assessed)).round(1)
    over = staff[assessed & (caseload > standard)]
    if over.empty:
        return pd.DataFrame()
    load, limit = caseload[over.index], pd.Series(standard, index=staff.index)[over.index]
    message = (
        "Caseload "
        + load.map("{:g}".format)
        + " children per FTE ("
        + over["children"].astype(int).astype(str)
        + " children, FTE "
        + over["fte"].map("{:g}".format)
        + "); standard "
        + limit.map("{:g}".format)
    )
    return frame_hits(
        area="Workforce",
        lists="4-9",
        child_id=pd.Series("", index=over.index),
        team=over.get("team", pd.Series(pd.NA, index=over.index)),
        worker=over["worker"],
        field="Caseload per FTE",
        value=load.map("{:g}".format),
        message=message,
        identity="workers",
        item=over["key"],
        source_row=over["_row"],
    )


@rule(
    "MO-01",
    area="Management oversight",
    severity="Error",
    title="No management oversight recorded",
    basis="Local standard (L): management oversight recorded on every open case at least every "
    "42 days (Ofsted ILACS: leaders' oversight of practice)",
    condition="child with an open List 6, 7 or 8 row (one finding per child): no oversight "
    "recorded, or D > last oversight + 42 days",
    needs={"management_oversight": ("child_id", "last_oversight")},
    threshold="oversight_days",
)
def no_management_oversight(ctx: Context) -> RuleHits:
    keys = ctx.export.keys("child_id")
    # Children on open List 6-8 rows, on integer codes: which lists, and their first such row.
    tables, positions, part_codes, part_bits = [], [], [], []
    for bit, n in enumerate(OVERSIGHT_LISTS):
        table = ctx.table(f"list{n}")
        if table is None:
            continue
        codes = ctx.codes(table)
        at = np.flatnonzero(ctx.is_open(table).to_numpy() & (codes >= 0))
        tables.append(table)
        positions.append(at)
        part_codes.append(codes[at])
        part_bits.append(1 << bit)
    codes = np.concatenate(part_codes) if part_codes else np.zeros(0, dtype=np.int32)
    local = by_appearance(codes)
    first = first_seen(local)
    children = codes[first]  # in order of first appearance: local code i is children[i]
    bounds = np.cumsum([0, *map(len, positions)])
    on_lists = np.zeros(len(children), dtype=np.int8)  # bit b set: on OVERSIGHT_LISTS[b]
    for bit, lo, hi in zip(part_bits, bounds[:-1], bounds[1:], strict=True):
        on_lists[local[lo:hi]] |= bit  # repeated children all write the same value
    oversight = ctx.table("management_oversight")
    seen = lookup(keys.size, children)[ctx.codes(oversight)]
    recorded = oversight.frame["last_oversight"].to_numpy("datetime64[us]").view(np.int64)
    last = np.full(len(children), np.iinfo(np.int64).min, dtype=np.int64)  # NaT: none recorded
    np.maximum.at(last, seen[seen >= 0], recorded[seen >= 0])
    last = last.view("datetime64[us]")
    due = last + np.timedelta64(ctx.config.oversight_days, "D")
    late = np.isnat(last) | (np.datetime64(ctx.date, "us") > due)
    flagged_at = np.flatnonzero(first)[late]
    if not len(flagged_at):
        return pd.DataFrame()
    columns = ["child_id", "team", "worker", "_row"]
    cases = pd.concat(
        [
            t.frame.reindex(columns=columns).iloc[
                at[flagged_at[(flagged_at >= lo) & (flagged_at < hi)] - lo]
            ]
            for t, at, lo, hi in zip(tables, positions, bounds[:-1], bounds[1:], strict=True)
        ],
        ignore_index=True,
    )
    label = {
        m: ", ".join(str(n) for b, n in enumerate(OVERSIGHT_LISTS) if m >> b & 1) for m in range(8)
    }
    flagged = cases.assign(lists=pd.Series(on_lists[late]).map(label), last=last[late]).set_index(
        cases["child_id"]
    )
    due = pd.Series(due[late], index=flagged.index)
    message = pd.Series(
        np.where(flagged["last"].isna(), "No management oversight recorded", None),
        index=flagged.index,
        dtype=object,
    )
    return frame_hits(
        area="Management oversight",
        lists=flagged["lists"],
        child_id=pd.Series(flagged.index, index=flagged.index),
        team=flagged["team"],
        worker=flagged["worker"],
        field="Date of Last Management Oversight",
        value=flagged["last"],
        message=message,
        identity="MO",
        item="",
        source_row=flagged["_row"],
        due_date=due,
        what="Management oversight",
    )
