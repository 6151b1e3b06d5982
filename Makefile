# Two commands set everything up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    ?= reports/baseline

.PHONY: demo test lab report dashboard bench docs clean

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

# -n auto: one worker per core; --dist loadfile: each test file on one worker (its module fixtures
# and, in tests/test_notebooks.py, each notebook's run are made once).
test: $(VENV)/.full  ## run every test, notebooks included
	$(PY) -m pytest -n auto --dist loadfile

# Jupyter refuses to run as root unless told; root is what containers and CI machines are.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.full  ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) notebooks/

report: $(VENV)/.full  ## run every notebook and save it as one HTML page in reports/ (SIM_LANG=en for English)
	$(PY) -m sim report notebooks/*.ipynb --out reports

# The "sim" page template (share/jupyter/voila/templates/sim) fetches nothing from the internet.
# A cell still unanswered after 120 s (a lost message between Voilà and its kernel: issue 14) shows
# "Cell execution timed out" on the page, where Voilà would otherwise wait for ever; reload the page.
dashboard: $(VENV)/.full  ## the scenario explorer without code, on http://127.0.0.1:8866 (Ctrl+C stops it)
	JUPYTER_PATH="$(CURDIR)/share/jupyter" $(VENV)/bin/voila notebooks/02_donation_scenarios.ipynb \
		--template=sim --Voila.ip=127.0.0.1 --port=8866 --VoilaExecutor.timeout=120

$(VENV)/.docs: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[notebook,test,docs]"
	touch $@ $(VENV)/.full $(VENV)/.core

docs: $(VENV)/.docs  ## the manual (MkDocs, Vietnamese and English, executed notebooks, API) in site/
	$(PY) docs/execute_notebooks.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# BENCH_ARGS, e.g. "--cases district,school --skip-plain": see benchmarks/bench.py --help
bench: $(VENV)/.full  ## time the planner on three cases next to a textbook PuLP model; writes reports/bench.md
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) reports site docs/notebooks .pytest_cache .hypothesis
