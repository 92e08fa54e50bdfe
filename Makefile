# Two set-up commands work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The strict editable install maps each module and package-data file explicitly, so a new or
# removed one needs a re-install: the stamp depends on the list of files under src and fakes
# (modules, and package data such as the docs pages' vendored bundles), kept in .modules and
# rewritten only on change.
MODULES := $(VENV)/.modules
MODULE_LIST := $(shell find src fakes -type f -not -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort)

.PHONY: install run test lint bench clean FORCE

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(MODULES): FORCE | $(VENV)/bin/python
	@echo "$(MODULE_LIST)" | cmp -s - $@ || echo "$(MODULE_LIST)" > $@

$(STAMP): pyproject.toml $(MODULES) | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[dev]" --config-settings editable_mode=strict
	@touch $@

install: $(STAMP)

# `make run RUN_ARGS="--once"` passes options to the demo (`--help` lists them).
RUN_ARGS ?=
run: install
	$(BIN)/python -m released_intacct.fakes.demo $(RUN_ARGS)

lint: install
	$(BIN)/ruff check src fakes tests bench examples
	$(BIN)/ruff format --check src fakes tests bench examples
	$(BIN)/mypy -p released_intacct   # src and fakes, by their import names
	$(BIN)/mypy tests
	$(BIN)/mypy examples   # the embedding example (not part of the package)
	$(BIN)/mypy bench      # the benchmarks' scripts
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

# The initial sync at 2,000 and 10,000 invoices, the latency-bound sync at 10,000 (Intacct
# admitting 2, then 8, at a time; `BENCH_ONLY=latency make bench` runs only it), incremental
# syncs of the larger company and the engine's CPU against lxml alone, over HTTP against both
# simulators: bench/results.json and docs/benchmarks.md (each size keeps its latest figures).
# `BENCH_SIZES=10000,100000 make bench` measures the 100,000-invoice company (about 20 minutes);
# with `BENCH_ONLY=sizes` only the initial and incremental syncs (about 12 minutes).
# The first three run over both Intacct APIs (`BENCH_API=xml|rest|both`, default both; REST at
# the same sizes unless BENCH_REST_SIZES / BENCH_REST_LATENCY_SIZE say, beside XML in the same
# tables).
# `BENCH_IDLE_COMPANIES=1000 BENCH_IDLE_ONLY=1 make bench` measures 1,000 idle companies run
# again by one worker (PostgreSQL 15; several minutes), left out of the default.
bench: install
	$(BIN)/python bench/bench.py

# The slow tests of tests/integration, among them the two crash tests (SIGKILL):
# - the state store killed 100 times while writing must always reopen consistent
#   (test_sqlite_store_crash.py; `make test` runs 5 kills);
# - the sync engine killed 50 times at a random moment of the demo's initial sync, then restarted,
#   must write every record once on both sides, lose none, and leave every link whole and no write
#   intent open, over the XML and the REST API each (test_sync_crash.py; `make test` runs 3
#   trials per API). It prints its counts.
.PHONY: crash-test
crash-test: install
	$(BIN)/pytest -q -p no:cacheprovider -m slow tests/integration

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

FORCE:
