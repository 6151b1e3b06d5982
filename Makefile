# Two commands set everything up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    ?= reports/baseline

.PHONY: demo test lab clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The stamp files re-install when pyproject.toml changes.
$(VENV)/.core: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.full: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[notebook,test]"
	touch $@ $(VENV)/.core

demo: $(VENV)/.core  ## solve the bundled Long An baseline and print a summary
	$(PY) -m sim run data/scenarios/baseline.yaml --out $(OUT)

test: $(VENV)/.full  ## run every test, notebooks included
	$(PY) -m pytest

# Jupyter refuses to run as root unless told; root is what containers and CI machines are.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.full  ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) notebooks/

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
