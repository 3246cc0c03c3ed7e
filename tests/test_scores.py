"""Compliance scores: an area with no Error rule that could run has no score (n/a), not 100%."""

from __future__ import annotations

from audits.engine.run import run_rules
from audits.indicators.scores import NOT_CHECKED, checked_areas, compute_scores
from tests.conftest import make_ctx

AS_AT = "2026-10-30"
CIN = {"child_id": "C1", "team": "North", "cin_start": "2026-01-05"}  # open, no end date
CARE = {"child_id": "K1", "team": "North", "cla_start": "2026-01-05", "worker": "Sam"}


def scores(lists):
    ctx = make_ctx(lists, AS_AT)
    result = run_rules(ctx)
    by_area, by_team = compute_scores(ctx, result.findings, checked_areas(ctx, result.outcomes))
    return {s.area: s for s in by_area}, {(s.area, s.team): s for s in by_team}


def test_an_area_whose_error_rules_could_not_run_is_not_scored():
    # List 6 without Date Child Last Seen or Allocated Worker: neither CIN-01 nor ALL-01 can
    # judge it, so its child is in scope but nothing was checked
    by_area, by_team = scores({6: [CIN], 8: [CARE]})
    cin = by_area["Children in need"]
    assert cin.in_scope == 1 and cin.percent is None and cin.rag == "n/a"
    assert cin.as_dict()["why_no_score"] == NOT_CHECKED
    assert by_team[("Children in need", "North")].rag == "n/a"
    assert by_area["Children in care"].checked and by_area["Children in care"].percent is not None
    assert "why_no_score" not in by_area["Children in care"].as_dict()


def test_one_error_rule_that_runs_is_enough_to_score_an_area():
    # ALL-01 reads Allocated Worker on List 6, so Children in need is judged (the child has a
    # worker: compliant), although CIN-01 still cannot run
    by_area, _ = scores({6: [{**CIN, "worker": "Sam"}]})
    assert by_area["Children in need"].checked
    assert by_area["Children in need"].percent == 100.0
    by_area, _ = scores({6: [{**CIN, "worker": None}]})
    assert by_area["Children in need"].percent == 0.0
