# Two commands for everyone: `make lab` opens the course, `make test` runs every test.
# Both set up .venv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.peerkit-installed
FIRST_CHAPTER := notebooks/00_welcome.ipynb
LAB_PORT ?= 8888

.PHONY: lab test setup benchmarks clean

$(STAMP): pyproject.toml package.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "peerkit needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	  else echo "npm not found: the browser accessibility tests will install axe-core when npm is present"; fi
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	@# default_url: both the browser that opens and the URL printed on a headless machine land on the first chapter
	$(BIN)/jupyter lab --ServerApp.port=$(LAB_PORT) --LabApp.default_url=/lab/tree/$(FIRST_CHAPTER) $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(BIN)/python -m pytest

benchmarks: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache
