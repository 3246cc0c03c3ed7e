"""Lists 1 to 5 from the SSD (docs/ssd.md §4): contacts, early help, referrals, assessments,
section 47 enquiries with their ICPCs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from audits.ingest.ssd.base import Context, Rows, count_before, dated_in_period, open_rows
from audits.ingest.ssd.people import allocated_worker
from audits.model.spec import LIST1, LIST2, LIST3, LIST4, LIST5

_CP_CONFERENCE = re.compile(r'"?CP_CONFERENCE_FLAG"?\s*:\s*"?([A-Za-z0-9]+)"?', re.IGNORECASE)


def list1(c: Context):
    held = c.ex.get("ssd_contacts")
    if held is None:
        return None
    when = held.date("cont_contact_date")
    r = Rows(LIST1, held, np.flatnonzero(dated_in_period(when, c.ex)))
    held.report(
        "cont_contact_date",
        held.bad_date("cont_contact_date"),
        list_label="1",
        canonical="contact_date",
        expected="a date",
    )
    r.persons(c.pp, c.ex)
    r.date("contact_date", "cont_contact_date")
    r.code("contact_source", "cont_contact_source_code")
    return r.build()


def list2(c: Context):
    held = c.ex.get("ssd_early_help_episodes")
    if held is None:
        return None
    r, end, _ = open_rows(
        c, LIST2, held, "earl_episode_start_date", "earl_episode_end_date", "eh_start", extra=()
    )
    r.put("eh_completed", end.iloc[r.at], "ssd_early_help_episodes.earl_episode_end_date")
    r.text("eh_organisation", "earl_episode_organisation")
    return r.build()


def list3(c: Context):
    held = c.ex.get("ssd_cin_episodes")
    if held is None:
        return None
    when = held.date("cine_referral_date")
    r = Rows(LIST3, held, np.flatnonzero(dated_in_period(when, c.ex)))
    r.persons(c.pp, c.ex)
    r.date("referral_date", "cine_referral_date")
    r.code("referral_source", "cine_referral_source_code")
    nfa = r.flag("referral_nfa", "cine_referral_nfa")
    if nfa is not None:
        r.put("referral_nfa", nfa.where(nfa != "Unknown"))
    child = r.child()
    r.put(
        "referrals_12m",
        pd.Series(count_before(child, when.iloc[r.at], held.person(), when, 12)),
        "the child's other referrals (cine_referral_date) in the 12 months before",
    )
    if held.has("cine_referral_worker_id"):
        r.put(
            "worker",
            c.pp.worker(held.ids("cine_referral_worker_id").iloc[r.at]),
            "cine_referral_worker_id (ssd_professionals.prof_professional_name)",
        )
    if held.has("cine_referral_team"):
        r.put(
            "team",
            c.pp.team(held.text("cine_referral_team").iloc[r.at]),
            "cine_referral_team (ssd_department.dept_team_name)",
        )
    return r.build()


def list4(c: Context):
    held = c.ex.get("ssd_cin_assessments")
    if held is None:
        return None
    r, authorised, _ = open_rows(
        c,
        LIST4,
        held,
        "cina_assessment_start_date",
        "cina_assessment_auth_date",
        "assessment_start",
    )
    auth = authorised.iloc[r.at].reset_index(drop=True)
    r.put("assessment_authorised", auth, "ssd_cin_assessments.cina_assessment_auth_date")
    r.flag("child_seen", "cina_assessment_child_seen")
    nfa = r.flag("assessed_in_need", "cina_assessment_outcome_nfa")
    if nfa is not None:
        in_need = nfa.map({"No": "Yes", "Yes": "No"}).where(nfa != "(unreadable)", nfa)
        r.put(
            "assessed_in_need",
            in_need.where(auth.notna() & (auth <= c.ex.date)),
            "not cina_assessment_outcome_nfa, once authorised",
        )
    _worker_or_allocation(
        c,
        r,
        "cina_assessment_worker_id",
        "cina_assessment_team",
        auth,
        held.ids("cina_referral_id"),
    )
    return r.build()


def list5(c: Context):
    held = c.ex.get("ssd_s47_enquiry")
    if held is None:
        return None
    r, end, strategy = open_rows(
        c, LIST5, held, "s47e_s47_start_date", "s47e_s47_end_date", "strategy_date"
    )
    start = held.date("s47e_s47_start_date")
    child = r.child()
    enquiry = held.ids("s47e_s47_enquiry_id").iloc[r.at].reset_index(drop=True)
    icpc_date, icpc_plan, icpc_absent = _icpcs(c, r, enquiry, child)
    if icpc_absent:
        for name in ("icpc_date", "icpc_plan", "icpc_unnecessary", "icpc_12m"):
            r.lack(name, icpc_absent)
    else:
        r.put("icpc_date", icpc_date, "ssd_initial_cp_conference.icpc_icpc_date (the earliest)")
        r.put("icpc_plan", icpc_plan, "ssd_initial_cp_conference.icpc_icpc_outcome_cp_flag")
        ended = end.iloc[r.at].reset_index(drop=True)
        r.put(
            "icpc_unnecessary",
            _unnecessary(held, r.at, ended, icpc_date, c),
            "s47e_s47_outcome_json CP_CONFERENCE_FLAG (else s47e_s47_nfa), once ended",
        )
        icpc = c.ex.get("ssd_initial_cp_conference")
        every = icpc.date("icpc_icpc_date")
        r.put(
            "icpc_12m",
            pd.Series(count_before(child, strategy, icpc.person(), every, 12)),
            "the child's ICPCs in the 12 months before the strategy discussion",
        )
    if strategy is not None:
        r.put(
            "s47_12m",
            pd.Series(count_before(child, strategy, held.person(), start, 12)),
            "the child's other s47 enquiries in the 12 months before",
        )
    _worker_or_allocation(
        c,
        r,
        "s47e_s47_completed_by_worker_id",
        "s47e_s47_completed_by_team",
        end.iloc[r.at].reset_index(drop=True),
        None,
    )
    return r.build()


def _icpcs(c: Context, r: Rows, enquiry: pd.Series, child: pd.Series):
    """The earliest ICPC of each enquiry (same enquiry id and person), its CP-plan outcome."""
    icpc = c.ex.get("ssd_initial_cp_conference")
    why = c.ex.why_absent("ssd_initial_cp_conference", ("icpc_s47_enquiry_id", "icpc_icpc_date"))
    if why:
        return None, None, why
    when = c.until_as_at(icpc, "icpc_icpc_date")
    plan, bad_plan = icpc.flag("icpc_icpc_outcome_cp_flag")
    frame = pd.DataFrame(
        {
            "enquiry": icpc.ids("icpc_s47_enquiry_id").to_numpy(),
            "child": icpc.person().to_numpy(),
            "when": when.to_numpy(),
            "plan": plan.to_numpy(),
            "_pos": np.arange(len(icpc)),
        }
    ).dropna(subset=["enquiry", "when"])
    frame = frame.sort_values("when", kind="stable").drop_duplicates(["enquiry", "child"])
    left = pd.DataFrame({"enquiry": enquiry.to_numpy(), "child": child.to_numpy()})
    joined = left.merge(frame, on=["enquiry", "child"], how="left")
    used = joined["_pos"].dropna().astype(np.int64).to_numpy()
    icpc.report(
        "icpc_icpc_date",
        icpc.bad_date("icpc_icpc_date"),
        list_label="5",
        canonical="icpc_date",
        expected="a date",
    )
    icpc.report(
        "icpc_icpc_outcome_cp_flag",
        bad_plan,
        rows=used,
        list_label="5",
        canonical="icpc_plan",
        expected="Y or N",
    )
    plan_code = joined["plan"].where(joined["plan"] != "Unknown")
    return joined["when"], plan_code, None


def _unnecessary(held, at, ended: pd.Series, icpc_date: pd.Series, c: Context) -> pd.Series:
    """Yes: ended (on or before D), no ICPC, and its outcome does not ask for a conference;
    No: a conference asked for or held; blank while the enquiry is open."""
    flag = pd.Series(pd.NA, index=range(len(at)), dtype=object)
    if held.has("s47e_s47_outcome_json"):
        found = held.text("s47e_s47_outcome_json").iloc[at].str.extract(_CP_CONFERENCE)[0]
        flag = (
            found.reset_index(drop=True)
            .str.upper()
            .map(lambda v: "Yes" if v in ("Y", "YES", "1", "TRUE") else "No", na_action="ignore")
        )
    nfa = held.flag("s47e_s47_nfa")[0].iloc[at].reset_index(drop=True)
    asked = flag.where(flag.notna(), nfa.map({"Yes": "No", "No": "Yes"}))  # NFA Y: none asked
    done = ended.notna() & (ended <= c.ex.date)
    out = pd.Series(pd.NA, index=asked.index, dtype=object)
    out[icpc_date.notna() | asked.eq("Yes")] = "No"
    unnecessary = done & icpc_date.isna() & asked.eq("No")
    out[unnecessary] = "Yes"
    return out


def _worker_or_allocation(c: Context, r: Rows, worker_field, team_field, end, referral):
    """The record's own worker and team; when both are blank and it is open, the child's
    allocated worker at D."""
    held = r.held
    worker = c.pp.worker(held.ids(worker_field).iloc[r.at]).reset_index(drop=True)
    team = c.pp.team(held.text(team_field).iloc[r.at]).reset_index(drop=True)
    blank = worker.isna() & team.isna() & (end.isna() | (end > c.ex.date))
    if blank.any() and c.inv is not None:
        records = pd.DataFrame(
            {
                "child": r.child()[blank].to_numpy(),
                "on": c.ex.date,
                "referral": (
                    referral.iloc[r.at].reset_index(drop=True)[blank].to_numpy()
                    if referral is not None
                    else pd.NA
                ),
            }
        )
        w, t = allocated_worker(c.inv, records, c.ex, c.pp)
        worker[blank[blank].index] = w.to_numpy()
        team[blank[blank].index] = t.to_numpy()
    if held.has(worker_field) or c.inv is not None:
        r.put("worker", worker, f"{worker_field} (else the allocated involvement)")
    else:
        r.lack("worker", f"{held.table.name} has no column {worker_field}")
    if held.has(team_field) or c.inv is not None:
        r.put("team", team, f"{team_field} (else the allocated involvement)")
    else:
        r.lack("team", f"{held.table.name} has no column {team_field}")
