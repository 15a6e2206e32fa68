# Two commands for a fresh machine with Python 3.11+ and make:
#   make run    set up .venv and start an interview on the bundled questionnaire
#   make test   set up .venv with the test tools and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean chromium

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Running needs only ketascreen and what it depends on; the test tools come with `make test`.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The print tests open the HTML summary in a real browser: Chromium from the OS packages (Playwright
# drives it; its own browser download is not used). Installed with apt-get as root or with sudo;
# elsewhere install Chromium yourself, or those tests are skipped (and fail under CI).
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "make: Chromium not found and no apt-get here: the print tests will be skipped"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	else echo "make: Chromium not found and not root: the print tests will be skipped"; fi

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

# An editable install leaves ketascreen's own modules without bytecode, and where Python may not
# write it (PYTHONDONTWRITEBYTECODE, a checkout the staff account cannot write to) every start
# compiles them again: about 45 ms before an interview's first question. A wheel install compiles
# them as it installs; this does the same here, again whenever a module changes.
$(VENV)/.compiled: $(shell find ketascreen -name '*.py') | $(BIN)/activate
	$(BIN)/python -m compileall -q ketascreen
	touch $@

# Ctrl-C (exit 130) ends an interview as asked, with every answer saved: not an error for make to report.
run: $(VENV)/.installed-run $(VENV)/.compiled
	@$(BIN)/ketascreen run; status=$$?; [ $$status -eq 130 ] || exit $$status

# Lint and types first: they take seconds, and a type error is cheaper to read than a failed test.
test: $(VENV)/.installed $(VENV)/.compiled chromium
	$(BIN)/ruff check ketascreen tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

# One table: every figure beside its floor and its goal. The scripts it draws on run on their own too.
bench: $(VENV)/.installed-bench $(VENV)/.compiled
	$(BIN)/python benchmarks/table.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
