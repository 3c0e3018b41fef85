"""Solvers: the loops around the kernels (stopping rules, step sizes, divergence checks)."""
