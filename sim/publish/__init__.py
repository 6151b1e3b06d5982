"""Static HTML transparency report: ``python -m sim publish --out site/`` (see ``site``)."""
