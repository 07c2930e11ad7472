# scrutiny — every target installs what it needs first (Debian packages with apt-get, then a
# virtual environment in .venv with the Python packages).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# libmagic1: file types from bytes (python-magic); tesseract: OCR (extract --ocr);
# chromium: prints the report to PDF and runs the browser tests (Playwright drives it);
# fonts: Chinese (WenQuanYi Zen Hei) and Latin/Arabic-script (DejaVu) glyphs for the report
APT_PACKAGES := libmagic1 tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-uig chromium \
  fonts-wqy-zenhei fonts-dejavu-core
# exiftool: the reference the metadata benchmark compares with
BENCH_APT_PACKAGES := libimage-exiftool-perl

.PHONY: demo test lint typecheck unit bench system clean

demo: $(STAMP)
	$(BIN)/scrutiny demo

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(MAKE) system APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/checks.py
	$(BIN)/python benchmarks/checks_eval.py
	$(BIN)/python benchmarks/forensics_eval.py
	$(BIN)/python benchmarks/linkage_eval.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/web_load.py

system:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml | system
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "scrutiny needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev,c2pa,spark,ftm]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) scrutiny-demo .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
