# Two commands set everything up on a fresh clone: `make demo` and `make test`.
# The interpreter .venv is made with. An optimised CPython build (profile-guided and link-time
# optimised, statically linked: what Debian's python3 and the official Docker images are) runs the
# classifier ~15-20% faster than a default pyenv or source build, so the system's python3 is
# preferred when it is 3.11 or newer and can make a venv; else the python3 on PATH. Override with
# `make PYTHON=/path/to/python3 ...` (then `make clean` first: an existing .venv is kept).
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do \
	"$$p" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo "$$p"; exit 0; }; done; echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-unit lint bench lock clean

$(BIN)/python:
	@echo "making $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
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
	$(BIN)/ruff check streamproc tests bench

# Re-pin constraints.txt: resolve pyproject.toml afresh in a scratch venv (newest allowed versions).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .lock-venv
	@echo "constraints.txt re-pinned: run make clean test before committing it"

clean:
	rm -rf $(VENV) .pytest_cache .streamproc-data
