# followup — the two set-up commands of the README: `make demo` and `make test`.
# Each works on a fresh machine with Python 3.11+ and make: it builds .venv itself.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB := demo/followup.db
DEMO_DATE := 2026-11-23
FOLLOWUP := $(BIN)/followup --db $(DEMO_DB) --today $(DEMO_DATE)

.PHONY: all install install-postgres lock lock-postgres test test-postgres lint typecheck pytest snapshots demo bench messages clean

all: test

# Exactly the versions that were tested, hash-checked, from requirements.lock (`make lock`
# refreshes it) and the PostgreSQL driver's requirements-postgres.lock (`make
# lock-postgres`); then the package itself, editable, with nothing more resolved.
$(STAMP): pyproject.toml requirements.lock requirements-postgres.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "followup needs Python 3.11 or newer"' \
	  || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r requirements.lock
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r requirements-postgres.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
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

# The suite again on a real PostgreSQL server (tests/pg_server.py starts a throwaway one
# in a temporary folder: initdb, a Unix socket, a database per test module), with the
# driver from requirements-postgres.lock. The server's binaries come from the system's
# `postgresql` package, installed when missing; without them the PostgreSQL tests skip.
# (The driver is in the development environment anyway: `make install` puts it there for
# the type check; a user's install without the `postgres` extra has none.)
install-postgres: $(STAMP)

test-postgres: $(STAMP)
	FOLLOWUP_TEST_ENGINE=postgres $(BIN)/pytest

# Write the screens as they are now (tests/test_screens.py: the example office under a
# pty at 80, 100 and 160 columns, English and Chinese) into tests/snapshots; review
# `git diff tests/snapshots` before committing.
snapshots: $(STAMP)
	$(BIN)/pytest -q tests/test_screens.py --update-snapshots
	$(BIN)/pytest -q tests/test_readme.py --update-snapshots

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

# Re-resolve every dependency (pyproject.toml's ranges, the dev extra) to today's newest
# releases, with their hashes, into requirements.lock; commit it after `make test` passes.
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet pip-tools
	$(VENV)-lock/bin/pip-compile --quiet --upgrade --extra dev --generate-hashes --allow-unsafe --all-build-deps \
	  --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	rm -rf $(VENV)-lock

# The PostgreSQL driver (pyproject.toml's `postgres` extra), hash-pinned alone in
# requirements-postgres.lock, held to the versions requirements.lock already pins.
lock-postgres:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet pip-tools
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["postgres"], sep="\n")' > $(VENV)-lock/postgres.in
	$(VENV)-lock/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --constraint requirements.lock \
	  --output-file requirements-postgres.lock $(VENV)-lock/postgres.in
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .mypy_cache .ruff_cache
