"""scikit-learn's Lasso (cyclic coordinate descent); the curve samples ``max_iter`` epochs."""

from typing import ClassVar

from benchmark_utils.lasso_solvers import EstimatorSolver
from sklearn.linear_model import Lasso


class Solver(EstimatorSolver):
    name = "sklearn"
    requirements: ClassVar = ["pip::scikit-learn"]

    def setup(self, alpha):
        self.model = Lasso(alpha=alpha, fit_intercept=self.fit_intercept, tol=0.0)
