"""schedalg's side-by-side benchmark suite: ``python -m bench`` (see bench/run.py)."""
