"""Reproducible performance runs that print their figures: ``python -m benchmarks``."""
