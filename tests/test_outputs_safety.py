"""Nothing is lost: atomic outputs, interrupted runs, and reviewed workbooks."""

from __future__ import annotations

import openpyxl
import pytest

from audits.pipeline.audit import audit
from audits.pipeline.outputs import write_outputs
from tests.conftest import ROOT, d


@pytest.fixture
def first_run(tmp_path):
    run = audit(ROOT / "sample_exports", d("2026-10-30"))
    write_outputs(run, tmp_path)
    return tmp_path


def test_interrupted_run_leaves_previous_outputs_intact(first_run, monkeypatch):
    before = {p: p.read_bytes() for p in first_run.rglob("*") if p.is_file()}
    assert any(p.parent.name == "teams" for p in before)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if the run were stopped mid-write

    import audits.output.workbook as workbook_module

    monkeypatch.setattr(workbook_module, "write_workbook", killed)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(audit(ROOT / "sample_exports", d("2026-11-30")), first_run)
    after = {p: p.read_bytes() for p in first_run.rglob("*") if p.is_file()}
    assert after == before  # same files, same bytes, no temporary files left behind


def test_a_reviewed_workbook_is_never_overwritten(first_run):
    path = first_run / "audit.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Rules"]["J2"] = "looked at"  # typed anywhere, not only in the reviewer columns
    wb.save(path)
    reviewed = path.read_bytes()
    run = audit(ROOT / "sample_exports", d("2026-10-30"))
    new = write_outputs(run, first_run)
    assert path.read_bytes() == reviewed
    assert new != path and new.exists() and new.name.startswith("audit-2026-10-30-")
    assert run.summary["workbook"] == new.name
    assert run.summary["workbooks_kept"] == [new.name]


def test_an_unreviewed_workbook_is_replaced(first_run):
    run = audit(ROOT / "sample_exports", d("2026-10-30"))
    assert write_outputs(run, first_run) == first_run / "audit.xlsx"


def test_a_run_makes_no_network_connection(tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the audit tried to open a network socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    run = audit(ROOT / "sample_exports", d("2026-10-30"))
    write_outputs(run, tmp_path)
    assert (tmp_path / "findings.csv").exists()
