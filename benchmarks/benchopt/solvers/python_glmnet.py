"""python-glmnet (the glmnet Fortran code behind a scikit-learn API), solved at the one λ.

Its objective is scikit-learn's, so ``lambda_path = [λ/n]``; no
standardization and no internal cross-validation (``n_splits=0``). The curve
samples its convergence tolerance. python-glmnet builds only against NumPy 1.x
(``numpy.distutils``); see the README for the install command.
"""

from typing import ClassVar

import numpy as np
from benchmark_utils.lasso_solvers import ToleranceSolver
from glmnet import ElasticNet


class Solver(ToleranceSolver):
    name = "python-glmnet"
    requirements: ClassVar = ["pip::glmnet"]

    def setup(self, alpha):
        self.lambda_path = np.array([alpha])

    def fit(self, tol):
        model = ElasticNet(
            alpha=1.0, lambda_path=self.lambda_path, standardize=False, fit_intercept=self.fit_intercept,
            n_splits=0, tol=tol, max_iter=1_000_000,
        )
        model.fit(self.X, self.y)
        return model.coef_path_[:, 0], model.intercept_path_[0]
