"""Gaussian design with AR(1)-correlated columns and a sparse linear target."""

from typing import ClassVar

import numpy as np
from benchopt import BaseDataset


class Dataset(BaseDataset):
    name = "simulated"

    parameters: ClassVar = {
        "n_samples, n_features": [(500, 2_000), (5_000, 200)],
        "rho": [0.6],
        "random_state": [0],
    }
    n_informative = 0.1  # fraction of nonzero coefficients
    snr = 3.0

    def get_data(self):
        """``corr(X_j, X_k) = ρ^|j−k|``; a tenth of the coefficients nonzero; noise at the given SNR."""
        rng = np.random.default_rng(self.random_state)
        n, p = self.n_samples, self.n_features
        X = np.empty((n, p))
        X[:, 0] = rng.standard_normal(n)
        fresh = np.sqrt(1.0 - self.rho**2)
        for j in range(1, p):
            X[:, j] = self.rho * X[:, j - 1] + fresh * rng.standard_normal(n)
        w = np.zeros(p)
        support = rng.choice(p, size=max(1, int(self.n_informative * p)), replace=False)
        w[support] = rng.choice([-1.0, 1.0], size=support.size) * rng.uniform(0.5, 2.0, support.size)
        signal = X @ w
        y = signal + rng.standard_normal(n) * (np.std(signal) / self.snr)
        return {"X": X, "y": y}
