# makeR Soporte — set-up, run and test in one command each (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard resources/i18n/*/LC_MESSAGES/makersupport.po)
MO     := $(PO:.po=.mo)
# pytest-xdist: one worker per core; the machines we target have two. worksteal: each worker starts with
# half of the tests (the longest first: tests/conftest.py LONG_FIRST) and an idle worker takes half of
# what the other still has queued, so neither ends the run alone on a long test.
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: run test lint setup system-deps system-deps-test system-deps-package package translations messages bench screenshots clean

run: system-deps setup
	$(BIN)/makersupport db upgrade
	$(BIN)/makersupport demo --if-empty
	$(BIN)/makersupport gui

test: system-deps-test setup lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff everywhere; mypy strict on the policy core, the use cases and the mail adapters (untrusted input).
lint: setup
	$(BIN)/ruff check desktop_app tests bench scripts packaging
	$(BIN)/ruff format --check desktop_app tests bench scripts packaging
	$(BIN)/mypy desktop_app/domain desktop_app/services desktop_app/mail

setup: $(STAMP) translations

system-deps:
	@bash scripts/install_system_deps.sh run

system-deps-test:
	@bash scripts/install_system_deps.sh test

system-deps-package:
	@bash scripts/install_system_deps.sh package

# The desk's Linux installer: the PyInstaller one-folder app in dist/makersupport/, then
# dist/makersupport_<version>_<arch>.deb (see packaging/README.md); the Spanish catalogue first.
package: system-deps-package setup
	$(BIN)/python packaging/build_package.py --dist dist --work build/package
	$(BIN)/python packaging/smoke_test.py dist/makersupport

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

translations: $(MO)

resources/i18n/%/LC_MESSAGES/makersupport.mo: resources/i18n/%/LC_MESSAGES/makersupport.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D makersupport -i $< -o $@

# Re-extract the catalogue after adding strings; then translate the new entries in the .po files.
messages: $(STAMP)
	$(BIN)/pybabel extract -F resources/i18n/babel.cfg -k _ -k ngettext:1,2 --no-location --sort-output -o resources/i18n/makersupport.pot desktop_app
	$(BIN)/pybabel update -D makersupport -i resources/i18n/makersupport.pot -d resources/i18n --no-fuzzy-matching

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/queue_bench.py
	$(BIN)/python bench/sla_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/qr_bench.py
	$(BIN)/python bench/certificate_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/startup_bench.py

screenshots: system-deps-test setup
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
