"""celer's Lasso (working sets with dual extrapolation); the curve samples its outer iterations."""

from typing import ClassVar

from benchmark_utils.lasso_solvers import EstimatorSolver
from celer import Lasso


class Solver(EstimatorSolver):
    name = "celer"
    requirements: ClassVar = ["pip::celer"]

    def setup(self, alpha):
        self.model = Lasso(alpha=alpha, fit_intercept=self.fit_intercept, tol=1e-15, max_epochs=100_000)

    def get_next(self, stop_val):
        return stop_val + 1  # few outer iterations: sample each
