"""python-glmnet (the glmnet Fortran code behind a scikit-learn API), solved at the one λ.

Its objective is scikit-learn's, so ``lambda_path = [λ / n]``; no
standardization and no internal cross-validation (``n_splits=0``). The curve
samples its convergence tolerance. python-glmnet builds only against NumPy 1.x
(``numpy.distutils``); see the README for the install command.
"""

import numpy as np
from benchopt import BaseSolver
from benchopt.stopping_criterion import INFINITY
from glmnet import ElasticNet


class Solver(BaseSolver):
    name = "python-glmnet"
    sampling_strategy = "tolerance"
    requirements = ["pip::glmnet"]

    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = X, y, fit_intercept
        self.lambda_path = np.array([lmbd / X.shape[0]])

    def run(self, tol):
        if tol == INFINITY:
            self.beta = np.zeros(self.X.shape[1] + int(self.fit_intercept))
            return
        model = ElasticNet(
            alpha=1.0, lambda_path=self.lambda_path, standardize=False, fit_intercept=self.fit_intercept,
            n_splits=0, tol=tol, max_iter=1_000_000,
        )
        model.fit(self.X, self.y)
        coef = model.coef_path_[:, 0]
        self.beta = np.r_[coef, model.intercept_path_[0]] if self.fit_intercept else coef

    def get_result(self):
        return dict(beta=self.beta)
