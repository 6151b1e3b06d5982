"""The command line: ``python -m sim run | sweep | frontier | marginal | donations | ... | roster``."""
