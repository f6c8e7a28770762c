# The two commands of the README: `make demo` (main job) and `make test` (whole suite).
# `make check` is the fast loop before every commit: lint, types, import contract, fast tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The fast tier: no PostgreSQL server, no LibreOffice, no browser, no kill trials, no fuzzing.
FAST := not (postgres or office or browser or crash or slow)

.PHONY: demo test check lint types imports fast slow bench mutate clean lock

# Dependencies come from requirements.lock (exact versions, sha256 of every file), the package itself
# without dependencies: two installs a month apart get the same files. `make lock` refreshes it.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# Re-resolve requirements.lock from pyproject.toml (runtime + test + dev), keeping the pinned
# versions that still fit; `make lock UPGRADE=--upgrade` moves everything to the newest releases.
lock: $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--custom-compile-command "make lock" $(UPGRADE) -o requirements.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock

demo: $(BIN)/.installed
	$(BIN)/duban demo

check: lint types imports fast

lint: $(BIN)/.installed
	$(BIN)/ruff check scheduler tests bench scripts

types: $(BIN)/.installed
	$(BIN)/mypy

imports: $(BIN)/.installed
	$(BIN)/lint-imports

fast: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2 -m "$(FAST)"

slow: $(BIN)/.installed
	./scripts/os-deps.sh
	$(BIN)/python -m pytest -m "not ($(FAST))"

test: check slow

mutate: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[mutate]'
	$(BIN)/python scripts/mutate.py

# One table of every figure; `make bench BENCH_ARGS=--quick` (or `--only load`) for a shorter run.
bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out duban.db .pytest_cache .mypy_cache
