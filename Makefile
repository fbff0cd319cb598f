# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test browser postgres node lint typecheck bench geodata translations clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test node browser postgres

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

node: node_modules/.package-lock.json

# Headless Chromium from Debian for the browser tests (Playwright drives it; it never
# downloads a browser of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# PostgreSQL and PostGIS from Debian for the engine tests, which start a throwaway cluster of
# their own (tests/_postgres.py); no system service is started or needed.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-postgis; \
	  else echo "engine tests need PostgreSQL and PostGIS: sudo apt-get install postgresql postgresql-postgis"; exit 1; fi; fi

run: install
	$(PY) -m locator data import --if-empty
	$(PY) -m locator serve --host $(HOST) --port $(PORT)

test: install-test lint typecheck
	$(PY) -m pytest

lint: install-test
	$(PY) -m ruff check locator web geodata mapfile tests bench

# Files and strictness come from [tool.mypy] in pyproject.toml.
typecheck: install-test
	$(PY) -m mypy

# Every benchmark, each measured beside its reference in one run (reads ../shared/data or --data).
bench: install-test
	$(PY) bench/nearest.py
	$(PY) bench/bbox.py
	$(PY) bench/coverage.py
	$(PY) bench/planner_web.py
	$(PY) bench/web_load.py
	$(PY) bench/store_changes.py
	$(PY) bench/postgis_queries.py
	$(PY) bench/load.py
	$(PY) bench/hours.py
	$(PY) bench/hsds.py

# After adding or changing an English string: extract every marked string and merge them
# into each language's catalog (web/translations/LANG/LC_MESSAGES/messages.po), then
# translate the new or fuzzy entries. The app compiles the .po files when it starts.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg --project workforce-locator --no-location \
	  --sort-output -o web/translations/messages.pot .
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations \
	  --no-wrap --ignore-obsolete

geodata: install node
	$(PY) geodata/build.py

clean:
	rm -rf $(VENV) node_modules test-artifacts
