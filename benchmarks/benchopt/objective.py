"""The Lasso of benchopt's ``benchmark_lasso``, in its scaling.

    P(w, b) = ½‖y − Xw − b‖² + λ‖w‖₁,    λ = reg · λmax

``λmax`` is the smallest ``λ`` at which ``w = 0`` is optimal: ``‖Xᵀ(y − ȳ)‖∞``
with an intercept, ``‖Xᵀy‖∞`` without. The estimators benchmarked here all
minimize ``P/n`` (scikit-learn's scaling), so each solver passes
``alpha = λ / n``. A solver returns ``beta``: the ``p`` coefficients, followed
by the intercept when ``fit_intercept`` is set.
"""

from typing import ClassVar

import numpy as np
from benchopt import BaseObjective


class Objective(BaseObjective):
    name = "Lasso"
    min_benchopt_version = "1.7"

    parameters: ClassVar = {
        "fit_intercept": [False, True],
        "reg": [0.1, 0.01],
    }

    def set_data(self, X, y):
        self.X, self.y = X, y
        target = y - y.mean() if self.fit_intercept else y
        self.lmbd = self.reg * float(np.max(np.abs(X.T @ target)))

    def get_objective(self):
        return {"X": self.X, "y": self.y, "lmbd": self.lmbd, "fit_intercept": self.fit_intercept}

    def get_one_result(self):
        return {"beta": np.zeros(self.X.shape[1] + int(self.fit_intercept))}

    def evaluate_result(self, beta):
        beta = np.asarray(beta, dtype=np.float64)
        p = self.X.shape[1]
        w = beta[:p]
        b = beta[p] if self.fit_intercept else 0.0
        residual = self.y - self.X @ w - b
        primal = 0.5 * float(residual @ residual) + self.lmbd * float(np.abs(w).sum())
        return {
            "value": primal,
            "duality_gap": primal - self._dual(residual),
            "support_size": int(np.count_nonzero(w)),
        }

    def _dual(self, residual):
        """Dual objective ``½‖y‖² − ½‖y − θ‖²`` at the residual scaled into the dual feasible set.

        Feasible: ``‖Xᵀθ‖∞ ≤ λ``, and ``Σθ = 0`` with an intercept (so the
        residual is centered first).
        """
        theta = residual - residual.mean() if self.fit_intercept else residual
        scale = max(1.0, float(np.max(np.abs(self.X.T @ theta))) / self.lmbd)
        theta = theta / scale
        return 0.5 * float(self.y @ self.y) - 0.5 * float((self.y - theta) @ (self.y - theta))
