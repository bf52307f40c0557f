# Everyday tasks. `make demo` and `make test` set up everything they need on
# a fresh Debian/Ubuntu machine: system fonts and poppler (apt-get, as root or
# with sudo), then a virtualenv in .venv with dsr and its dev tools; `make test`
# adds Chromium for the browser tests.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Fonts: Noto for every script (CJK for zh-Hant). Pango lays text out for
# WeasyPrint; HarfBuzz-subset makes font subsetting ~8x faster than fontTools.
# poppler-utils gives pdftoppm/pdftotext for looking at the output.
APT_PACKAGES := fonts-noto-core fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
                libharfbuzz-subset0 fontconfig poppler-utils
# `make test` also needs a browser for tests/test_web_browser.py: Debian's Chromium, driven by
# Playwright through executable_path=/usr/bin/chromium (Playwright's own download is not used).
TEST_APT_PACKAGES := chromium chromium-driver

.PHONY: setup system system-test apt-install demo test lint i18n i18n-check bench clean

setup: system $(VENV)/.installed

system:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

system-test:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing system packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null && \
	    fc-cache -f >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/dsr letter --kind objection --jurisdiction DE --controller linkedin \
	  --name "Erika Mustermann" --address "Hauptstraße 1, 10115 Berlin" \
	  --email erika@example.org --account-email erika@example.org \
	  --profile-url https://www.linkedin.com/in/erika --lang de \
	  --date 2026-11-22 -o examples/objection-linkedin-de.pdf --force
	$(BIN)/dsr letter --kind objection --jurisdiction DE --controller linkedin \
	  --name "Erika Mustermann" --address "Hauptstraße 1, 10115 Berlin" \
	  --email erika@example.org --account-email erika@example.org \
	  --profile-url https://www.linkedin.com/in/erika --lang de \
	  --date 2026-11-22 -o examples/objection-linkedin-de.txt --force

test: setup system-test
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check dsr tests scripts bench hatch_build.py
	$(BIN)/ruff format --check dsr tests scripts bench hatch_build.py
	$(BIN)/mypy
	$(BIN)/lint-imports

i18n: setup
	$(BIN)/python scripts/i18n.py

i18n-check: setup
	$(BIN)/python scripts/i18n.py --check

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/batch.py --rows 1000
	$(BIN)/python bench/first_letter.py --rows 100000
	$(BIN)/python bench/stages.py
	$(BIN)/python bench/kit.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find locales -name '*.mo' -delete
