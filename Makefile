# Two commands on a fresh machine: `make book` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)
BUNDLE := _static/vega-bundle.js
MIRROR ?= ../shared/sources
export TZ := UTC
export PYTHONHASHSEED := 0

.PHONY: book test data clean venv bench help

help:
	@echo "make book   build the book into _build/html (creates .venv on first run)"
	@echo "make test   run every test (browser tests skip without Chromium)"
	@echo "make data   refresh data/ from the sources (the local mirror $(MIRROR) if present)"
	@echo "make clean  remove builds and caches (not .venv)"

$(STAMP): requirements.txt pyproject.toml
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(STAMP)

$(BUNDLE): $(STAMP)
	$(BIN)/python -m minebook bundle $@

book: $(STAMP) $(BUNDLE)
	$(BIN)/python -m minebook cache-guard .jupyter_cache
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going

# The site tests read _build/html, so the book is built (or confirmed up to date) first.
test: book
	@command -v chromium >/dev/null || echo "NOTE: Chromium not found: the browser tests will be skipped (apt-get install -y chromium)."
	$(BIN)/python -m pytest -ra

data: $(STAMP)
	@if [ -d "$(MIRROR)" ]; then \
	  echo "fetching from the local mirror of the public URLs in $(MIRROR)"; \
	  $(BIN)/python -m minebook fetch --mirror "$(MIRROR)"; \
	else \
	  $(BIN)/python -m minebook fetch; \
	fi

clean:
	rm -rf _build .jupyter_cache cache $(BUNDLE)
