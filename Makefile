# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test check lint typecheck schema install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> creating virtualenv in $(VENV) and installing greenrong"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## make run: migrate, load the demo data into an empty database, print an admin API key on
## first start, serve on 127.0.0.1:8000
run: $(STAMP)
	@$(BIN)/greenrong migrate
	@$(BIN)/greenrong seed --demo --if-empty
	@$(BIN)/greenrong keys ensure-demo-admin
	@$(BIN)/greenrong serve

## make test: lint, type-check, then the whole suite on PostgreSQL and on SQLite
test: $(STAMP)
	@bash tests/run

check: lint typecheck

lint: $(STAMP)
	@$(BIN)/ruff check greenrong tests bench
	@$(BIN)/ruff format --check greenrong tests bench
	@$(BIN)/lint-imports

typecheck: $(STAMP)
	@$(BIN)/mypy greenrong

## make schema: regenerate schema.graphql after a deliberate API change
schema: $(STAMP)
	@$(BIN)/greenrong export-schema --output schema.graphql

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
