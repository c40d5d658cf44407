# Rekam — `make run` serves the portal, `make test` runs the whole suite.
# Both set everything up first, so they work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 3
THREADS ?= 4
FLASK := $(BIN)/flask --app wsgi
MO := app/translations/en/LC_MESSAGES/messages.mo
PO := app/translations/en/LC_MESSAGES/messages.po

.PHONY: setup runtime run dev worker test test-db lint bench i18n-extract db-upgrade seed-demo \
	constraints clean

# `runtime`: what serving needs (make run). `setup`: that and the test extras (make test).
RUNTIME := $(VENV)/.installed-runtime

runtime: $(RUNTIME) $(MO)

setup: $(VENV)/.installed $(MO)

$(RUNTIME): pyproject.toml constraints.txt
	@.ci/ensure-system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.installed: $(RUNTIME)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	@touch $@

$(MO): $(PO) $(RUNTIME)
	$(BIN)/pybabel -q compile -d app/translations

db-upgrade: runtime
	$(FLASK) db-upgrade

seed-demo: runtime
	$(FLASK) seed-demo

run: runtime
	$(FLASK) seed-demo
	@echo "Rekam on http://127.0.0.1:$(PORT)"
	$(BIN)/python -m app.serve --port $(PORT) --workers $(WORKERS) --threads $(THREADS)

dev: runtime
	$(FLASK) seed-demo
	$(FLASK) run --debug --port $(PORT)

# Ruff, and the import-linter contracts in pyproject.toml (the walls between the layers).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Browser tests run apart: Playwright keeps an event loop running in its worker's main thread,
# which other tests' asyncio.run() (pyHanko) would trip over. Each run uses both cores.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup --ignore=tests/browser $(PYTEST_ARGS)
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/browser $(PYTEST_ARGS)

# The database-level tests only (models, migrations, races): CI runs these against PostgreSQL.
test-db: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m db $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m tests.bench.run $(ARGS)

# Pull new UI strings into the English catalogue (Indonesian is the source language).
i18n-extract: setup
	$(BIN)/pybabel -q extract -F app/babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel -q update -N -i app/translations/messages.pot -d app/translations -l en

# Re-pin the whole dependency tree from pyproject.toml (pip-tools, itself pinned there), keeping
# today's pins where they still fit: `make constraints`, or `make constraints UPGRADE=1` for the newest.
constraints: $(RUNTIME)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[constraints]'
	$(BIN)/pip-compile -q --no-header --no-annotate --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra test --extra constraints $(if $(UPGRADE),--upgrade) \
		-o constraints.txt pyproject.toml

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
