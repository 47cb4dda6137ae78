# Two commands for a newcomer: `make repro` and `make test`. Both create .venv and install the
# pinned requirements first when needed (idempotent: a stamp file records the installed lock).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPLIT ?= ../shared/polnear/data/dev
BENCH_VENV := .venv-bench

.PHONY: setup repro test lint format report eval-polnear bench lock clean-venv

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $(STAMP)

# DVC commits outputs to its cache; the git repository must exist for `dvc exp` and params diff.
repro: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro

test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check stages tests benchmarks notebooks
	$(BIN)/ruff format --check stages tests benchmarks notebooks

format: setup
	$(BIN)/ruff format stages tests benchmarks notebooks
	$(BIN)/ruff check --fix stages tests benchmarks notebooks

report: setup
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m stages.report

$(BENCH_VENV)/.installed: requirements.txt requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-bench.txt
	touch $@

eval-polnear: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/eval_polnear.py $(SPLIT)

bench: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/scale.py ../shared/corpora/bbc

# Re-pin every package (indirect ones included) from requirements.in in a throwaway venv.
lock:
	rm -rf /tmp/newsquotes-lock && $(PYTHON) -m venv /tmp/newsquotes-lock
	/tmp/newsquotes-lock/bin/python -m pip install --quiet -r requirements.in
	{ head -2 requirements.txt; /tmp/newsquotes-lock/bin/python -m pip freeze --exclude-editable; } > requirements.txt.new
	mv requirements.txt.new requirements.txt

clean-venv:
	rm -rf $(VENV) $(BENCH_VENV)
