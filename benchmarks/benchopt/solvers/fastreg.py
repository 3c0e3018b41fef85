"""fastreg.Lasso with ``solver`` = "cd" (working-set coordinate descent), "gram" (CD on XᵀX) or "fista".

The curve samples ``max_iter`` (epochs for CD, iterations for FISTA) with a
tolerance too small to stop a fit earlier.
"""

import warnings

import numpy as np
from benchopt import BaseSolver

import fastreg
from fastreg.exceptions import ConvergenceWarning


class Solver(BaseSolver):
    name = "fastreg"
    sampling_strategy = "iteration"
    requirements = []  # fastreg itself: `pip install -e .` from the repository
    parameters = {"solver": ["cd", "gram", "fista"]}

    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = X, y, fit_intercept
        self.model = fastreg.Lasso(
            alpha=lmbd / X.shape[0], fit_intercept=fit_intercept, solver=self.solver, tol=1e-15
        )

    def warm_up(self):
        self.run_once()  # numba's first-call compilation, outside the timings

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
