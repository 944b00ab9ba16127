# gachi: `make run` serves the app with the 2018 pilot demo; `make test` runs the suite
# (the same examples every time); `make fuzz` tries new random hostile input.
# GNU make. Needs python3.11 (or python3) and, for the browser tests, /usr/bin/chromium.

PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
PORT ?= 5000
export FLASK_APP := wsgi.py

# Compiled catalogues are git-ignored, so every run and test compiles them first.
PO_FILES := $(wildcard gachi/translations/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install translations messages run test fuzz bench bench-heavy screenshots

install: $(STAMP) translations

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -r requirements-dev.txt
	touch $@

translations: $(MO_FILES)

gachi/translations/%.mo: gachi/translations/%.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

# After changing strings: extract them and merge them into the catalogues, then
# translate the new Korean entries (tests/test_translations.py fails until every one is).
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o gachi/translations/messages.pot .
	$(VENV)/bin/pybabel update -i gachi/translations/messages.pot -d gachi/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask gachi seed-demo --if-empty
	$(VENV)/bin/flask gachi demo-logins
	$(VENV)/bin/flask gachi run-demo --host 127.0.0.1 --port $(PORT)

# ruff (lint and format) and mypy (gachi/core and every operations and queries module;
# settings in pyproject.toml) must be clean; Bandit, Python's
# counterpart of the Brakeman scan Decidim runs: any high-severity finding fails (lower
# ones are read, not enforced).
.PHONY: lint format
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit --quiet --recursive gachi -lll

# Rewrites the code in the house style (ruff's formatter and its safe fixes).
format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names a database to use. The
# two suites then run at once (one per core), each with its own log, printed when both
# are done, its own ports for tests/faults and its own pytest cache; make fails if either
# fails (pytest's exit 5, no test collected, included).
test: install
ifeq ($(strip $(TEST_DATABASE_URL)),)
	env -u GACHI_TEST_DATABASE_URL $(VENV)/bin/pytest
else
	@logs=$$(mktemp -d); \
	env -u GACHI_TEST_DATABASE_URL GACHI_FAULTS_PORTS=5170-5179 \
		$(VENV)/bin/pytest >"$$logs/sqlite.log" 2>&1 & sqlite=$$!; \
	GACHI_TEST_DATABASE_URL='$(TEST_DATABASE_URL)' GACHI_FAULTS_PORTS=5180-5189 \
		$(VENV)/bin/pytest -o cache_dir=.pytest_cache/postgresql >"$$logs/postgresql.log" 2>&1 & \
		postgresql=$$!; \
	echo "make test: the SQLite and PostgreSQL suites run at once; their logs follow when both are done"; \
	wait $$sqlite; sqlite_status=$$?; wait $$postgresql; postgresql_status=$$?; \
	echo "===== SQLite (exit $$sqlite_status) ====="; cat "$$logs/sqlite.log"; \
	echo "===== PostgreSQL (exit $$postgresql_status) ====="; cat "$$logs/postgresql.log"; \
	rm -r "$$logs"; \
	test $$sqlite_status -eq 0 && test $$postgresql_status -eq 0
endif

# Random exploration of hostile input to every form and the API (tests/security/
# test_bad_input.py, which `make test` runs with fixed examples): new examples each run,
# FUZZ_EXAMPLES per test, no test started after FUZZ_MINUTES. A finding is printed with
# its example and a @reproduce_failure line that replays it.
FUZZ_EXAMPLES ?= 50
FUZZ_MINUTES ?= 10
fuzz: install
	GACHI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) GACHI_FUZZ_MINUTES=$(FUZZ_MINUTES) \
		$(VENV)/bin/pytest -q -p no:cacheprovider tests/security/test_bad_input.py

# The README's pictures (docs/screenshots/): the pilot-year browser test, saving them there,
# and the accessibility test's phone and 200% zoom pictures (docs/screenshots/a11y/).
screenshots: install
	GACHI_README_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/browser/test_pilot_year.py tests/browser/test_accessibility.py

# The city-scale benchmark (figures, not a test; see bench/run.py). DB is sqlite (files
# instance/bench-<size>.sqlite3) or a PostgreSQL URL whose schema is dropped and made
# again; SIZES=43,430,4300 generates and measures the whole city.
DB ?= sqlite
SIZES ?= 43,430
bench: install
	$(VENV)/bin/python bench/run.py --db '$(DB)' --sizes $(SIZES)

# The heavy pages (results, exports) on the SQLite cities `make bench` made, in process,
# the sizes interleaved request by request (bench/heavy.py).
bench-heavy: install
	$(VENV)/bin/python -m bench.heavy --sizes $(SIZES) $(if $(BEFORE),--before $(BEFORE))
