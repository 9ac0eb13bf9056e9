# Two commands do everything: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve-prod test venv system-test-deps demo-national bench bench-queries bench-load lint-imports clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing: installing it"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt $(VENV)/.runtime-installed
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

venv: $(VENV)/.runtime-installed

## make run: build the environment, create the demo database if missing, serve on http://127.0.0.1:8050
run: $(VENV)/.runtime-installed
	@bash scripts/install-test-system-deps.sh run
	$(BIN)/python -m dashboard serve

## make serve-prod: the production server (gunicorn, WORKERS x THREADS; see docs/deploy.md)
serve-prod: $(VENV)/.runtime-installed
	$(BIN)/python -m dashboard serve --prod

## Debian packages the tests need: Chromium (browser tests), the Lao font, PostGIS for the PostgreSQL tests.
system-test-deps:
	@bash scripts/install-test-system-deps.sh test

## make test: install what the tests need and run the whole suite
# One process: two pytest-xdist workers were tried and took longer on two cores (28 min against
# about 20), with more browser waits running out; `make test PYTEST_ARGS="-n 2 --dist loadfile"` tries it.
PYTEST_ARGS ?=
test: $(VENV)/.test-installed system-test-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

demo-national: $(VENV)/.runtime-installed
	DATABASE_URL=sqlite:///var/national.sqlite $(BIN)/python -m dashboard demo --scale national

## make bench: every user action replayed through the app on SQLite (var/national.sqlite, built when
## missing) and PostgreSQL (BENCH_PG_URL, when set), with 2x history and 20 users; writes docs/benchmarks.md
BENCH_ARGS ?=
bench: $(VENV)/.test-installed
	$(BIN)/python -m dashboard bench --interactions --write-docs $(BENCH_ARGS)

## make bench-queries: the queries pages run, one by one, on DATABASE_URL
bench-queries: $(VENV)/.runtime-installed
	$(BIN)/python -m dashboard bench

## make bench-load: 50 visitors for 60 s against a running server (LOAD_URL; docs/benchmarks.md)
LOAD_URL ?= http://127.0.0.1:8050
LOAD_ARGS ?=
bench-load: $(VENV)/.test-installed
	$(BIN)/python scripts/load.py run --url $(LOAD_URL) --users 50 --duration 60 $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var tests/screenshots
