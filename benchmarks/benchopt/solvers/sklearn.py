"""scikit-learn's Lasso (cyclic coordinate descent); the curve samples ``max_iter`` epochs."""

import warnings

import numpy as np
from benchopt import BaseSolver
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso


class Solver(BaseSolver):
    name = "sklearn"
    sampling_strategy = "iteration"
    requirements = ["pip::scikit-learn"]

    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = X, y, fit_intercept
        self.model = Lasso(alpha=lmbd / X.shape[0], fit_intercept=fit_intercept, tol=0.0)

    def run(self, n_iter):
        if n_iter == 0:
            self.beta = np.zeros(self.X.shape[1] + int(self.fit_intercept))
            return
        self.model.max_iter = n_iter
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(self.X, self.y)
        coef = self.model.coef_
        self.beta = np.r_[coef, self.model.intercept_] if self.fit_intercept else coef

    def get_result(self):
        return dict(beta=self.beta)
