# Two commands do all the set-up on a fresh machine:
#   make demo   — the main job on the bundled reference network
#   make test   — the test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := out

.PHONY: demo test test-fast lint bench clean

$(BIN)/medtwin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,erp]'
	touch $@

demo: $(BIN)/medtwin
	$(BIN)/medtwin validate reference
	$(BIN)/medtwin -v demo --out $(OUT)/demo

test: $(BIN)/medtwin
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(BIN)/medtwin
	$(BIN)/python -m pytest -m "not slow"

lint: $(BIN)/medtwin
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
