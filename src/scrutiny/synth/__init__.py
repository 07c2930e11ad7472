"""Synthetic, clearly fictional leaks with known ground truth, for the demo, tests and
benchmarks. Nothing generated here describes a real person."""
