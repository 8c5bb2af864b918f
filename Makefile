# Every target sets itself up: a fresh machine needs only python3 with venv and pip.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# The main job on the embedded default (SQLite in ./demo-data).
demo: setup
	$(BIN)/marketdock demo

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/outbox.py

clean:
	rm -rf $(VENV) demo-data .pytest_cache
