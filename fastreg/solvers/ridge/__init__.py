"""Closed-form and Krylov solvers for Ridge and least squares.

Ridge minimizes ``‖y − Xw − b‖² + α‖w‖²`` (``b`` never penalized), or with
per-feature factors ``f`` the generalized ``‖y − Xw − b‖² + α·Σⱼ fⱼwⱼ²``;
least squares is ``α = 0`` with the minimum-norm ``w`` when ``X`` is
rank-deficient.
With an intercept, ``b`` is eliminated by centering: ``w`` solves the problem
on ``X_c = X − 1x̄ᵀ``, ``y_c = y − ȳ``, and ``b = ȳ − x̄ᵀw``. Dense ``X`` is
centered explicitly (one float64 copy) unless its column means are within
their spreads; sparse ``X`` is never densified and never centered.

The modules, one job each:

- :mod:`.solve` — :func:`ridge_fit`: checks the arguments, groups the targets
  by α and routes each group to a solver;
- :mod:`.policy` — every "auto" choice (Gram or CG, primal or dual, the CG
  budget) and its cost constants;
- :mod:`.operators` — the implicitly centered (and weighted) ``X_c`` as an
  operator, the fused one-pass dual product of sparse ``X``, and the set-up
  and finish of a problem (centering ``y``, the intercept);
- :mod:`.factors` — ``penalty_factor``: the generalized problem reduced to
  the standard one every solver runs (column scaling, unpenalized features
  projected out, excluded ones zero);
- :mod:`.direct` — Cholesky of the primal or dual Gram, iterative refinement;
- :mod:`.iterative` — CG on the dual, CG on the normal equations, LSQR,
  Jacobi scaling;
- :mod:`.lstsq` — least squares (``α = 0``);
- :mod:`.positive` — ``w ≥ 0`` (NNLS, L-BFGS-B).

Nothing here imports scikit-learn, and the caller's arrays are never modified
(but by :func:`lstsq_solve` when asked to ``overwrite_X``).
"""

from .lstsq import lstsq_solve
from .solve import SOLVERS, RidgeFit, ridge_fit, ridge_solve, target_alphas

__all__ = ["SOLVERS", "RidgeFit", "ridge_fit", "ridge_solve", "lstsq_solve", "target_alphas"]
