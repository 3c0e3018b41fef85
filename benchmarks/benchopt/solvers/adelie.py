"""adelie's group elastic net (groups of one feature, no ℓ2 part: the Lasso), solved at the one λ.

adelie's Gaussian loss is scikit-learn's ``(1/2n)‖y − η‖²``, so its ``λ`` is
``alpha = λ/n``. The curve samples its coordinate-descent tolerance.
"""

from typing import ClassVar

import adelie as ad
import numpy as np
from benchmark_utils.lasso_solvers import ToleranceSolver


class Solver(ToleranceSolver):
    name = "adelie"
    requirements: ClassVar = ["pip::adelie"]

    def skip(self, X, y, lmbd, fit_intercept):
        if not isinstance(X, np.ndarray):
            return True, "adelie's naive solver here takes dense X"
        return False, None

    def setup(self, alpha):
        self.X = np.asfortranarray(self.X)
        self.lmda_path = np.array([alpha])

    def fit(self, tol):
        state = ad.grpnet(
            self.X, glm=ad.glm.gaussian(self.y), lmda_path=self.lmda_path, intercept=self.fit_intercept,
            tol=tol, early_exit=False, progress_bar=False,
        )
        return state.betas[-1].toarray(), state.intercepts[-1]
