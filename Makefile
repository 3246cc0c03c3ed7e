# Two entry points a new user needs: `make demo` and `make test`.
# Each creates .venv with the Python found on PATH (3.11+) and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_AT  := 2026-10-30
OUT    := out/demo

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/audit run sample_exports/annex_a_2026-10.xlsx --as-at $(AS_AT) --out $(OUT)
	@echo "Audit workbook (QA team, all teams): $(abspath $(OUT))/audit.xlsx"
	@echo "Team workbooks (one per team manager): $(abspath $(OUT))/teams/"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check audits checks tests benchmarks
	$(BIN)/ruff format --check audits checks tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) out .pytest_cache
