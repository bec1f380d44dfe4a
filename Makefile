# Two commands for a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= $(shell sh scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/base.yaml
PYTEST_ARGS ?=
# The documentation site (mkdocs.yml): strict, so a broken link or a page missing from the nav fails.
# NO_MKDOCS_2_WARNING silences Material's end-of-life banner (a notice, not a build warning).
DOCS_BUILD = NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

.PHONY: run test quick bench lint format clean venv validation-docs calibration strip-notebooks docs

$(BIN)/python:
	@test -n "$(PYTHON)" || { sh scripts/find-python.sh; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all,test,docs]"
	@touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/mentorsim run $(SCENARIO) --replicates 10

test: venv lint
	$(DOCS_BUILD)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

quick: venv
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

docs: venv
	$(BIN)/python scripts/odd_tables.py  # the parameter tables of docs/odd.md, from the records
	$(DOCS_BUILD)

bench: venv
	$(BIN)/python benchmarks/run.py

validation-docs: venv
	$(BIN)/mentorsim check --replicates 10 --write-docs --leave-one-out

# The whole calibration, in order: the shared parameters jointly, each programme's scale, the check.
calibration: venv
	$(BIN)/mentorsim calibrate --joint --trials 64 --refine 16 --replicates 2
	for f in $$(grep -l '^calibrate:' scenarios/programmes/*.yaml); do $(BIN)/mentorsim calibrate $$f --trials 20 --replicates 3 || exit 1; done
	$(MAKE) validation-docs

# What CI checks before the tests: lint and format (ruff), the layer contracts (import-linter), types (mypy).
lint: venv
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format sim tests benchmarks
	$(BIN)/ruff check --fix sim tests benchmarks

strip-notebooks: venv
	$(BIN)/nbstripout notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache site .cache
