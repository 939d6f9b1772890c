# autocrm: the commands behind the README. GNU make; needs only Python 3.11+, Node/npm and git.
#
#   make run     set up, migrate, seed the demo data, start a task worker and the web server
#   make test    the whole test suite (on SQLite, or on the database DATABASE_URL names)
#
# Installs are repeated only when a lock file changes (stamp files in .venv and node_modules).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
BASE_STAMP := $(VENV)/.installed-base.lock
DEV_STAMP := $(VENV)/.installed-dev.lock
NPM_STAMP := node_modules/.installed-package-lock.json
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --no-header --annotation-style=line \
	--strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: help run test lint worker bench lock clean install install-dev

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# --- set-up ----------------------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(BASE_STAMP): requirements/base.lock | $(PY)
	$(PY) -m pip install --quiet -r requirements/base.lock
	@touch $@

$(DEV_STAMP): requirements/dev.lock | $(PY)
	$(PY) -m pip install --quiet -r requirements/dev.lock
	@touch $@

$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BASE_STAMP) $(NPM_STAMP) ## install the runtime packages (Python and npm)

install-dev: $(BASE_STAMP) $(DEV_STAMP) $(NPM_STAMP) ## install the runtime and development packages

# --- everyday --------------------------------------------------------------------------------

run: install ## set up, seed the demo (SQLite by default) and serve it on http://127.0.0.1:8000
	$(MANAGE) migrate --no-input --verbosity 0
	$(MANAGE) seed_demo --if-empty
	@echo
	@echo "autocrm: http://$(HOST):$(PORT)/  (log in as one of the users above; Ctrl-C stops it)"
	@echo
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(MANAGE) run_worker & worker=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-dev ## run the whole test suite (browser tests need /usr/bin/chromium)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy autocrm

worker: install ## run the background task worker of the configured backend (database or Redis)
	$(MANAGE) run_worker

bench: install-dev ## measure the API against bare SQL and write docs/benchmarks.md
	$(PY) -m bench.run

lock: install-dev ## re-resolve requirements/*.lock from pyproject.toml
	$(PIP_COMPILE) --output-file=requirements/base.lock pyproject.toml
	$(PIP_COMPILE) --extra=dev --output-file=requirements/dev.lock pyproject.toml
	@echo "Lock files updated; run make test, then commit them."

clean: ## remove installed packages, caches and generated files (keeps var/autocrm.sqlite3)
	rm -rf $(VENV) node_modules var/static var/bench .pytest_cache .mypy_cache .ruff_cache \
		test-results staticfiles
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
