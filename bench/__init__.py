"""The city-scale benchmark: `make bench` (see bench/run.py)."""
