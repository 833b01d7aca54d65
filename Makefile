# Everything a fresh machine needs: a virtualenv, the pinned packages, the database.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo clean

# The stamp is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The development server with the provider sandbox mounted and demo data.
run: export DEBUG ?= 1
run: export SANDBOX_ENABLED ?= 1
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_setup --base-url http://$(HOST):$(PORT)/sandbox/
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
