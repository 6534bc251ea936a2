# Two commands on a fresh machine (Python 3.11+ and make):
#   make reproduce   validate the data, run every notebook, rebuild every figure
#   make test        run every test (unit tests, data checks, notebooks with nbval)
# Both create .venv from the pinned requirements.txt the first time.
#
# The environment is keyed on the content of requirements.txt (not on its mtime, which a
# checkout changes): .venv/.requirements-<sha256> marks a complete install. A changed
# requirements.txt builds a new environment in .venv.new and swaps it in only once it imports;
# a failed install leaves the old .venv working. It is built with uv (pinned below, installed once
# into build/ with the system pip: no pip inside the venv), which links the pinned wheels from its
# cache and compiles them to bytecode in parallel (most of its ~25 s; left to first imports, every
# process would compile them again where PYTHONDONTWRITEBYTECODE is set); without uv, with venv and
# pip. The package itself is installed editable from
# pyproject.toml (setuptools from the venv, no download); its .pth points at src/, not at the venv,
# so the swap keeps it valid.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
UV := build/uv-$(UV_VERSION)/bin/uv
REQUIREMENTS_HASH := $(shell $(PYTHON) -c 'import hashlib; print(hashlib.sha256(open("requirements.txt", "rb").read()).hexdigest()[:16])')
STAMP := $(VENV)/.requirements-$(REQUIREMENTS_HASH)
PIP_FLAGS := --quiet --disable-pip-version-check --no-input
PYTEST_PARALLEL := -n 2 --dist loadfile

.PHONY: reproduce test test-lab lab-install lint test-cpus venv validate build-data bench lab site clean-venv help

help:
	@echo "make reproduce  - validate the data and rebuild the analysis and figures"
	@echo "make test       - lint, then run all tests"
	@echo "make lint       - check the code and the notebooks' code cells with ruff (configured in pyproject.toml)"
	@echo "make test-cpus  - rebuild every figure under other CPU dispatch settings and compare bytes"
	@echo "make test-lab   - open a notebook in JupyterLab in headless Chromium, run all its cells, fail on any error (CI)"
	@echo "make validate   - validate the data package and print coverage per year"
	@echo "make build-data - regenerate data/ tables from ../shared/reference"
	@echo "make bench      - time make test and make reproduce against their floors (BENCH_ARGS=\"--against COMMIT\" compares, \"--cpu-by-file\" adds CPU per test file)"
	@echo "make lab        - open the notebooks in JupyterLab (installs it on first use)"
	@echo "make site       - build the reading site in site/ from the committed notebooks (open site/index.html)"

venv: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); run make PYTHON=python3.11 ...")'
	@rm -rf $(VENV).new
	@echo "building the environment in $(VENV).new (swapped in for $(VENV) once it works)"
	@{ { [ -x $(UV) ] || { rm -rf build/uv-$(UV_VERSION) build/uv-$(UV_VERSION).new \
	       && $(PYTHON) -m pip install $(PIP_FLAGS) --target build/uv-$(UV_VERSION).new uv==$(UV_VERSION) \
	       && mv build/uv-$(UV_VERSION).new build/uv-$(UV_VERSION); }; } \
	   && $(UV) venv --quiet --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')" --python-preference only-system \
	        --no-python-downloads --prompt $(notdir $(CURDIR)) $(VENV).new \
	   && $(UV) pip install --quiet --python $(VENV).new/bin/python --compile-bytecode -r requirements.txt \
	   && $(UV) pip install --quiet --python $(VENV).new/bin/python --no-deps --no-build-isolation --editable .; } \
	 || { rm -rf $(VENV).new; echo "uv unavailable or failed; building with venv and pip"; \
	      $(PYTHON) -m venv --prompt $(notdir $(CURDIR)) $(VENV).new \
	      && $(VENV).new/bin/python -m pip install $(PIP_FLAGS) -r requirements.txt \
	      && $(VENV).new/bin/python -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation --editable .; } \
	 || { rm -rf $(VENV).new; echo "error: installing requirements.txt failed; $(VENV) left as it was" >&2; exit 1; }
	@$(VENV).new/bin/python -c 'import tipreport, nbval, xdist, matplotlib, pandas' \
	 || { rm -rf $(VENV).new; echo "error: the new environment does not import; $(VENV) left as it was" >&2; exit 1; }
	@grep -lI "$(CURDIR)/$(VENV).new" $(VENV).new/bin/* 2>/dev/null | xargs -r sed -i "s|$(CURDIR)/$(VENV).new|$(CURDIR)/$(VENV)|g"
	@touch $(VENV).new/.requirements-$(REQUIREMENTS_HASH)
	@rm -rf $(VENV).old && { [ ! -e $(VENV) ] || mv $(VENV) $(VENV).old; } && mv $(VENV).new $(VENV) && rm -rf $(VENV).old

validate: $(STAMP)
	$(PY) -m tipreport check

reproduce: $(STAMP)
	$(PY) -m tipreport reproduce

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Step 0: the linter (make lint). Step 1: unit tests and notebooks (nbval) in parallel; step 2: the checks of the files the
# notebooks wrote, which must run after all of them. They share one scratch folder (figures, pytest's temporary folders,
# the notebooks selected; TMPDIR too, so that what a test or a browser leaves there goes with it), removed at the end.
# A selection (PYTEST_ADDOPTS="-k ...") that leaves step 2 nothing to run is not a failure (pytest's exit status 5);
# checks whose notebooks were left out skip, saying so.
test: lint
	@scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/tip-tests-XXXXXX") && trap 'rm -rf "$$scratch"' EXIT INT TERM && \
	export TIP_TEST_SCRATCH="$$scratch" TMPDIR="$$scratch" && \
	status=0; $(PY) -m pytest $(PYTEST_PARALLEL) || status=$$?; \
	$(PY) -m pytest -p no:xdist -m after_notebooks -q tests || { code=$$?; [ $$code -eq 5 ] || status=$$code; }; \
	exit $$status

# The JupyterLab path, in a browser (CI, after make test; needs Chromium): installs JupyterLab as make lab does, starts
# it on 127.0.0.1 with a token, runs a notebook's cells through the interface and fails on any cell that shows an error.
test-lab: lab-install
	$(PY) -m pytest -p no:xdist -m lab -q tests/test_lab.py

test-cpus: $(STAMP)
	$(PY) -m pytest -p no:xdist -m cpu_dispatch

bench: $(STAMP)
	$(PY) scripts/bench.py $(BENCH_ARGS)

build-data: $(STAMP)
	$(PY) -m tipreport build-data

site: $(STAMP)
	$(PY) -m tipreport site

lab: lab-install
	$(VENV)/bin/jupyter lab notebooks/

lab-install: $(STAMP)
	@{ [ -x $(UV) ] && $(UV) pip install --quiet --python $(PY) -r requirements-lab.txt; } \
	 || { { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --default-pip >/dev/null; } \
	      && $(PY) -m pip install $(PIP_FLAGS) -r requirements-lab.txt; }

clean-venv:
	rm -rf $(VENV) $(VENV).new $(VENV).old
