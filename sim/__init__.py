"""Plan the fair distribution of donated computers and data packages to learners.

>>> import sim
>>> scenario = sim.load_scenario("data/scenarios/baseline.yaml")   # doctest: +SKIP
>>> result = sim.solve(scenario)                                   # doctest: +SKIP
>>> result.coverage_by("band")                                     # doctest: +SKIP

Importing ``sim`` loads what planning needs (pandas, PuLP, HiGHS, pydantic) and nothing else:
Dask, matplotlib, openpyxl, the 2025 unit lists and the notebooks' widgets are imported by the
functions that use them (tests/test_imports.py). ``__version__`` is looked up when first asked for.
"""

from sim.read.errors import InputError, ScenarioError
from sim.core.pipeline import solve
from sim.results.result import Result
from sim.core.rules import BAND_LABELS, BANDS, band_of
from sim.read.scenario import Scenario, load_scenario
from sim.core.solvers import SolverFailed, Status

__all__ = [
    "BANDS",
    "BAND_LABELS",
    "InputError",
    "Result",
    "Scenario",
    "ScenarioError",
    "SolverFailed",
    "Status",
    "__version__",
    "band_of",
    "load_scenario",
    "solve",
]


def __getattr__(name: str):
    """``sim.__version__``, read from the installed package's metadata once, when first asked for."""
    if name == "__version__":
        from sim.core.pipeline import package_version

        globals()["__version__"] = found = package_version()
        return found
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
