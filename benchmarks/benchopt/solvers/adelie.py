"""adelie's group elastic net (groups of one feature, no ℓ2 part: the Lasso), solved at the one λ.

adelie's Gaussian loss is scikit-learn's ``(1/2n)‖y − η‖²``, so its ``λ`` is
``alpha = λ / n``. The curve samples its coordinate-descent tolerance.
"""

import numpy as np
import adelie as ad
from benchopt import BaseSolver
from benchopt.stopping_criterion import INFINITY


class Solver(BaseSolver):
    name = "adelie"
    sampling_strategy = "tolerance"
    requirements = ["pip::adelie"]

    def set_objective(self, X, y, lmbd, fit_intercept):
        self.X, self.y, self.fit_intercept = np.asfortranarray(X), y, fit_intercept
        self.lmda_path = np.array([lmbd / X.shape[0]])

    def skip(self, X, y, lmbd, fit_intercept):
        if not isinstance(X, np.ndarray):
            return True, "adelie's naive solver here takes dense X"
        return False, None

    def run(self, tol):
        if tol == INFINITY:
            self.beta = np.zeros(self.X.shape[1] + int(self.fit_intercept))
            return
        state = ad.grpnet(
            self.X, glm=ad.glm.gaussian(self.y), lmda_path=self.lmda_path, intercept=self.fit_intercept,
            tol=tol, early_exit=False, progress_bar=False,
        )
        coef = state.betas[-1].toarray().ravel()
        self.beta = np.r_[coef, state.intercepts[-1]] if self.fit_intercept else coef

    def get_result(self):
        return dict(beta=self.beta)
