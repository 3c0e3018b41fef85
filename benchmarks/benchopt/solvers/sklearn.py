"""scikit-learn's Lasso (cyclic coordinate descent); the curve samples ``max_iter`` epochs."""

from sklearn.linear_model import Lasso

from benchmark_utils.lasso_solvers import EstimatorSolver


class Solver(EstimatorSolver):
    name = "sklearn"
    requirements = ["pip::scikit-learn"]

    def setup(self, alpha):
        self.model = Lasso(alpha=alpha, fit_intercept=self.fit_intercept, tol=0.0)
