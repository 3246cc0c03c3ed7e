"""The CIN census (DfE XML) read onto canonical Lists 4, 5, 6 and 7, with every CP review kept.

`Message/Header/CollectionDetails` gives the `ReferenceDate` (the default as-at date); each
`Children/Child` holds `ChildIdentifiers`, `ChildCharacteristics` and one `CINdetails` per CIN
episode (List 6), with its `Assessments` (List 4), `Section47` enquiries (List 5) and
`ChildProtectionPlans` (List 7; every `Reviews/CPPreviewDate` goes to the `cp_reviews` history,
the latest to List 7's latest review). The return carries no visits, child-seen answers, teams or
workers: rules that need them are reported not run, and every child shows under "(no team)".

Parsing is lxml's, hardened: no entity resolution, no network, no huge trees, and a file that
declares a DTD is refused outright (a CIN census has none; a DTD is how an entity-expansion
"billion laughs" file works). The file is streamed child by child (`iterparse`, each `Child`
cleared once read), so a large council's return stays small in memory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from audits.core.errors import InputError
from audits.ingest.returns import (
    CIN_CENSUS,
    CP_REVIEWS,
    ReturnExport,
    canonical,
    gather_unreadable,
)
from audits.model.spec import LIST4, LIST5, LIST6, LIST7

# CIN census codes for sex (0 not known, 1 male, 2 female, 9 not specified) as Annex A spells them.
_SEX = {"0": "Not stated/recorded", "1": "Male", "2": "Female", "9": "Neither"}


def looks_like_xml(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<")):  # UTF-16 with its BOM
        return True
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def is_cin_census(path: Path) -> bool:
    """True for an XML `Message` whose Header names the CIN collection (read up to it only)."""
    if not looks_like_xml(path):
        return False
    try:
        for _event, el in _parser_events(path, events=("start", "end")):
            if _local(el.tag) == "Child":
                return False
            if _local(el.tag) == "Collection" and el.text is not None:
                root = el.getroottree().getroot()
                return _local(root.tag) == "Message" and el.text.strip().upper() == "CIN"
    except (etree.XMLSyntaxError, OSError):
        return False
    return False


_WANTED = ["{*}Child", "{*}Collection", "{*}ReferenceDate", "{*}Year"]


def _parser_events(path: Path, events: tuple[str, ...] = ("end",)):
    """End events of the elements read (children and header fields) only: the rest of the
    tree is walked in C, not in Python."""
    return etree.iterparse(
        str(path),
        events=events,
        tag=_WANTED,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class _Rows:
    """Plain columns collected while streaming; turned into frames at the end."""

    def __init__(self, *names: str) -> None:
        self.data: dict[str, list] = {n: [] for n in names}

    def add(self, **values) -> None:
        for name, value in values.items():
            self.data[name].append(value)

    def series(self, name: str) -> pd.Series:
        return pd.Series(self.data[name], dtype=object)

    def __len__(self) -> int:
        return len(next(iter(self.data.values())))


def load_cin_census(path: Path) -> ReturnExport:
    """Read a CIN census XML file; raise InputError for anything that is not one."""
    children = _Rows("child_id", "dob", "sex", "ethnicity", "disability", "line")
    episodes = _Rows("child", "line", "start", "closed", "need", "reason")
    assessments = _Rows("child", "line", "start", "authorised")
    s47 = _Rows("child", "line", "start", "icpc", "not_required")
    plans = _Rows("child", "line", "start", "end", "initial", "latest", "previous")
    reviews = _Rows("plan", "line", "date")
    header: dict[str, str] = {}
    checked = False
    events = _parser_events(path)
    try:
        for _event, el in events:
            if not checked:
                root = el.getroottree().getroot()
                _check_root(path, root)
                namespace = etree.QName(root).namespace
                ns = f"{{{namespace}}}" if namespace else ""
                checked = True
            name = _local(el.tag)
            if name != "Child":
                if _within(el, "Header"):
                    header[name] = (el.text or "").strip()
                continue
            if header.get("Collection", "CIN").upper() != "CIN":
                raise _not_cin(path, header["Collection"])
            _read_child(el, ns, children, episodes, assessments, s47, plans, reviews)
            el.clear()
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
        if not checked and events.root is not None:
            _check_root(path, events.root)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"The XML cannot be read: {exc.msg}",
            file=str(path),
            row=exc.lineno,
            expected="a well-formed CIN census XML file as the case system exports it",
            action="Export the return again; do not edit the XML by hand",
        ) from None
    if header.get("Collection", "").upper() != "CIN":
        raise _not_cin(path, header.get("Collection") or "(none)")
    reference = _reference_date(path, header.get("ReferenceDate"))
    if not len(children):
        raise InputError(
            "The CIN census holds no children, so there is nothing to audit",
            file=str(path),
            expected="Children/Child elements",
        )
    return _export(
        path, reference, children, episodes, assessments, s47, plans, reviews, header.get("Year")
    )


def _within(el, ancestor: str) -> bool:
    parent = el.getparent()
    while parent is not None:
        if _local(parent.tag) == ancestor:
            return True
        parent = parent.getparent()
    return False


def _check_root(path: Path, root) -> None:
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise InputError(
            "The XML file declares a document type (<!DOCTYPE ...>), which a CIN census never "
            "does; it is refused because such declarations can define entities that expand "
            "without limit ('billion laughs') or fetch other files",
            file=str(path),
            row=1,
            expected="a CIN census XML file without a DOCTYPE declaration",
            action="Export the return again from the case system",
        )
    if _local(root.tag) != "Message":
        raise InputError(
            f"The XML file is not a CIN census: its root element is <{_local(root.tag)}>",
            file=str(path),
            row=root.sourceline,
            expected="a CIN census XML file (root <Message>, Header/CollectionDetails/Collection "
            "CIN), an Annex A workbook, or a folder of SSDA903 CSV files",
        )


def _not_cin(path: Path, collection: str) -> InputError:
    return InputError(
        f"The XML return's Collection is '{collection}', not CIN",
        file=str(path),
        expected="a CIN census (Header/CollectionDetails/Collection = CIN)",
    )


def _reference_date(path: Path, text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        raise InputError(
            f"The CIN census ReferenceDate '{text or ''}' is not a date",
            file=str(path),
            column="Header/CollectionDetails/ReferenceDate",
            expected="a date yyyy-mm-dd (the census reference date, e.g. 2026-03-31)",
        ) from None


def _fields(parent, ns: str) -> dict[str, str | None]:
    """The text of a group's elements by name (one pass over its children in C)."""
    if parent is None:
        return {}
    cut = len(ns)
    return {c.tag[cut:]: c.text for c in parent if isinstance(c.tag, str)}


