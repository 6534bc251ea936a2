# Two commands on a fresh machine (Python 3.11+ and make):
#   make reproduce   validate the data, run every notebook in order, rebuild every figure
#   make test        run every test (unit tests, data checks, notebooks with nbval)
# Both create .venv from the pinned requirements.txt the first time.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
PIP_FLAGS := --quiet --disable-pip-version-check --no-input

.PHONY: reproduce test validate build-data bench lab site clean-venv help

help:
	@echo "make reproduce  - validate the data and rebuild the analysis and figures"
	@echo "make test       - run all tests"
	@echo "make validate   - validate the data package and print coverage per year"
	@echo "make build-data - regenerate data/ tables from ../shared/reference"
	@echo "make bench      - time the analysis against its floor (kernel start-up + imports)"
	@echo "make lab        - open the notebooks in JupyterLab (installs it on first use)"
	@echo "make site       - build the reading site in site/ from the committed notebooks (open site/index.html)"

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); run make PYTHON=python3.11 ...")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "tipreport.pth").write_text(str(pathlib.Path("src").resolve()) + "\n")'
	touch $@

validate: $(STAMP)
	$(PY) -m tipreport check

reproduce: validate
	$(PY) -m tipreport reproduce

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) scripts/bench.py

build-data: $(STAMP)
	$(PY) -m tipreport build-data

site: $(STAMP)
	$(PY) -m tipreport site

lab: $(STAMP)
	$(PY) -m pip install $(PIP_FLAGS) -r requirements-lab.txt
	$(VENV)/bin/jupyter lab notebooks/

clean-venv:
	rm -rf $(VENV)
