# The two commands: `make run` (set up + serve the demo on SQLite, on PORT, 8000 unless given:
# `make run PORT=8080`) and `make test` (set up with the test tools + run every test). Both work
# from a fresh clone; nothing needs to be installed by hand but Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run setup setup-test catalogues pdf-fonts browser test check lint demo clean bench

# Two installs, each with its own stamp: `run` and `demo` get only what running needs (the
# package and its dependencies); `test`, `lint` and `bench` add the test tools (the `test`
# extra: pytest, Playwright, ruff, ...). Each works from a fresh clone; a change to
# pyproject.toml redoes both.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BIN)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test install adds hcoc-client (clients/python, a package of its own: issue 26), editable,
# so the suite checks it against the exchange and runs its examples.
$(BIN)/.installed-test: pyproject.toml clients/python/pyproject.toml $(BIN)/.installed-run
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e clients/python
	touch $@

# The six languages' catalogues (issue 27): src/hcoc/locale/*/LC_MESSAGES/django.po compiled to
# the .mo files Django reads, with Babel (a dependency), not GNU gettext; the .mo files are build
# output (.gitignore). Each setup compiles them again where a .po is newer (tools/catalogues.py).
catalogues: $(BIN)/.installed-run
	$(BIN)/python tools/catalogues.py compile

# The PDFs' fonts (issue 27): the vendored Noto slices made into the TrueType fonts reportlab
# reads, in var/fonts (hcoc.lib.pdfscripts), here rather than by the first Russian, Arabic or
# Chinese PDF (the Chinese one takes about 12 CPU-seconds); a PDF makes a missing one itself.
pdf-fonts: $(BIN)/.installed-run
	$(BIN)/hcoc shell -c "from hcoc.lib.pdfscripts import FAMILIES; from hcoc.notifications.pdf import pdf_script; [pdf_script(language) for language in FAMILIES]"

setup: $(BIN)/.installed-run catalogues pdf-fonts
setup-test: $(BIN)/.installed-test catalogues pdf-fonts

demo: setup
	$(BIN)/hcoc demo

# `hcoc serve` starts the server and the live-delivery worker (`hcoc deliver`); on one machine,
# webhooks may go to loopback (HCOC_WEBHOOK_ALLOWED_NETWORKS, docs/configuration.md).
DEMO_WEBHOOK_NETWORKS ?= 127.0.0.0/8,::1/128
run: demo
	HCOC_WEBHOOK_ALLOWED_NETWORKS=$${HCOC_WEBHOOK_ALLOWED_NETWORKS:-$(DEMO_WEBHOOK_NETWORKS)} $(BIN)/hcoc serve --port $(PORT)

# The browser tests drive Debian's Chromium headless shell (the same Chromium build, without the
# desktop browser's machinery: what Playwright itself runs for headless tests, and a quarter less
# CPU for our browser tests than the full browser); tools/screenshots.py drives the full
# `chromium`. Playwright never downloads a browser of its own.
# poppler-utils: pdftotext, with which the tests read a PDF as a reader's viewer extracts it.
BROWSERS := chromium chromium-headless-shell poppler-utils
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromium-headless-shell -a -x /usr/bin/pdftotext || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSERS); }

# pytest exits 5 when it collects no test: that fails `make test` like any other failure.
# One worker per core (pytest-xdist): on 2 cores the suite takes about half the time.
# HCOC_REQUIRE_BROWSER=1: `browser` above has installed Chromium, so a browser test that would
# skip for want of it fails instead (tests/support/browser.py). HCOC_REQUIRE_DATA=1: the same for
# the reference data the tests read from tests/data/ (tests/support/reference_data.py).
# Python's bytecode caches (__pycache__, ignored by git) are written even where the environment
# says PYTHONDONTWRITEBYTECODE: without them every process the suite starts (its workers, each
# server, the demo, the CLI) compiles the package and the tests again, 3 s of each worker's start.
TEST_WORKERS ?= auto
test: setup-test browser
	env -u PYTHONDONTWRITEBYTECODE HCOC_REQUIRE_BROWSER=1 HCOC_REQUIRE_DATA=1 $(BIN)/python -m pytest -n $(TEST_WORKERS)

# The quick loop between commits: lint, then every test that starts no process of its own (no
# server, worker, command, client processes or browser: those are marked `process`, and an
# unmarked test that starts one fails, tests/support/processes.py), less the few in-process
# tests marked `heavy` (seconds of CPU each: a race with the production password hasher, every
# shipped boundary measured). `make test` runs both kinds. No browser install needed.
check: lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not process and not heavy"

lint: setup-test
	$(BIN)/ruff check src tests bench tools clients
	$(BIN)/ruff format --check src tests bench tools clients
	$(BIN)/lint-imports
	$(BIN)/hcoc makemigrations --check --dry-run

# Every benchmark in its full form, one after another (about an hour and a half), into one
# report, var/bench-report.md (tools/bench_report.py); `make test` runs each one's smoke form.
bench: setup-test
	$(BIN)/python tools/bench_report.py

clean:
	rm -rf $(VENV) var
