# followup — the two set-up commands of the README: `make demo` and `make test`.
# Each works on a fresh machine with Python 3.11+ and make: it builds .venv itself.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB := demo/followup.db
DEMO_DATE := 2026-11-23
FOLLOWUP := $(BIN)/followup --db $(DEMO_DB) --today $(DEMO_DATE)

.PHONY: all install test lint typecheck pytest demo bench messages clean

all: test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "followup needs Python 3.11 or newer"' \
	  || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

demo: $(STAMP)
	@rm -rf demo && mkdir -p demo
	@FOLLOWUP_DB=$(DEMO_DB) FOLLOWUP_TODAY=$(DEMO_DATE) sh examples/load.sh $(BIN)/followup

bench: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python bench/run.py

# Extract the interface's messages into the zh_CN catalog (new ones untranslated) and
# compile it: translate what is new in followup.po, then run this again.
messages: $(STAMP)
	$(BIN)/python scripts/extract_messages.py

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .mypy_cache .ruff_cache
