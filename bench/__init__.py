"""Benchmarks that run the whole system as real processes."""
