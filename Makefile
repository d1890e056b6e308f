# LRA Commissioning: every command a developer or CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
# Python keeps compiled modules (__pycache__, ignored by git): a machine that
# says otherwise (PYTHONDONTWRITEBYTECODE) recompiles Django, WeasyPrint and
# every app in each process, 2.5 s instead of 0.9 s to start manage.py here.
unexport PYTHONDONTWRITEBYTECODE

# Tests run on PostgreSQL at its default local address, in databases named for
# the run, and on a redis-server of their own on a free port (scripts/test.sh),
# so two runs on one machine never meet. Set DATABASE_URL or REDIS_URL to choose.
# DEBUG is off unless set: the development commands turn it on explicitly.
DEV_ENV := DEBUG=true
TEST_ENV := LRA_TESTING=true DEBUG=true CELERY_TASK_ALWAYS_EAGER=true
WITH_TEST_SERVICES := scripts/test.sh
# `make test` measures branch coverage of the whole run (both parts) and fails
# under the floor; a subset (`make test PYTEST_ARGS=tests/slas`) or
# `make test COV_ARGS=` runs without it.
COVERAGE_FLOOR ?= 90
PYTEST_ARGS ?=
ifeq ($(strip $(PYTEST_ARGS)),)
COV_ARGS ?= --cov --cov-append --cov-report=
else
COV_ARGS ?=
endif
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install assets run test lint format bench production-check worker beat migrate demo clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	$(UV) pip install -q -p $(PY) -r requirements/dev.txt
	touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

install: $(VENV)/.installed node_modules/.package-lock.json ## Create the environment: Python and npm dependencies

assets: node_modules/.package-lock.json ## Compile the GOV.UK Frontend styles
	npm run build --silent

run: install assets ## Fresh clone to a running site with demo data on http://127.0.0.1:8000
	$(DEV_ENV) $(MANAGE) migrate --no-input -v 0
	$(DEV_ENV) $(MANAGE) load_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install assets ## The whole test suite on PostgreSQL, Redis and Chromium, with branch coverage
	@# The slow load and fault tests (a private PostgreSQL and Redis stopped and
	@# started under load) are long and busy, so they run alone first;
	@# then everything else on $(TEST_WORKERS) workers. (Exit 5: no test selected.)
	$(if $(COV_ARGS),rm -f .coverage .coverage.*)
	$(TEST_ENV) $(WITH_TEST_SERVICES) $(PY) -m pytest -p no:cacheprovider -m slow $(COV_ARGS) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(TEST_ENV) $(WITH_TEST_SERVICES) $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "not slow" $(COV_ARGS) $(PYTEST_ARGS)
	$(if $(COV_ARGS),$(VENV)/bin/coverage report --skip-covered --skip-empty --sort=cover --fail-under=$(COVERAGE_FLOOR))


lint: install ## Ruff lint and format checks, the layers (import-linter), and missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run -v 0

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install assets ## Print the benchmark figures
	$(TEST_ENV) $(WITH_TEST_SERVICES) $(PY) -m benchmarks

production-check: install assets ## Run the product as production does (DEBUG off, gunicorn, worker, beat) and use it
	$(PY) scripts/production_check.py

worker: install ## A Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A lra_commissioning worker -l info

beat: install ## Celery beat with the schedule in code (needs REDIS_URL)
	$(VENV)/bin/celery -A lra_commissioning beat -l info

migrate: install ## Apply database migrations
	$(MANAGE) migrate

demo: install ## Load the demo data into the configured database
	$(DEV_ENV) $(MANAGE) load_demo

clean: ## Remove the environment, compiled assets and the local database
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
