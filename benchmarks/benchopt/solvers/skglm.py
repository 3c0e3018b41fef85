"""skglm's Lasso (working sets, Anderson-accelerated CD); the curve samples its outer iterations."""

from typing import ClassVar

from benchmark_utils.lasso_solvers import EstimatorSolver
from skglm import Lasso


class Solver(EstimatorSolver):
    name = "skglm"
    requirements: ClassVar = ["pip::skglm"]

    def setup(self, alpha):
        self.model = Lasso(alpha=alpha, fit_intercept=self.fit_intercept, tol=1e-15, max_epochs=100_000)

    def warm_up(self):
        self.run_once()  # numba compilation

    def get_next(self, stop_val):
        return stop_val + 1  # few outer iterations: sample each
