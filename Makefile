# Two commands on a fresh machine: `make book` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)
BUNDLE := _static/vega-bundle.js
AXE := .tools/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1
# Lighthouse 12.2.3 is the last release that runs on Node 20.
LIGHTHOUSE := .tools/node_modules/lighthouse/cli/index.js
LIGHTHOUSE_VERSION := 12.2.3
MIRROR ?= ../shared/sources
export TZ := UTC
export PYTHONHASHSEED := 0

.PHONY: book test data clean venv bench help pdf classroom classroom-offline mutation

help:
	@echo "make book   build the book into _build/html (creates .venv on first run)"
	@echo "make test   run every test (browser tests skip without Chromium)"
	@echo "make data   refresh data/ from the sources (the local mirror $(MIRROR) if present)"
	@echo "make bench  build times, page weights, chart render times and Lighthouse (mobile) per page, against budgets"
	@echo "make pdf    print the whole book to _build/pdf/book.pdf (needs Chromium)"
	@echo "make classroom          the classroom kit, _build/html/classroom/ (make book writes it too)"
	@echo "make classroom-offline  the kit with every package for this platform, for a lab without internet"
	@echo "make mutation           mutation testing of the modules behind the numbers (MODULES=\"blockrate fetch\" for some)"
	@echo "make clean  remove builds and caches (not .venv)"

$(STAMP): requirements.txt pyproject.toml
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(STAMP)

# Vega's runtime from the npm registry, the version vl-convert compiles the charts for (without npm, or
# offline, the bundle falls back to vl-convert's own, which is larger and slower to start).
$(BUNDLE): $(STAMP) minebook/vega_bundle.py
	@v=$$($(BIN)/python -m minebook bundle --vega-version); \
	 if [ ! -f .tools/vega-$$v.tgz ] && command -v npm >/dev/null; then \
	   mkdir -p .tools && npm pack --silent --pack-destination .tools vega@$$v >/dev/null || true; fi
	$(BIN)/python -m minebook bundle $@ --tools .tools

book: $(STAMP) $(BUNDLE)
	$(BIN)/python -m minebook cache-guard .jupyter_cache
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	$(BIN)/python -m minebook notebooks _build/html/notebooks
	$(BIN)/python -m minebook classroom _build/html

classroom: book

# The kit plus a wheelhouse (pip download, for this machine's platform and Python) in _build/classroom/.
classroom-offline: book
	$(BIN)/python -m minebook classroom _build/html --offline _build/classroom

# axe-core (accessibility rules) from the npm registry, for the browser tests.
$(AXE):
	@if command -v npm >/dev/null; then npm install --prefix .tools --no-audit --no-fund --silent axe-core@$(AXE_VERSION); \
	 else echo "NOTE: npm not found: the accessibility tests will be skipped."; fi

# Lighthouse from the npm registry, for the browser tests (accessibility, best practices, SEO) and `make bench`.
$(LIGHTHOUSE):
	@if command -v npm >/dev/null; then npm install --prefix .tools --no-audit --no-fund --silent lighthouse@$(LIGHTHOUSE_VERSION); \
	 else echo "NOTE: npm not found: the Lighthouse tests will be skipped."; fi

# The site tests read _build/html, so the book is built (or confirmed up to date) first. The tests run on every
# core (pytest-xdist), a file per worker, so a chapter's tests share its executed notebook.
test: book $(AXE) $(LIGHTHOUSE)
	@if command -v chromium >/dev/null; then $(MAKE) --no-print-directory pdf; \
	 else echo "NOTE: Chromium not found: the browser and PDF tests will be skipped (apt-get install -y chromium)."; fi
	$(BIN)/python -m pytest -ra -n auto --dist loadfile

bench: $(STAMP) $(BUNDLE) $(LIGHTHOUSE)
	$(BIN)/python tools/bench.py

# A benchmark, not part of `make test`: how many small changes to the code behind the book's numbers the fast
# unit tests catch (tools/mutation.py). mutmut goes into .venv on first use; it does not change the book's pins.
MUTMUT_VERSION := 3.8.1
mutation: $(STAMP)
	@$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/python -m pip install --quiet mutmut==$(MUTMUT_VERSION)
	$(BIN)/python tools/mutation.py $(MODULES)

pdf: book
	$(BIN)/jupyter-book build . --builder singlehtml -n -W --keep-going
	$(BIN)/python -m minebook pdf _build/singlehtml _build/pdf/book.pdf --page book/intro.html
	cp _build/pdf/book.pdf _build/html/hashrate-on-the-move.pdf
	$(BIN)/python -m minebook answer-key-pdf _build/pdf/answer-key.pdf
	$(BIN)/python -m minebook classroom _build/html

data: $(STAMP)
	@if [ -d "$(MIRROR)" ]; then \
	  echo "fetching from the local mirror of the public URLs in $(MIRROR)"; \
	  $(BIN)/python -m minebook fetch --mirror "$(MIRROR)"; \
	else \
	  $(BIN)/python -m minebook fetch; \
	fi

clean:
	rm -rf _build .jupyter_cache cache $(BUNDLE)
