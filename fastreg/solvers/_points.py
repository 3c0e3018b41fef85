"""What a path's fast route hands back: the α it solved in one go, and the starts it leaves for the others."""

from typing import NamedTuple

import numpy as np


class PathPoints(NamedTuple):
    """Solutions of a path's α computed ahead of the α-by-α loop (:func:`fastreg.path.run_path`).

    ``done[i]``: α ``i`` is solved (``W[:, i]``, its gap divided by ``n``,
    its epochs, whether the gap met ``tol·‖y_c‖²``). ``start[i]``: not
    solved, but ``W[:, i]`` is where its fit should start.
    """

    W: np.ndarray  #: (p, k)
    gaps: np.ndarray  #: (k,)
    n_iters: np.ndarray  #: (k,) int
    converged: np.ndarray  #: (k,) bool
    done: np.ndarray  #: (k,) bool
    start: np.ndarray  #: (k,) bool
