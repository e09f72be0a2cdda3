# Two commands do all the set-up: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench bench-peer fuzz chaos soak schema clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## embedded PostgreSQL (unless DATABASE_URL), migrations, demo data, GraphQL on :8000
	$(BIN)/youthlink run

test: $(STAMP)  ## the whole suite against a real PostgreSQL (embedded unless TEST_DATABASE_URL)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)  ## authorization at 100k grants, cadres' work at BENCH_SCALE (default 1), /healthz under the largest upload and query
	$(BIN)/python -m bench.authz
	$(BIN)/python -m bench.work
	$(BIN)/python -m bench.availability

bench-peer: $(STAMP)  ## this server beside PostGraphile 5 with row-level security (bench/peer.py)
	$(BIN)/python -m bench.peer

fuzz: $(STAMP)  ## schemathesis (GraphQL) against a running service, FUZZ_SECONDS (default 120)
	$(BIN)/python -m bench.fuzz

chaos: $(STAMP)  ## keyed writers across a PostgreSQL restart and a server kill -9 (CHAOS_WRITERS, CHAOS_WRITES, CHAOS_SECONDS)
	$(BIN)/python -m bench.chaos

soak: $(STAMP)  ## a province's working day against serve --workers N, PostgreSQL restarted mid-run (SOAK_SECONDS, SOAK_USERS, SOAK_WORKERS, SOAK_SCALE)
	$(BIN)/python -m bench.soak

schema: $(STAMP)  ## re-export schema/schema.graphql after changing the GraphQL types
	$(BIN)/youthlink export-schema

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .mypy_cache
