"""Plan the fair distribution of donated computers and data packages to learners.

>>> import sim
>>> scenario = sim.load_scenario("data/scenarios/baseline.yaml")   # doctest: +SKIP
>>> result = sim.solve(scenario)                                   # doctest: +SKIP
>>> result.coverage_by("band")                                     # doctest: +SKIP
"""

from .errors import InputError, ScenarioError
from .plan import package_version, solve
from .results import Result
from .rules import BAND_LABELS, BANDS, band_of
from .scenario import Scenario, load_scenario
from .solvers import SolverFailed, Status

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
