# Two commands matter: `make demo` runs the hub; `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench-intake bench-dispatch bench-chaos bench-webhooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/shipmux demo $(ARGS)

test: $(STAMP)
	VENV=$(VENV) scripts/test

lint: $(STAMP)
	VENV=$(VENV) scripts/lint

bench-intake: $(STAMP)
	$(PY) -m bench.intake --rounds 5

bench-dispatch: $(STAMP)
	$(PY) -m bench.dispatch

bench-chaos: $(STAMP)
	$(PY) -m bench.chaos

bench-webhooks: $(STAMP)
	$(PY) -m bench.webhooks --rounds 3

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