def _read_child(el, ns, children, episodes, assessments, s47, plans, reviews) -> None:
    child = len(children)
    ids = _fields(el.find(f"{ns}ChildIdentifiers"), ns)
    chars_el = el.find(f"{ns}ChildCharacteristics")
    chars = _fields(chars_el, ns)
    sex = (ids.get("Sex") or ids.get("GenderCurrent") or "").strip()
    disabilities = [] if chars_el is None else chars_el.iterfind(f"{ns}Disabilities/{ns}Disability")
    codes = {(d.text or "").strip().upper() for d in disabilities} - {""}
    children.add(
        child_id=ids.get("LAchildID"),
        dob=ids.get("PersonBirthDate"),
        sex=_SEX.get(sex, sex) or None,
        ethnicity=chars.get("Ethnicity"),
        disability=None if not codes else ("No" if codes == {"NONE"} else "Yes"),
        line=el.sourceline,
    )
    for detail in el.iterfind(f"{ns}CINdetails"):
        d = _fields(detail, ns)
        episodes.add(
            child=child,
            line=detail.sourceline,
            start=d.get("CINreferralDate"),
            closed=d.get("CINclosureDate"),
            need=d.get("PrimaryNeedCode"),
            reason=d.get("ReasonForClosure"),
        )
        for a in detail.iterfind(f"{ns}Assessments"):
            f = _fields(a, ns)
            assessments.add(
                child=child,
                line=a.sourceline,
                start=f.get("AssessmentActualStartDate"),
                authorised=f.get("AssessmentAuthorisationDate"),
            )
        for s in detail.iterfind(f"{ns}Section47"):
            f = _fields(s, ns)
            s47.add(
                child=child,
                line=s.sourceline,
                start=f.get("S47ActualStartDate"),
                icpc=f.get("DateOfInitialCPC"),
                not_required=f.get("ICPCnotRequired"),
            )
        for p in detail.iterfind(f"{ns}ChildProtectionPlans"):
            f = _fields(p, ns)
            plan = len(plans)
            plans.add(
                child=child,
                line=p.sourceline,
                start=f.get("CPPstartDate"),
                end=f.get("CPPendDate"),
                initial=f.get("InitialCategoryOfAbuse"),
                latest=f.get("LatestCategoryOfAbuse"),
                previous=f.get("NumberOfPreviousCPP"),
            )
            for r in p.iterfind(f"{ns}Reviews/{ns}CPPreviewDate"):
                reviews.add(plan=plan, line=r.sourceline, date=r.text)


