# postkit: `make demo` runs each command on examples/ (writing only to build/demo/), `make test` runs the test suite.
# Both create .venv with Python 3.11+ when it is missing.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# opencc-python-reimplemented installs as the module "opencc" too, so the baseline of the
# traditional benchmark lives in a venv of its own.
BASELINE := build/venv-reimpl
# feedparser-rs is measured against feedparser, not used: it gets a venv of its own too.
FEEDPARSER_RS := build/venv-feedparser-rs

.PHONY: demo test bench bench-images bench-import clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "postkit needs Python 3.11 or newer on PATH" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# An editable install gets no bytecode when PYTHONDONTWRITEBYTECODE is set; compile once for fast start-up.
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

# The whole toolkit on examples/, which it never changes; what it writes goes to build/demo/.
# Exit 1 means "problems found", which is what the demo is for; only 2 (an error) stops it.
DEMO := build/demo
demo: $(STAMP)
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "==> postkit validate examples/    (front matter checks; the examples hold mistakes on purpose)"
	@$(BIN)/postkit validate examples/; test $$? -le 1
	@echo
	@echo "==> postkit convert examples/html-body.md --out $(DEMO)    (the HTML body becomes Markdown)"
	@$(BIN)/postkit convert examples/html-body.md --out $(DEMO); test $$? -le 1
	@echo
	@echo "==> postkit traditional $(DEMO)/html-body.md    (a Traditional Chinese copy: $(DEMO)/html-body.zh-Hant.md)"
	@$(BIN)/postkit traditional $(DEMO)/html-body.md; test $$? -le 1
	@head -n 16 $(DEMO)/html-body.zh-Hant.md
	@echo
	@echo "==> postkit images --offline examples/    (local image files and URL shapes; no network request)"
	@$(BIN)/postkit images --offline examples/; test $$? -le 1

# The browser differential test needs Debian's chromium and chromium-driver; the script installs
# them when missing (as root), and the test skips with the reason where they cannot be installed.
# -n auto: one worker per core; --dist loadgroup keeps each xdist_group (the pre-commit tests) in one worker.
test: $(STAMP)
	./scripts/ensure-chromium
	$(BIN)/python -m pytest -n auto --dist loadgroup

$(BASELINE)/bin/python:
	$(PYTHON) -m venv $(BASELINE)
	$(BASELINE)/bin/python -m pip install --quiet opencc-python-reimplemented

bench: $(STAMP) $(BASELINE)/bin/python
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/convert.py
	$(BIN)/python benchmarks/traditional_accuracy.py
	$(BIN)/python benchmarks/traditional.py --baseline-python $(BASELINE)/bin/python

bench-images: $(STAMP)
	$(BIN)/python benchmarks/images.py

$(FEEDPARSER_RS)/bin/python:
	$(PYTHON) -m venv $(FEEDPARSER_RS)
	$(FEEDPARSER_RS)/bin/python -m pip install --quiet 'feedparser-rs==0.7.1' 'feedparser>=6.0.11,<7'

bench-import: $(STAMP) $(FEEDPARSER_RS)/bin/python
	$(BIN)/python benchmarks/import.py
	$(FEEDPARSER_RS)/bin/python benchmarks/feed_parsers.py

clean:
	rm -rf $(VENV) build .pytest_cache
