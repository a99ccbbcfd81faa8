# Two commands do all the set-up on a fresh machine:
#   make demo   — the main job on the bundled reference network
#   make test   — lint and the default test suite (every test not marked slow)
# CI (.ci/run) runs `make test`, then `make test-ci-extra`: the slow suites, the ERP fault
# tests on PostgreSQL and the date-sensitive suites a year ahead.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := out

# The clock of the year-ahead pass (libfaketime shifts every clock, monotonic too: Python's
# time.sleep fails with EINVAL when only the wall clock is shifted)
YEAR_AHEAD := faketime -f '+365d'

.PHONY: demo test test-ci-extra test-slow test-erp-postgresql test-year-ahead system-deps lint clean

$(BIN)/medtwin: pyproject.toml
	@echo "installing medtwin and its dependencies into $(VENV) (about a minute, once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -e '.[test,erp,postgresql]'  # bytecode on first import: 2.5x faster
	touch $@

demo: $(BIN)/medtwin
	$(BIN)/medtwin validate reference
	$(BIN)/medtwin -v demo --out $(OUT)/demo

test: $(BIN)/medtwin system-deps
	$(BIN)/ruff check .
	MEDTWIN_POSTGRES=required $(BIN)/python -m pytest -m "not slow and not postgresql"

# The rest of what CI runs after `make test`
test-ci-extra: test-slow test-erp-postgresql test-year-ahead

# The suites marked slow (a real Tryton, Chromium, the README's examples, the demo, a Dask
# cluster), then the CLI fuzz tests again with 150 examples each (the default run: 15)
test-slow: $(BIN)/medtwin system-deps
	MEDTWIN_POSTGRES=required $(BIN)/python -m pytest -m "slow and not postgresql" \
		-p no:cacheprovider
	MEDTWIN_FUZZ=ci $(BIN)/python -m pytest -p no:cacheprovider tests/medtwin/test_fuzz_cli.py

# The ERP fault tests again on Tryton on PostgreSQL, production's backend (the rest of the
# ERP tests run on SQLite); the first run builds the PostgreSQL template (~3 min, cached)
test-erp-postgresql: $(BIN)/medtwin system-deps
	MEDTWIN_POSTGRES=required $(BIN)/python -m pytest -m postgresql -p no:cacheprovider \
		tests/erp_adapter

# The date-sensitive suites again, every process (trytond included) a year in the future
test-year-ahead: $(BIN)/medtwin system-deps
	$(YEAR_AHEAD) $(BIN)/python -m pytest -m "date_sensitive and not postgresql" \
		-p no:cacheprovider

# Debian packages the tests drive: Chromium (dashboard end to end), faketime and PostgreSQL
# (the plan store and Tryton on a real server)
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
		|| missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		echo "installing$$missing (apt-get)"; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(BIN)/medtwin
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
