# The two commands of the README: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app intake
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard intake/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint types pytest translations extract-messages clean

run: $(VENV)/.installed $(CATALOGUES)
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) users dev-admin
	$(BIN)/gunicorn --config python:intake.gunicorn_conf wsgi:app

test: $(VENV)/.installed-dev $(CATALOGUES) lint types pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check intake tests bench migrations wsgi.py
	$(BIN)/ruff format --check intake tests bench wsgi.py

types: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev $(CATALOGUES)
	$(BIN)/python -m pytest

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

# Compiled catalogues are build products, rebuilt when their .po changes.
%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# For developers: refresh the catalogue after changing user-facing strings.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F intake/translations/babel.cfg -k lazy_gettext -k _l \
		--no-location --sort-output --project=intake --ignore-dirs='.*' -o intake/translations/messages.pot .
	$(BIN)/pybabel update -i intake/translations/messages.pot -d intake/translations \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
