# Two set-up commands work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The strict editable install maps each module explicitly, so a new or removed module needs a
# re-install: the stamp depends on the list of modules (kept in .modules, rewritten only on change).
MODULES := $(VENV)/.modules
MODULE_LIST := $(shell find src fakes -name '*.py' 2>/dev/null | LC_ALL=C sort)

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

run: install
	$(BIN)/python -m released_intacct.fakes.demo

lint: install
	$(BIN)/ruff check src fakes tests bench examples
	$(BIN)/ruff format --check src fakes tests bench examples
	$(BIN)/mypy -p released_intacct   # src and fakes, by their import names
	$(BIN)/mypy tests
	$(BIN)/mypy examples   # the embedding example (not part of the package)
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: install
	@if ls bench/*.py >/dev/null 2>&1; then for f in bench/*.py; do $(BIN)/python $$f || exit 1; done; \
	else echo "no benchmarks yet (bench/ is empty)"; fi

# The state store killed (SIGKILL) 100 times while writing must always reopen consistent.
.PHONY: crash-test
crash-test: install
	$(BIN)/pytest -q -p no:cacheprovider -m slow tests/integration

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

FORCE:
