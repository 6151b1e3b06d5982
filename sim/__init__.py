"""Plan the fair distribution of donated computers and data packages to learners.

>>> import sim
>>> scenario = sim.load_scenario("data/scenarios/baseline.yaml")   # doctest: +SKIP
>>> result = sim.solve(scenario)                                   # doctest: +SKIP
>>> result.coverage_by("band")                                     # doctest: +SKIP
"""

from sim.read.errors import InputError, ScenarioError
from sim.core.pipeline import package_version, solve
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

__version__ = package_version()
