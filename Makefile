# LRA Commissioning: every command a developer or CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py

# Tests run on PostgreSQL and Redis at their default local addresses.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lra_commissioning
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
TEST_ENV := LRA_TESTING=true DEBUG=true \
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	CELERY_TASK_ALWAYS_EAGER=true
PYTEST_ARGS ?=
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install assets run test lint format bench worker beat migrate demo clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

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
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

test: install assets ## The whole test suite on PostgreSQL, Redis and Chromium
	@# The slow load and fault tests restart services, so they run alone first;
	@# then everything else on $(TEST_WORKERS) workers. (Exit 5: no test selected.)
	$(TEST_ENV) $(PY) -m pytest -p no:cacheprovider -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(TEST_ENV) $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

lint: install ## Ruff lint and format checks, and missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 0

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install assets ## Print the benchmark figures
	$(TEST_ENV) $(PY) -m benchmarks

worker: install ## A Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A lra_commissioning worker -l info

beat: install ## Celery beat with the schedule in code (needs REDIS_URL)
	$(VENV)/bin/celery -A lra_commissioning beat -l info

migrate: install ## Apply database migrations
	$(MANAGE) migrate

demo: install ## Load the demo data into the configured database
	$(MANAGE) load_demo

clean: ## Remove the environment, compiled assets and the local database
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
