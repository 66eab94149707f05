# Two commands for everyone: `make lab` opens the course, `make test` runs every test.
# Both set up .venv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.peerkit-installed
FIRST_CHAPTER := notebooks/00_welcome.ipynb
# A learner reads each chapter as a page (Voilà: prose and exercises, no code); /lab/tree/... is the notebook view.
FIRST_PAGE := /voila/render/$(FIRST_CHAPTER)
LAB_PORT ?= 8888
PIP_LOG := $(VENV)/pip-install.log
# One line per package pip fetches, a note before the long quiet install step, and the total.
PIP_PROGRESS := awk '/^Collecting /{n++; printf "      %3d  %s\n", n, $$2; fflush()} \
  /^Installing collected packages/{k = split(substr($$0, index($$0, ":") + 2), names, ", "); \
    printf "      installing %d package(s): this part prints nothing for up to a minute\n", k; fflush()} \
  /^Successfully installed/{print "      installed"; fflush()}'
# bash, for `set -o pipefail` in the set-up recipe
SHELL := /bin/bash

.PHONY: lab test setup benchmarks clean

$(STAMP): pyproject.toml package.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "peerkit needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	@echo "Setting up peerkit in $(VENV)/ (once; again only when pyproject.toml changes)."
	@echo "The first time takes about 2 minutes, most of it step 2. Each step says when it is done."
	@echo "[1/4] Python virtual environment in $(VENV)/"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "[2/4] peerkit and the libraries it uses (JupyterLab, pandas, matplotlib, ...), with pip:"
	@echo "      about 100 s the first time; one line per package fetched. Full log: $(PIP_LOG)"
	@# pip's own output is long; we show one line per package and keep the rest in the log,
	@# printed if pip fails. pipefail: the install's exit status, not awk's, decides.
	@set -o pipefail; started=$$(date +%s); \
	  if $(BIN)/python -m pip install --progress-bar off -e '.[test]' 2>&1 | tee $(PIP_LOG) | $(PIP_PROGRESS); \
	  then echo "      done in $$(( $$(date +%s) - started )) s"; \
	  else echo "pip could not install peerkit. The end of its log ($(PIP_LOG)):"; tail -n 25 $(PIP_LOG); exit 1; fi
	@echo "[3/4] JupyterLab settings (no news pop-up)"
	@$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	@echo "[4/4] axe-core for the accessibility tests, with npm (a few seconds)"
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	  else echo "      npm not found: the browser accessibility tests will install axe-core when npm is present"; fi
	@touch $(STAMP)
	@echo "Set-up finished."

setup: $(STAMP)

lab: setup
	@# default_url: both the browser that opens and the URL printed on a headless machine land on the first
	@# chapter's page. JUPYTER_CONFIG_PATH adds jupyter_server_config.py here (the save hook that keeps the course
	@# notebooks free of outputs; the culling that stops the kernels of pages left) to the learner's own settings, as
	@# binder/start does on Binder.
	JUPYTER_CONFIG_PATH="$(CURDIR)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --ServerApp.port=$(LAB_PORT) --LabApp.default_url=$(FIRST_PAGE) $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(BIN)/python -m pytest

benchmarks: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache
