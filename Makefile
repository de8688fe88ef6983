# The two commands of the README, and what CI runs (.ci/run calls `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit bench docs model install clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev,postgres,telegram,crawl,export,web,scale]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/jianghu demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/python -m typer jianghu.cli utils docs --name jianghu --output docs/CLI.md

bench: $(STAMP)
	$(BIN)/jianghu bench ingest --messages 1000000
	$(BIN)/jianghu bench analyze --messages 20000

# The classifier ships in the package; this rebuilds it from the training data (a test
# fails when the shipped model is not the one this makes).
model: $(STAMP)
	$(BIN)/jianghu train classifier

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache jianghu.db jianghu.db-* demo
