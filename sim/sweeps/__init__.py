"""Many plans at once: grid and Monte Carlo sweep files, seeded draws, runs on Dask, resume."""
