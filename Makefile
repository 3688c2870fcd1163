# Two commands set everything up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-unit lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/streamproc demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration"

# Figures, not tests: the classifier on one core, then the worker against the broker's ceiling.
bench: $(STAMP)
	$(BIN)/streamproc bench --seconds 5
	$(BIN)/python bench/pipeline.py

lint: $(STAMP)
	$(BIN)/ruff check streamproc tests

clean:
	rm -rf $(VENV) .pytest_cache .streamproc-data
