"""Two bases for the solvers: each point of a curve is a fit from scratch, returned as ``beta``.

``beta`` is the ``p`` coefficients, then the intercept when the objective fits
one (see ``objective.py``); ``alpha = λ/n`` in scikit-learn's scaling.
"""

import warnings

import numpy as np
from benchopt import BaseSolver
from benchopt.stopping_criterion import INFINITY
from sklearn.exceptions import ConvergenceWarning


class _LassoSolver(BaseSolver):
    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = X, y, fit_intercept
        self.setup(lmbd / X.shape[0])

    def _store(self, coef, intercept):
        coef = np.asarray(coef, dtype=np.float64).ravel()
        self.beta = np.r_[coef, intercept] if self.fit_intercept else coef

    def _zeros(self):
        self.beta = np.zeros(self.X.shape[1] + int(self.fit_intercept))

    def get_result(self):
        return {"beta": self.beta}


class EstimatorSolver(_LassoSolver):
    """An estimator with scikit-learn's API; the curve samples ``max_iter``.

    A subclass sets ``self.model`` in ``setup(alpha)``, with a tolerance too
    small to stop a fit before ``max_iter``.
    """

    sampling_strategy = "iteration"

    def run(self, n_iter):
        if n_iter == 0:
            self._zeros()
            return
        self.model.max_iter = n_iter
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(self.X, self.y)
        self._store(self.model.coef_, self.model.intercept_)


class ToleranceSolver(_LassoSolver):
    """A solver stopped by its own tolerance; the curve samples it.

    A subclass defines ``fit(tol)`` returning ``(coef, intercept)``.
    """

    sampling_strategy = "tolerance"

    def get_next(self, stop_val):
        # a decade a point: benchopt's default (÷1.5) leaves these solvers' results unchanged
        # for several points near tol = 1, and the run stops there for lack of progress
        return 1.0 if stop_val > 1.0 else max(stop_val / 10.0, 1e-15)

    def run(self, tol):
        if tol == INFINITY:  # benchopt's first point: the start, w = 0
            self._zeros()
            return
        self._store(*self.fit(tol))
