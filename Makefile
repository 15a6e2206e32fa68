# Two commands for a fresh machine with Python 3.11+ and make:
#   make run    set up .venv and start an interview on the bundled questionnaire
#   make test   set up .venv with the test tools and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Running needs only ketascreen and what it depends on; the test tools come with `make test`.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

# Ctrl-C (exit 130) ends an interview as asked, with every answer saved: not an error for make to report.
run: $(VENV)/.installed-run
	@$(BIN)/ketascreen run; status=$$?; [ $$status -eq 130 ] || exit $$status

# Lint and types first: they take seconds, and a type error is cheaper to read than a failed test.
test: $(VENV)/.installed
	$(BIN)/ruff check ketascreen tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

# One table: every figure beside its floor and its goal. The scripts it draws on run on their own too.
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/table.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
