"""A synthetic CIN census XML of any size (a large council: ~30,000 children), for `make bench`
and `make crosscheck`.

The dates are spread over the census year so every rule the return feeds meets its edge cases:
assessments and s47 enquiries starting on every working and non-working day before the
ReferenceDate (so some are due on the ReferenceDate itself), ICPCs held, pending and not
required (and `ICPCnotRequired` left out), plans with 0-4 reviews at intervals around 3 and 6
months. Nothing here is real: ids are `SYN` + a number.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

REFERENCE = dt.date(2026, 3, 31)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    for clamp in (0, 1, 2, 3):
        try:
            return dt.date(year, month, day.day - clamp)
        except ValueError:
            continue
    raise AssertionError(day)


def child_xml(rng: random.Random, number: int, reference: dt.date) -> str:
    year_start = reference - dt.timedelta(days=364)
    dob = _day(rng, dt.date(2008, 4, 1), reference - dt.timedelta(days=30))
    referral = _day(rng, year_start, reference)
    out = [
        f"<Child><ChildIdentifiers><LAchildID>SYN{number:06d}</LAchildID>"
        f"<PersonBirthDate>{dob}</PersonBirthDate><Sex>{rng.choice('12')}</Sex>"
        "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
    ]
    if rng.random() < 0.4:
        closed = _day(rng, referral, reference)
        out.append(
            f"<CINclosureDate>{closed}</CINclosureDate><ReasonForClosure>RC1</ReasonForClosure>"
        )
    start = _day(rng, max(referral, reference - dt.timedelta(days=120)), reference)
    authorised = ""
    if rng.random() < 0.7:
        done = start + dt.timedelta(days=rng.randrange(20, 90))
        if done <= reference:
            authorised = f"<AssessmentAuthorisationDate>{done}</AssessmentAuthorisationDate>"
    out.append(
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>{authorised}"
        "</Assessments>"
    )
    if rng.random() < 0.3:
        s47 = _day(rng, reference - dt.timedelta(days=60), reference)
        icpc = ""
        roll = rng.random()
        if roll < 0.4:
            held = s47 + dt.timedelta(days=rng.randrange(5, 30))
            if held <= reference:
                icpc = f"<DateOfInitialCPC>{held}</DateOfInitialCPC>"
        not_required = rng.choice(["false", "false", "true", "0", ""])
        flag = f"<ICPCnotRequired>{not_required}</ICPCnotRequired>" if not_required else ""
        out.append(
            f"<Section47><S47ActualStartDate>{s47}</S47ActualStartDate>{icpc}{flag}</Section47>"
        )
    if rng.random() < 0.15:
        plan = _day(rng, reference - dt.timedelta(days=700), reference)
        reviews, last = [], plan
        for k in range(rng.randrange(5)):
            gap = _months(last, 3 if k == 0 else 6)
            last = gap + dt.timedelta(days=rng.choice([-20, -1, 0, 0, 1, 15]))
            if last > reference:
                break
            reviews.append(f"<CPPreviewDate>{last}</CPPreviewDate>")
        out.append(
            f"<ChildProtectionPlans><CPPstartDate>{plan}</CPPstartDate>"
            "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
            "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
            f"<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews>{''.join(reviews)}</Reviews>"
            "</ChildProtectionPlans>"
        )
    out.append("<ReferralNFA>false</ReferralNFA></CINdetails></Child>\n")
    return "".join(out)


def write_cin_census(
    path: Path, children: int = 30_000, seed: int = 16, reference: dt.date = REFERENCE
) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            "<Message><Header><CollectionDetails><Collection>CIN</Collection>"
            f"<Year>{reference.year}</Year><ReferenceDate>{reference}</ReferenceDate>"
            "</CollectionDetails></Header>\n<Children>\n"
        )
        for number in range(children):
            fh.write(child_xml(rng, number, reference))
        fh.write("</Children></Message>\n")
    return path
