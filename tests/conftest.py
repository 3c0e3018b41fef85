import numpy as np
import pytest

from helpers import STORAGES


@pytest.fixture(params=sorted(STORAGES))
def storage(request):
    return request.param


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param
