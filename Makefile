# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs every Python dependency from uv.lock; uv itself comes from infra/uv.txt (hashed)
UV_DIR := .tools/uv
UV := $(UV_DIR)/bin/uv
export UV_PYTHON_DOWNLOADS := never
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | sha1sum | cut -c1-12)

.PHONY: run test fuzz check lint typecheck schema install lock upgrade upgrade-uv clean

## make install: .venv with greenrong and its dev extras, exactly as uv.lock pins them. Fails,
## changing nothing, when pyproject.toml and uv.lock disagree (run `make lock`).
install: $(STAMP)

$(UV): infra/uv.txt
	@echo "==> installing uv (pinned with hashes in infra/uv.txt) into $(UV_DIR)"
	@rm -rf $(UV_DIR)
	@$(PYTHON) -m pip install -q --disable-pip-version-check --root-user-action=ignore \
		--require-hashes --no-deps --target $(UV_DIR) -r infra/uv.txt

$(STAMP): pyproject.toml uv.lock $(UV)
	@echo "==> installing greenrong into $(VENV) from uv.lock (uv sync --locked)"
	@$(UV) sync --locked --extra dev --python $(PYTHON)
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## make lock: bring uv.lock in line with pyproject.toml after editing its dependencies, keeping
## every other pin. make upgrade: move every pin to the newest version pyproject.toml allows.
## Either way, commit uv.lock with the change and run make test.
lock: $(UV)
	$(UV) lock

upgrade: $(UV)
	$(UV) lock --upgrade

## make upgrade-uv UV_VERSION=x.y.z: pin another uv (hashes of every platform's wheel)
upgrade-uv: $(UV)
	@test -n "$(UV_VERSION)" || { echo "usage: make upgrade-uv UV_VERSION=x.y.z"; exit 2; }
	@{ sed -n '/^#/p' infra/uv.txt; echo "uv==$(UV_VERSION)" | $(UV) pip compile - --universal \
		--generate-hashes --no-header -q; } > infra/uv.txt.new && mv infra/uv.txt.new infra/uv.txt
	@echo "==> infra/uv.txt now pins uv $(UV_VERSION); make install brings it"

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

## make fuzz: the long schema-fuzzing campaign (tests/fuzz; `make test` runs it for about 25 s):
## FUZZ_OPERATIONS operations (default 30000) as anonymous and as admin, on SQLite and on a
## throwaway PostgreSQL; prints progress, then operations by kind, errors by code, and each
## INTERNAL or 5xx with the shortest operation and variables that caused it
fuzz: $(STAMP)
	@FUZZ_OPERATIONS=$(or $(FUZZ_OPERATIONS),30000) bash tests/fuzz/campaign

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
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache .hypothesis
