# airlake — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
RUN := $(UV) run --frozen --all-extras

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --compile-bytecode --quiet
	touch $@

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.synced ## Install uv and the locked environment into .venv

.PHONY: checkov
checkov: install ## Install checkov, which airlake verify runs on the Terraform code, in .tools/checkov
	@test -x $(TOOLS)/checkov/bin/checkov || $(UV) venv --quiet --python $(PY) $(TOOLS)/checkov
	$(UV) pip install --quiet --python $(TOOLS)/checkov/bin/python \
		checkov==$$($(PY) -c 'from airlake.infra.checkov import VERSION; print(VERSION)')

.PHONY: demo
demo: install ## Run the main job on the embedded defaults: 2 days through the daily DAG, the next through the intraday DAG, then a summary
	$(VENV)/bin/airlake demo

.PHONY: browser
browser: ## Install Debian's Chromium + ChromeDriver for the browser tests (if missing)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

.PHONY: test
test: install browser ## Run the whole test suite (lint, types, tests)
	$(VENV)/bin/ruff check src tests dags bench
	$(VENV)/bin/ruff format --check src tests dags bench
	$(VENV)/bin/mypy
	$(PY) -m airlake.deploy.matrix --emr --json build/matrix.json
	$(VENV)/bin/pytest

.PHONY: matrix
matrix: install ## Prove the MWAA bundle on every supported target's real environment (docs/targets.md)
	$(PY) -m airlake.deploy.matrix --emr --json build/matrix.json

.PHONY: test-fast
test-fast: install ## Run only the unmarked, fast tests
	$(VENV)/bin/pytest -m "not slow and not spark and not airflow and not browser and not integration"

.PHONY: lint
lint: install ## Lint and format-check
	$(VENV)/bin/ruff check src tests dags bench
	$(VENV)/bin/ruff format --check src tests dags bench

.PHONY: format
format: install ## Format the code
	$(VENV)/bin/ruff format src tests dags bench
	$(VENV)/bin/ruff check --fix src tests dags bench

.PHONY: preflight-index
preflight-index: install ## Regenerate preflight's import index from every MWAA target's real environment
	$(PY) -m airlake.preflight.index_build

.PHONY: preflight-accuracy
preflight-accuracy: install ## Measure preflight's verdicts against the real releases (bench/RESULTS.md)
	$(PY) bench/preflight_accuracy.py

.PHONY: bench
bench: install ## Run the benchmarks (see bench/RESULTS.md)
	$(PY) bench/pipeline.py --spark
	$(PY) bench/preflight.py --install

.PHONY: docs
docs: install ## Regenerate the data dictionary (docs/tables.md) from the table definitions
	$(VENV)/bin/airlake docs tables --out docs/tables.md

.PHONY: clean
clean: ## Remove the state folder and caches (keeps .venv)
	rm -rf .airlake .pytest_cache .mypy_cache .ruff_cache
