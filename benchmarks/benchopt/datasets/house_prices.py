"""fastreg's demo data: house prices from six informative and twenty useless raw (unscaled) features."""

from typing import ClassVar

from benchopt import BaseDataset

from fastreg.datasets import make_house_prices


class Dataset(BaseDataset):
    name = "house_prices"

    parameters: ClassVar = {"n_samples": [2_000], "random_state": [0]}

    def get_data(self):
        X, y, _ = make_house_prices(n_samples=self.n_samples, random_state=self.random_state)
        return {"X": X, "y": y}
