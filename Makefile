# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLES_CONFIG := samples/wenshan-audit.toml

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/wenshan-audit ledger import samples/issued samples/register-2025.csv --config $(SAMPLES_CONFIG)
	$(BIN)/wenshan-audit audit samples/drafts --config $(SAMPLES_CONFIG) --against samples/upper --report samples/.wenshan/report.html --fail-on never
	$(BIN)/wenshan-audit quota status --config $(SAMPLES_CONFIG)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) samples/.wenshan
