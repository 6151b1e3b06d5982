"""The planning engine: the plan's rules, cells and pools, the LP, its steps and whole devices.

One pipeline (``core.pipeline.solve``): read -> check -> group -> build -> steps -> solve ->
whole devices -> result. Every capability (re-planning, fairness, marginal values, the frontier,
sweeps, the explorer) goes through it.
"""
