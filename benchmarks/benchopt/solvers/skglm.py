"""skglm's Lasso (working sets, Anderson-accelerated CD); the curve samples its outer iterations."""

import warnings

import numpy as np
from benchopt import BaseSolver
from skglm import Lasso
from sklearn.exceptions import ConvergenceWarning


class Solver(BaseSolver):
    name = "skglm"
    sampling_strategy = "iteration"
    requirements = ["pip::skglm"]

    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = X, y, fit_intercept
        self.model = Lasso(
            alpha=lmbd / X.shape[0], fit_intercept=fit_intercept, tol=1e-15, max_epochs=100_000
        )

    def warm_up(self):
        self.run_once()  # numba compilation

    def get_next(self, stop_val):
        return stop_val + 1  # few outer iterations: sample each

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
