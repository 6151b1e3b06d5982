"""Monte Carlo draws of one sweep run: pledges realised, prices, learner counts with errors.

Draw ``d`` of a sweep with seed ``s`` uses the random generator ``numpy.random.default_rng([s, d])``:
the same draw gets the same numbers whichever worker runs it and in whatever order, and every grid
point sees the same draws (so two grid points differ by their settings, not by luck). Within a
draw the numbers are taken in a fixed order: pledges, then prices, then the learner factors.

- A pledge of amount A arrives with its ``probability``; if it does, ``share`` of it arrives:
  floor(A × share) (whole VND, devices, packages), as ``pledged_at_rate`` rounds down.
- A price is drawn and rounded to whole VND.
- Each students row (district × grade × status) gets its own factors f and g:
  pupils' = round(pupils × f), without_internet' = min(round(without_internet × g), pupils').
  Factors are ≥ 0, so counts stay ≥ 0 and without_internet' ≤ pupils'.

>>> from sim.sweeps.spec import Distribution
>>> sample(Distribution("uniform", (2.0, 2.0)), rng_for(7, 1))
2.0
>>> import numpy as np
>>> frame = pd.DataFrame({"pupils": [10, 0], "without_internet": [10, 0]})
>>> noisy = noisy_students(frame, Distribution("fixed", (0.5,)), Distribution("fixed", (2.0,)), rng_for(7, 1))
>>> noisy.to_dict("list")
{'pupils': [5, 0], 'without_internet': [5, 0]}
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.sweeps.spec import Distribution, MonteCarlo


def rng_for(seed: int, draw: int) -> np.random.Generator:
    """The generator of draw ``draw``: a function of the sweep's seed and the draw number only."""
    return np.random.default_rng([seed, draw])


def sample(dist: Distribution, rng: np.random.Generator, size: int | None = None):
    """One number (or ``size`` numbers) from the distribution; a fixed number takes no randomness."""
    low, high = dist.low, dist.high
    if dist.kind == "fixed" or low == high:
        return low if size is None else np.full(size, low)
    if dist.kind == "uniform":
        return float(rng.uniform(low, high)) if size is None else rng.uniform(low, high, size)
    mode = dist.params[1]
    return float(rng.triangular(low, mode, high)) if size is None else rng.triangular(low, mode, high, size)


def get_path(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def realised(amount: int, probability: float, share: Distribution, rng: np.random.Generator) -> int:
    """What arrives of a pledged amount: nothing with 1 − probability, else floor(amount × share)."""
    arrives = rng.random() < probability
    fraction = sample(share, rng)
    return int(math.floor(amount * fraction)) if arrives else 0


def noisy_students(students: pd.DataFrame, pupils: Distribution | None, without_internet: Distribution | None,
                   rng: np.random.Generator) -> pd.DataFrame:
    """Students rows with each count multiplied by its own factor, rounded, kept consistent."""
    n = len(students)
    counts = students["pupils"].to_numpy()
    if pupils is not None:
        counts = np.rint(counts * sample(pupils, rng, n)).astype("int64")
    offline = students["without_internet"].to_numpy()
    if without_internet is not None:
        offline = np.rint(offline * sample(without_internet, rng, n)).astype("int64")
    offline = np.minimum(offline, counts)
    return students.assign(pupils=np.maximum(counts, 0), without_internet=np.maximum(offline, 0))


def draw_inputs(mc: MonteCarlo, data: dict, students: pd.DataFrame, draw: int) -> tuple[dict, dict, pd.DataFrame]:
    """Changes to the scenario data, the values to record in the table, and the students table of a draw.

    ``data`` is the scenario data with the grid point's values set: pledges realise those amounts.
    """
    rng = rng_for(mc.seed, draw)
    changes, record = {}, {}
    for pledge in mc.pledges:
        amount = realised(int(get_path(data, pledge.path)), pledge.probability, pledge.share, rng)
        changes[pledge.path] = amount
        record[f"realised.{pledge.path}"] = amount
    for path, dist in mc.prices:
        price = int(round(sample(dist, rng)))
        changes[path] = price
        record[path] = price
    if mc.pupils is not None or mc.without_internet is not None:
        students = noisy_students(students, mc.pupils, mc.without_internet, rng)
    return changes, record, students
