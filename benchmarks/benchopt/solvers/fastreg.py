"""fastreg.Lasso with ``solver`` = "cd" (working-set coordinate descent), "gram" (CD on XᵀX) or "fista".

The curve samples ``max_iter`` (epochs for CD, iterations for FISTA).
"""

from typing import ClassVar

from benchmark_utils.lasso_solvers import EstimatorSolver

import fastreg


class Solver(EstimatorSolver):
    name = "fastreg"
    requirements: ClassVar = []  # fastreg itself: `pip install -e .` from the repository
    parameters: ClassVar = {"solver": ["cd", "gram", "fista"]}

    def setup(self, alpha):
        self.model = fastreg.Lasso(alpha=alpha, fit_intercept=self.fit_intercept, solver=self.solver, tol=1e-15)

    def warm_up(self):
        self.run_once()  # numba's first-call compilation, outside the timings
