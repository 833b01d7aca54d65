# Everything a fresh machine needs: a virtualenv, the pinned packages, the database.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install clean messages

# The stamp is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The task worker `make run` starts: the database queue's, or RQ's when TASKS_REDIS_URL is set.
WORKER = $(if $(TASKS_REDIS_URL),rqworker --job-class django_tasks_rq.Job default,db_worker)

# Waits until something answers at HOST:PORT (any() stops at the first connection made).
WAIT_FOR_SERVER = $(BIN)/python -c 'import socket, time; any(socket.socket().connect_ex(("$(HOST)", $(PORT))) == 0 or time.sleep(0.5) for _ in iter(int, 1))'

# The development server with the provider sandbox mounted and demo data, a task
# worker beside it that stops when the server stops, and a sweep of the whole book,
# started once the server answers (the sandbox the worker asks is served by it).
run: export DEBUG ?= 1
run: export SANDBOX_ENABLED ?= 1
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_setup --base-url http://$(HOST):$(PORT)/sandbox/
	$(BIN)/python manage.py $(WORKER) & worker=$$!; \
	$(WAIT_FOR_SERVER) && $(BIN)/python manage.py sync_invoices --book & sweep=$$!; \
	trap 'kill $$worker $$sweep 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	@command -v chromium >/dev/null || echo "Chromium is not installed: the browser tests will be SKIPPED (apt-get install chromium to run them)."
	$(BIN)/pytest

# Style and imports everywhere; types on invoices/ (settings in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Builds a large cache in the configured database (DATABASE_URL) at 200,000 invoices,
# grows it with paid history to 1,000,000 and 2,000,000, and measures the pages against
# their baselines at each size; writes BENCHMARKS.md.
bench: export DEBUG ?= 1
bench: export SANDBOX_ENABLED = 1
bench: install
	$(BIN)/python manage.py benchmark

# The Swedish catalogue: new msgids into locale/sv/LC_MESSAGES/django.po, then
# compiled to the django.mo committed beside it (a fresh machine may lack gettext).
messages: export DEBUG ?= 1
messages: install
	$(BIN)/python manage.py makemessages -l sv --no-location --no-obsolete --ignore=.venv --ignore=sandbox --ignore=bench --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