def _person(children: _Rows, at: np.ndarray) -> dict[str, pd.Series]:
    """The child's identifiers and characteristics, repeated on each of their records."""
    return {
        name: children.series(key).take(at)
        for name, key in (
            ("child_id", "child_id"),
            ("gender", "sex"),
            ("ethnicity", "ethnicity"),
            ("dob", "dob"),
            ("disability", "disability"),
        )
    }


_PERSON_SOURCES = {
    "child_id": "LAchildID",
    "gender": "Sex",
    "ethnicity": "Ethnicity",
    "dob": "PersonBirthDate",
    "disability": "Disability",
}


def _export(path, reference, children, episodes, assessments, s47, plans, reviews, year):
    def build(spec, rows: _Rows, fields: dict[str, str], extra=None):
        at = np.asarray(rows.data["child"], dtype=np.int64)
        cells = _person(children, at)
        cells.update({name: rows.series(key) for name, key in fields.items()})
        sources = {**_PERSON_SOURCES, **{n: _SOURCES[spec.number][n] for n in fields}}
        return canonical(
            spec,
            cells,
            np.asarray(rows.data["line"], dtype=np.int64),
            file=path,
            origin=CIN_CENSUS,
            sources=sources,
            extra=extra,
        )

    list6, bad6 = build(
        LIST6,
        episodes,
        {
            "cin_start": "start",
            "cin_closed": "closed",
            "primary_need": "need",
            "closure_reason": "reason",
        },
    )
    list4, bad4 = build(
        LIST4, assessments, {"assessment_start": "start", "assessment_authorised": "authorised"}
    )
    list5, bad5 = build(
        LIST5,
        s47,
        {"strategy_date": "start", "icpc_date": "icpc", "icpc_unnecessary": "not_required"},
    )
    history, bad_reviews = _reviews(path, plans, reviews, children)
    plans_cells = {
        "plan_start": "start",
        "plan_end": "end",
        "initial_category": "initial",
        "latest_category": "latest",
        "previous_plans": "previous",
    }
    list7, bad7 = build(LIST7, plans, plans_cells)
    latest = history.frame.groupby("_plan")["review_date"].max()
    list7.frame["latest_review"] = latest.reindex(range(len(list7.frame))).to_numpy(
        dtype="datetime64[us]"
    )
    list7.headings["latest_review"] = "CPPreviewDate (the latest)"
    lists = {4: list4, 5: list5, 6: list6, 7: list7}
    note = "the CIN census ReferenceDate" + (f" (collection year {year})" if year else "")
    return ReturnExport(
        path,
        [path],
        lists,
        gather_unreadable([bad4, bad5, bad6, bad7, bad_reviews]),
        [],
        {"cp_reviews": history},
        kind=CIN_CENSUS,
        reference_date=reference,
        reference_note=note,
    )


def _reviews(path, plans: _Rows, reviews: _Rows, children: _Rows):
    """Every CP review date, linked to its plan (List 7 row) by `_plan`."""
    plan_at = np.asarray(reviews.data["plan"], dtype=np.int64)
    child_at = np.asarray(plans.data["child"], dtype=np.int64)[plan_at]
    table, bad = canonical(
        CP_REVIEWS,
        {
            "child_id": children.series("child_id").take(child_at),
            "review_date": reviews.series("date"),
        },
        np.asarray(reviews.data["line"], dtype=np.int64),
        file=path,
        origin=CIN_CENSUS,
        sources={"child_id": "LAchildID", "review_date": "CPPreviewDate"},
        extra={"_plan": plan_at},
    )
    bad["list"] = "7"  # reported against List 7 (its review conference date)
    bad["field"] = "latest_review"
    return table, bad


_SOURCES = {
    4: {
        "assessment_start": "AssessmentActualStartDate",
        "assessment_authorised": "AssessmentAuthorisationDate",
    },
    5: {
        "strategy_date": "S47ActualStartDate",
        "icpc_date": "DateOfInitialCPC",
        "icpc_unnecessary": "ICPCnotRequired",
    },
    6: {
        "cin_start": "CINreferralDate",
        "cin_closed": "CINclosureDate",
        "primary_need": "PrimaryNeedCode",
        "closure_reason": "ReasonForClosure",
    },
    7: {
        "plan_start": "CPPstartDate",
        "plan_end": "CPPendDate",
        "initial_category": "InitialCategoryOfAbuse",
        "latest_category": "LatestCategoryOfAbuse",
        "previous_plans": "NumberOfPreviousCPP",
    },
}
