"""Benchmarks of SMC's real code paths (``python -m bench [suite ...]``, ``make bench``).

Every figure is reported with its ratio against a raw-driver baseline measured in the same
run, so results from different machines and days can be compared by ratio, not by speed.
"""
