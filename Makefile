# The two commands of the README: `make demo` (main job) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/duban demo

test: $(BIN)/.installed
	./scripts/os-deps.sh
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	for f in bench/bench_*.py; do $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) out duban.db .pytest_cache
