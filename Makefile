# Two entry points a new user needs: `make demo` and `make test`.
# Each creates .venv with the Python found on PATH (3.11+) and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_AT  := 2026-10-30
OUT    := out/demo

.PHONY: demo rehearse test lint bench crosscheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# The sample month audited as if it were Bradford's (sample_exports/demo.toml: la_code = "380"), so the
# scorecard shows a real council's published figures and statistical neighbours.
demo: $(VENV)/.installed
	mkdir -p $(dir $(OUT))
	$(BIN)/audit run sample_exports/annex_a_2026-10.xlsx --as-at $(AS_AT) --out $(OUT) --config sample_exports/demo.toml --db $(OUT).sqlite
	$(BIN)/audit board --out $(OUT)/board --config sample_exports/demo.toml --db $(OUT).sqlite
	@echo "Audit workbook (QA team, all teams): $(abspath $(OUT))/audit.xlsx"
	@echo "Team workbooks (one per team manager): $(abspath $(OUT))/teams/"
	@echo "Board pack (scorecard with Bradford's neighbours): $(abspath $(OUT))/board/board.html"

# Four synthetic months (Dec 2024 to the year end of Mar 2025) in a history store, moderated and
# practice-audited, and their board pack: what the README's board pictures show.
.PHONY: demo-board
demo-board: $(VENV)/.installed
	$(BIN)/python scripts/demo_board.py --out out/demo-board

# Three consecutive months of one synthetic council, and September audited: the start of the
# monthly routine to rehearse (README, "Rehearsing the routine").
REHEARSE := out/rehearse
rehearse: $(VENV)/.installed
	rm -rf $(REHEARSE)
	$(BIN)/audit example --out $(REHEARSE)/exports --as-at 2026-11-30 --months 3
	cd $(REHEARSE) && $(abspath $(BIN))/audit run exports/2026-09 --as-at 2026-09-30 --out out/2026-09
	@echo "Next: fill in $(abspath $(REHEARSE))/out/2026-09/teams/*.xlsx, save them into $(abspath $(REHEARSE))/returns/2026-09/, then run 'audit moderate returns/2026-09' there."

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check audits checks tests benchmarks
	$(BIN)/ruff format --check audits checks tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py

# The D2I CIN validator in its own venv (it needs pandas < 2, built against numpy 1), compared
# with our ASM-01 and S47-02 child by child (docs/crosscheck.md). Not part of `make test`.
# FILES="a.xml b.xml" checks those returns instead of the reference and generated ones.
CROSSCHECK_VENV := .crosscheck-venv
$(CROSSCHECK_VENV)/.installed:
	$(PYTHON) -m venv $(CROSSCHECK_VENV)
	$(CROSSCHECK_VENV)/bin/python -m pip install --quiet "csc-validator-be-cin==0.1.13" "numpy<2"
	touch $@

crosscheck: $(VENV)/.installed $(CROSSCHECK_VENV)/.installed
	$(BIN)/python scripts/crosscheck/compare.py --validator-python $(CROSSCHECK_VENV)/bin/python $(FILES)

# The DfE's published figures for every council, region and England, and the statistical
# neighbour model, derived into audits/data/ (published*.csv|toml, councils.csv,
# statistical_neighbours.csv). Not part of `make test`; DFE=folder for other DfE files.
.PHONY: comparators
comparators: $(VENV)/.installed
	$(BIN)/python scripts/comparators/derive.py $(if $(DFE),--source $(DFE))

clean:
	rm -rf $(VENV) $(CROSSCHECK_VENV) out .pytest_cache
