"""Compilation flags shared by the kernels.

``reassoc`` lets LLVM reorder the floating-point sums of dot products so they
vectorize (BLAS reorders them too); ``contract`` allows fused multiply-add.
Neither assumes finite values, so NaN and inf still propagate to the solvers'
divergence checks.
"""

FASTMATH = {"reassoc", "contract"}
