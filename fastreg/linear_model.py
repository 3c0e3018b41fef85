"""scikit-learn-compatible estimators: validate, call a solver, store attributes.

The objectives are scikit-learn's (see the README): ``fastreg.Lasso(alpha=a)``
and ``sklearn.linear_model.Lasso(alpha=a)`` have the same optimum.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._policy import explicit_solver_copies, stream_route, wide_ridge_reads_as_is
from ._preprocess import weighted_offsets
from ._validation import (
    check_finite,
    check_alpha,
    check_alpha_per_target,
    check_bool,
    check_finite_result,
    check_l1_ratio,
    check_max_iter,
    check_penalty_params,
    check_precompute,
    check_sample_weight,
    check_selection,
    check_scalar,
    check_tol,
    validate_fit_data,
    validate_predict_data,
)
from ._relax import blend, support_lstsq
from ._standardize import feature_scales
from .penalty import Penalty, make_penalty
from .persistence import register, save as _save_model
from .solvers.cd import enet_coordinate_descent, stack_targets
from .solvers.fista import CenteredPass, enet_fista
from ._policy import enet_solver
from .solvers.gram import enet_gram_solve
from .solvers.gd import seed_gradient_descent
from .solvers.ridge import lstsq_solve, ridge_fit
from .solvers.stream import (
    enet_from_stats_fit,
    lstsq_from_stats,
    ridge_from_stats_fit,
    scales_from_stats,
    statistics,
    support_lstsq_from_stats,
    warn_copy,
)

__all__ = ["LinearRegression", "Ridge", "Lasso", "ElasticNet"]


def _is_dask(X):
    """Whether ``X`` is a dask array; never imports Dask (it is loaded if ``X`` is one)."""
    import sys

    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def _check_n_jobs(n_jobs):
    """``None`` or an integer (scikit-learn's ``n_jobs``; ``-1`` means all cores)."""
    import numbers

    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral)):
        raise TypeError(f"n_jobs must be None or an integer, got {n_jobs!r} ({type(n_jobs).__name__})")
    return n_jobs


def _warn_copy(estimator, X, why):
    warn_copy(type(estimator).__name__, X, why, stacklevel=4)


def _stream_route(X, sample_weight):
    """The streamed route of validated ``X`` (:func:`fastreg._policy.stream_route`), None when it is not streamed."""
    if sp.issparse(X):
        return None
    return stream_route(X, weighted=sample_weight is not None)


def _dask_backend():
    from .backends import dask as backend  # optional dependency, imported only for dask input

    return backend


class LinearModel(RegressorMixin, BaseEstimator):
    """Shared validation and ``predict`` for linear models ``y ≈ Xw + b``.

    ``y`` may be 1-D (``coef_`` of shape (n_features,), ``intercept_`` a
    float) or 2-D (n_samples, n_targets) (``coef_`` (n_targets, n_features),
    ``intercept_`` (n_targets,)).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    def _validate_fit_data(self, X, y, sparse_format, sample_weight=None, *, expand_scalar=False, defer_finite=False):
        # fastreg._validation is the one door: clear errors for bad input, and
        # sparse X converted and canonicalized (duplicates summed) on a copy.
        X, y = validate_fit_data(self, X, y, sparse_format, multi_output=True, defer_finite=defer_finite)
        sample_weight = check_sample_weight(sample_weight, X, expand_scalar=expand_scalar)
        return X, y, sample_weight

    def _warn_if_streamed(self, X, sample_weight, why):
        """Warn (:class:`~fastreg.exceptions.MemoryCopyWarning`) that ``X``, which the policy would stream, is copied."""
        if _stream_route(X, sample_weight) is not None:
            _warn_copy(self, X, why)

    # scikit-learn's shapes for a one-column 2-D y: Ridge, Lasso and
    # ElasticNet give coef_ (n_features,) and intercept_ (1,); LinearRegression
    # keeps coef_ (1, n_features).
    _ravel_one_target = True

    def _set_coef(self, X, coef, intercept):
        check_finite_result(type(self).__name__, coef, intercept)
        coef = np.asarray(coef, dtype=X.dtype)
        if coef.ndim == 1:
            self.coef_, self.intercept_ = coef, np.float64(intercept)  # a float with a shape, as scikit-learn's
            return
        intercept = np.asarray(intercept, dtype=X.dtype)
        if coef.shape[0] == 1 and self._ravel_one_target:
            coef = coef[0]
        if not getattr(self, "fit_intercept", True):
            intercept = 0.0  # scikit-learn's: a scalar 0.0 without intercept, whatever the targets
        self.coef_, self.intercept_ = coef, intercept

    def _fitted_on_dask(self, X, coef, intercept):
        """Store a dask fit's plain results as an in-memory fit stores its own."""
        self._set_coef(self._dask_stand_in(X), coef, intercept)

    def _dask_stand_in(self, X):
        """Record dask ``X``'s feature count; return the empty array of its dtype that ``_set_coef`` reads."""
        self.n_features_in_ = X.shape[1]
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        return np.empty(0, dtype=dtype)

    def save(self, path):
        """Write the fitted model to ``path`` (a ``.npz`` model file, no pickle).

        See :mod:`fastreg.persistence` for the format; read it back with
        :func:`fastreg.load`. The file is written atomically.
        """
        _save_model(self, path)

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), or (n_samples, n_targets) if fitted on 2-D ``y``
        """
        check_is_fitted(self)
        if _is_dask(X):  # a lazy dask array (fastreg.backends.dask)
            return _dask_backend().predict(X, self.coef_, self.intercept_, name=type(self).__name__)
        X = validate_predict_data(self, X)
        if np.ndim(self.coef_) == 1:
            return np.asarray(X @ self.coef_).ravel() + self.intercept_
        return np.asarray(X @ self.coef_.T) + self.intercept_


@register
class LinearRegression(LinearModel):
    """Ordinary least squares, ``‖y − Xw − b‖²``; minimum-norm ``w`` when rank-deficient.

    Parameters
    ----------
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        ``False`` lets a writable float64 dense ``X`` be centered (and scaled
        by ``√sample_weight``) in place and overwritten by the solve, saving
        its copy, as scikit-learn's (not with ``positive``). Sparse or other
        ``X`` is never overwritten.
    tol : float >= 0, default=1e-14
        ``atol = btol`` of LSQR, the solver of sparse ``X`` (0 runs it to its
        iteration limit, ``max(100, 10·min(n, p))``). Dense ``X`` needs no
        tolerance: LAPACK ``gelsd`` on the centered data, singular values
        below ``eps·max(n, p)·s_max`` counting as zero (NumPy's cutoff).
        scikit-learn 1.9 also passes ``tol`` to its dense solve as ``cond``,
        which drops singular values below ``tol·s_max`` (1e-6 by default):
        on ill-conditioned ``X`` that is a different, truncated answer;
        fastreg returns the least-squares solution.
    n_jobs : int or None, default=None
        Accepted for scikit-learn compatibility; not used (fastreg's solvers
        already run on all cores through BLAS and numba).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (dense: NNLS, as
        scikit-learn; sparse, which scikit-learn refuses: L-BFGS-B with
        bounds).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str (only when fitted on a DataFrame with string column names)
    """

    _ravel_one_target = False

    def __init__(self, *, fit_intercept=True, copy_X=True, tol=1e-14, n_jobs=None, positive=False):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive

    def fit(self, X, y, sample_weight=None):
        """Fit by least squares (dense: LAPACK ``gelsd``; sparse: LSQR, implicitly centered).

        ``sample_weight`` (n_samples,) gives weighted least squares
        ``Σ sᵢ(yᵢ − xᵢw − b)²``.
        """
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        positive = check_bool(self.positive, "positive")
        copy_X = check_bool(self.copy_X, "copy_X")
        tol = float(check_scalar(self.tol, "tol"))
        _check_n_jobs(self.n_jobs)
        if _is_dask(X):  # sufficient statistics on the cluster, solved here
            backend = _dask_backend()
            X, y, sample_weight = backend.check_input(X, y, sample_weight)
            coef, intercept = backend.fit_lstsq(X, y, sample_weight, fit_intercept=fit_intercept, positive=positive)
            self._fitted_on_dask(X, coef, intercept)
            return self
        X, y, sample_weight = self._validate_fit_data(X, y, "csr", sample_weight, defer_finite=True)
        route = _stream_route(X, sample_weight)
        if route == "gram":  # one pass over row blocks; the statistics' check replaces the scan for NaN
            stats = statistics(X, y, sample_weight, fit_intercept)
            coef, intercept = lstsq_from_stats(stats, fit_intercept=fit_intercept, positive=positive,
                                               single=y.ndim == 1)
            self._set_coef(X, coef, intercept)
            return self
        if route is not None:
            _warn_copy(self, X, "least squares on wide X (more features than samples, or too many for a Gram) "
                       "is solved in memory")
        if not sp.issparse(X):
            check_finite(X, self)
        coef, intercept = lstsq_solve(
            X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, positive=positive, tol=tol,
            overwrite_X=not copy_X,
        )
        self._set_coef(X, coef, intercept)
        return self


# Ridge's solver names: scikit-learn's eight, then fastreg's own two.
_RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs", "cg", "gd")
# The fastreg solver each name runs ("lbfgs" needs positive=True, which picks the positive solver itself).
# "svd", "sag" and "saga" name algorithms fastreg replaces by its exact ones: "auto", at fastreg's own
# tolerance and iteration cap (theirs mean something else: SAG's tol bounds a change of coef_).
_RIDGE_RUNS = {"auto": "auto", "svd": "auto", "sag": "auto", "saga": "auto", "lbfgs": "auto",
               "cholesky": "cholesky", "lsqr": "lsqr", "sparse_cg": "cg", "cg": "cg"}
_RIDGE_TOL = 1e-10


@register
class Ridge(LinearModel):
    """Ridge regression, ``‖y − Xw − b‖² + α‖w‖²`` (``+ α·Σⱼ fⱼwⱼ²`` with ``penalty_factor``).

    Every ``solver`` reaches the same optimum (to ``tol`` for the iterative
    ones); scikit-learn's names map to fastreg's exact solvers:

    ==================== =========================================== ===========================================
    ``solver``           dense ``X``                                 sparse ``X``
    ==================== =========================================== ===========================================
    "auto", "svd",       tall: Cholesky of ``X_cᵀX_c + αI``. Wide    tall: Cholesky of the Gram (refined) when
    "sag", "saga"        float64 contiguous unweighted ``X``: CG on  ``p ≤ 2000`` and it is estimated cheaper
                         the dual ``X_cX_cᵀ + αI``, handing over to  than CG, else CG on the normal equations.
                         the dual Cholesky as soon as CG is          Wide: CG on the dual, handing over to the
                         predicted slower; other wide ``X``: the     refined dual Cholesky (``n ≤ 2000``) when
                         dual Cholesky.                              predicted slower. ("svd": ``TypeError``;
                                                                     "saga" with ``fit_intercept``:
                                                                     ``ValueError``, as in scikit-learn.)
    "cholesky"           Cholesky, primal (tall) or dual (wide),     Cholesky of the Gram, refined with the exact
                         SVD if the factorization fails              operator; LSQR when ``min(n, p) > 5000`` or
                                                                     the Gram lost too many digits
    "lsqr"               LSQR (``damp = √α``)                        LSQR, implicitly centered
    "sparse_cg", "cg"    CG on the dual (wide float64 contiguous     CG on the dual (wide) or on the normal
                         unweighted ``X``) or the normal equations   equations (tall), implicitly centered
    "lbfgs"              NNLS (exact), ``positive=True`` only        L-BFGS-B with bounds, ``positive=True`` only
    "gd"                 the seed's L2 loop (1-D ``y``, no weights,  the same, on CSR
                         no ``penalty_factor``)
    ==================== =========================================== ===========================================

    ``α = 0`` is least squares whatever the solver (dense: LAPACK
    ``gelsd``; sparse: LSQR), the minimum-norm solution when ``X`` is
    rank-deficient. ``positive=True`` (with "auto" or "lbfgs") runs NNLS on
    dense ``X`` and L-BFGS-B on sparse ``X``. "svd", "sag" and "saga" run
    "auto" at fastreg's default ``tol`` and ``max_iter``: their own
    meanings of those (SAG's ``tol`` bounds a change of ``coef_``) have no
    counterpart in the exact solvers. ``solver_`` says which algorithm ran.

    Parameters
    ----------
    alpha : float >= 0 or array-like of shape (n_targets,), default=1.0
        One value per target fits each target at its own α (one solve per
        distinct value).
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility; ``X`` is never overwritten.
    max_iter : int or None, default=None
        Iteration cap per target of the iterative solvers (CG, LSQR:
        ``max(100, 10·min(n, p))``; L-BFGS-B: ``max(1000, 10·p)``; NNLS:
        ``max(50, 3·p)`` active-set steps, after which L-BFGS-B takes over for
        ``max_iter`` iterations; ``"gd"``: 100,000 when None).
    tol : float > 0, default=1e-10
        CG stops at a relative residual of the normal (or dual) equations of
        ``tol``; LSQR uses ``atol = btol = tol``; the sparse Cholesky refines
        to the same residual; L-BFGS-B stops at a projected gradient of
        ``tol·max(‖X_cᵀy_c‖∞, 1)``; ``"auto"``'s CG (dual or sparse) stops
        once its duality gap certifies the objective within 1e-12 relative of
        the optimum, or at ``min(tol, 1e-12)``, and on the residual alone for
        a ``tol`` below the default; ``"gd"`` stops when the largest gradient entry
        is at most ``tol·std(y)``. Tighter than scikit-learn's default
        (1e-4), so that every solver lands on the optimum.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs", "cg", "gd"}, default="auto"
        See the table above.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``solver`` "auto" or
        "lbfgs"): dense ``X`` exactly by NNLS on the augmented system
        ``[X_c; √α I]``, sparse ``X`` by L-BFGS-B with bounds (scikit-learn's
        method) to ``tol``.
    random_state : int, RandomState instance or None, default=None
        Accepted (and checked) for scikit-learn compatibility: scikit-learn's
        SAG/SAGA use it to shuffle; fastreg's solvers are exact and
        deterministic and do not use it.
    penalty_factor : array of shape (n_features,) or None, default=None
        Generalized Ridge, ``‖y − Xw − b‖² + α·Σⱼ fⱼwⱼ²`` (with
        ``sample_weight``: ``Σ sᵢrᵢ² + α·Σⱼ fⱼwⱼ²``), as glmnet's
        ``penalty.factor``. Finite ``≥ 0`` or ``inf``: ``0`` leaves the
        feature unpenalized, ``inf`` leaves it out (coefficient exactly 0).
        Not rescaled (glmnet rescales the factors to sum to ``n_features``):
        a constant factor ``c`` is ``alpha·c``. Every solver but ``"gd"``
        takes it, with ``positive``, weights and several targets: features
        with ``fⱼ > 0`` run as the columns ``X_cⱼ/√fⱼ`` (folded into the
        Gram and the operators, no copy of dense ``X`` but for the dual
        Gram of wide ``X``), unpenalized ones are projected out as the
        intercept is (a dense ``n_samples × k`` block for ``k`` of them),
        excluded ones are zero columns.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_, feature_names_in_
    n_iter_ : ndarray of shape (n_targets,)
        The iterations of the iterative solver for each target (one entry
        for 1-D ``y``), as scikit-learn's; 1 where a direct solver produced
        the answer (Cholesky, SVD, NNLS, gelsd — also when "auto"'s dual CG
        handed over to Cholesky). scikit-learn sets ``None`` there, but its
        own estimator checks ask for ``n_iter_ >= 1``.
    solver_ : str
        The algorithm that ran: "cholesky", "svd" (the dense Cholesky's
        fallback), "cg", "lsqr", "lstsq" (gelsd, ``α = 0`` on dense ``X``),
        "nnls", "lbfgs" or "gd"; several joined by "+" when targets of
        different α took different ones. (scikit-learn's ``solver_`` names
        its own algorithms: with ``solver="sag"`` it says "sag", fastreg says
        what ran instead.)
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        solver="auto",
        tol=_RIDGE_TOL,
        max_iter=None,
        copy_X=True,
        positive=False,
        random_state=None,
        penalty_factor=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.positive = positive
        self.random_state = random_state
        self.penalty_factor = penalty_factor

    def fit(self, X, y, sample_weight=None):
        """Fit Ridge regression, ``Σ sᵢ(yᵢ − xᵢw − b)² + α‖w‖²`` with ``sample_weight``."""
        alpha = check_alpha_per_target(self.alpha)
        tol = check_tol(self.tol)
        max_iter = check_max_iter(self.max_iter, allow_none=True)
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        positive = check_bool(self.positive, "positive")
        check_bool(self.copy_X, "copy_X")
        check_random_state(self.random_state)  # a clear error for a bad seed; not used
        solver = self.solver
        if not isinstance(solver, str) or solver not in _RIDGE_SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(map(repr, _RIDGE_SOLVERS))}, got {solver!r}")
        if solver == "lbfgs" and not positive:
            raise ValueError(
                "solver='lbfgs' can be used only when positive=True (as in scikit-learn); "
                "use another solver, e.g. 'auto', or set positive=True"
            )
        if positive and solver not in ("auto", "lbfgs"):
            raise ValueError(
                f"solver={solver!r} does not support positive fitting: set the solver to 'auto' or 'lbfgs', "
                "or set positive=False"
            )
        if solver in ("svd", "sag", "saga"):
            tol, max_iter = _RIDGE_TOL, None
        if _is_dask(X):
            backend = _dask_backend()
            X, y, sample_weight = backend.check_input(X, y, sample_weight)
            coef, intercept, self.n_iter_, self.solver_ = backend.fit_ridge(
                X, y, sample_weight, fit_intercept=fit_intercept, positive=bool(self.positive), alpha=alpha,
                solver=_RIDGE_RUNS.get(solver, solver), tol=tol, max_iter=max_iter,
                penalty_factor=self._penalty_factor(X.shape[1], solver),
            )
            self._fitted_on_dask(X, coef, intercept)
            return self
        # Σ sᵢrᵢ² + α‖w‖²: a scalar weight c is c on every row (as scikit-learn), i.e. α/c
        X, y, sample_weight = self._validate_fit_data(X, y, "csr", sample_weight, expand_scalar=True,
                                                      defer_finite=True)
        penalty_factor = self._penalty_factor(X.shape[1], solver)
        route = _stream_route(X, sample_weight) if _RIDGE_RUNS.get(solver) in ("auto", "cholesky") else None
        if route == "gram":  # the Gram from one pass over row blocks, then Cholesky (or NNLS)
            stats = statistics(X, y, sample_weight, fit_intercept)
            coef, intercept, _, self.solver_ = ridge_from_stats_fit(
                stats, alpha, fit_intercept=fit_intercept, positive=positive, penalty_factor=penalty_factor,
                single=y.ndim == 1,
            )
            self._set_coef(X, coef, intercept)
            self.n_iter_ = np.ones(1 if y.ndim == 1 else y.shape[1], dtype=np.int32)
            return self
        if route is not None and not wide_ridge_reads_as_is(
            X, weighted=sample_weight is not None, positive=positive, penalty_factor=penalty_factor,
            least_squares=bool(np.all(np.asarray(alpha) == 0.0)),
        ):
            _warn_copy(self, X, "Ridge on wide X with float32 values, sample_weight, positive, penalty_factor or "
                       "alpha=0 is solved in memory")
        elif (route is None and not sp.issparse(X) and _RIDGE_RUNS.get(solver) in ("lsqr", "cg")
              and explicit_solver_copies(X, _RIDGE_RUNS[solver], sample_weight is not None)):
            self._warn_if_streamed(X, sample_weight, f"solver={solver!r} works on a float64 (row-scaled) copy")
        if not sp.issparse(X):
            check_finite(X, self)
        if sp.issparse(X) and solver in ("svd", "saga") and fit_intercept:
            raise ValueError(
                f"solver={solver!r} does not support fitting the intercept on sparse data (scikit-learn refuses "
                "it too); use solver='auto' (the same exact solver) or set fit_intercept=False"
            )
        if sp.issparse(X) and solver == "svd":
            raise TypeError(
                "solver='svd' does not support sparse X (scikit-learn refuses it too); use solver='auto'"
            )
        if solver == "gd":
            if isinstance(alpha, np.ndarray):
                if alpha.size != 1:
                    raise ValueError("solver='gd' (the seed's loop) takes one alpha; use 'auto' for one per target")
                alpha = float(alpha[0])
            if sample_weight is not None or y.ndim == 2:
                raise ValueError("solver='gd' (the seed's loop) takes neither sample_weight nor 2-D y; use 'auto'")
            coef, intercept, n_iter = self._fit_gd(X, y, alpha, tol, max_iter)
            self._set_coef(X, coef, intercept)
            self.n_iter_, self.solver_ = np.array([n_iter], dtype=np.int32), "gd"
            return self
        fit = ridge_fit(
            X,
            y,
            alpha,
            fit_intercept=fit_intercept,
            solver=_RIDGE_RUNS[solver],
            tol=tol,
            max_iter=max_iter,
            sample_weight=sample_weight,
            positive=positive,
            penalty_factor=penalty_factor,
        )
        self._set_coef(X, fit.coef, fit.intercept)
        k = 1 if y.ndim == 1 else y.shape[1]
        # a direct solve counts as one iteration (scikit-learn says None there, but its own estimator
        # checks ask every estimator with max_iter for n_iter_ >= 1)
        self.n_iter_ = np.ones(k, dtype=np.int32) if fit.n_iter is None else np.maximum(fit.n_iter, 1)
        self.solver_ = fit.solver
        return self

    def _penalty_factor(self, p, solver):
        """The checked ``penalty_factor`` (``None`` when absent or all ones); ``"gd"`` takes none."""
        f = check_penalty_params(p, self.penalty_factor)["penalty_factor"]
        if f is not None and np.all(f == 1.0):
            f = None
        if f is not None and solver == "gd":
            raise ValueError(
                "solver='gd' (the seed's loop) does not take penalty_factor; use solver='auto' (or any other)"
            )
        return f

    def _fit_gd(self, X, y, alpha, tol, max_iter):
        """The seed's L2 loop: it descends ``(1/2n)(‖r‖² + α‖w‖²)``, Ridge's objective over ``2n``."""
        max_iter = 100_000 if max_iter is None else max_iter
        tol_grad = tol * max(float(np.std(y)), np.finfo(float).tiny)
        theta, n_iter = seed_gradient_descent(
            X,
            y,
            penalty="l2",
            lambda_=alpha,
            learning_rate="auto",
            iterations=max_iter,
            fit_intercept=self.fit_intercept,
            tol=tol_grad,
        )
        if n_iter >= max_iter:
            warnings.warn(
                f"Ridge(solver='gd') did not converge in max_iter={max_iter} iterations: the gradient is above "
                f"tol·std(y) = {tol_grad:.3g}; increase max_iter or use solver='cholesky'",
                ConvergenceWarning,
            )
        return theta[1:], theta[0], n_iter


@register
class ElasticNet(LinearModel):
    """ElasticNet, ``(1/2n)‖y − Xw − b‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²`` (ρ = ``l1_ratio``).

    Parameters
    ----------
    alpha : float >= 0, default=1.0
    l1_ratio : float in [0, 1], default=0.5
    fit_intercept : bool, default=True
    precompute : "auto", bool or array of shape (n_features, n_features), default="auto"
        scikit-learn's parameter, which names an algorithm, not an answer:
        with ``solver="auto"``, ``True`` runs ``"gram"``, ``False`` runs
        ``"cd"`` and ``"auto"`` lets fastreg choose (scikit-learn's default is
        ``False``; the optimum is the same). An array is the Gram
        ``X̃ᵀX̃`` of the centered ``X̃ = D(X − x̄)`` (rows scaled by
        ``√sample_weight``, the weights normalized to sum to ``n_samples``),
        used as given by the Gram solver, not recomputed; as scikit-learn
        does, one entry is checked against ``X``, and when ``fit_intercept``
        finds ``X`` not centered the Gram is recomputed with a
        ``UserWarning``.
    max_iter : int >= 1, default=10000
        Maximum number of coordinate-descent epochs.
    copy_X : bool, default=True
        With ``sample_weight``, ``False`` lets a Fortran-ordered float32/float64
        dense ``X`` be centered and row-scaled by ``√sample_weight`` in place,
        saving the copy; ``X`` is then overwritten (``"cd"`` only). Without
        weights ``"cd"`` centers dense ``X`` on the fly and never writes it.
    tol : float >= 0, default=1e-9
        Stop when the duality gap is at most ``tol·‖y − ȳ‖²/n``
        (scikit-learn's rule; its default is 1e-4) and at most
        ``10⁻³·tol`` of the objective: the default lands within about 1e-12
        relative objective of the optimum. ``tol=0`` runs ``max_iter`` epochs.
    warm_start : bool, default=False
        Start from the previous ``coef_`` (when its shape fits the new ``y``).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order of ``selection="random"``.
    penalty_factor : array of shape (n_features,) or None, default=None
        Multiplies feature ``j``'s whole penalty (its L1 and L2 parts), as
        glmnet's ``penalty.factor``: the penalty is
        ``αΣⱼfⱼ(ρ|wⱼ| + ((1 − ρ)/2)wⱼ²)``. Finite ``≥ 0`` or ``inf``: ``0``
        leaves the feature unpenalized, ``inf`` leaves it out (coefficient
        exactly 0). Not rescaled (glmnet rescales the factors to sum to
        ``n_features``; multiply α by ``p/Σf`` for its numbers).
    lower_bounds, upper_bounds : float, array of shape (n_features,) or None, default=None
        Box constraints ``lower ≤ w ≤ upper`` (``±inf`` allowed), as glmnet's
        ``lower.limits``/``upper.limits``; zero must be feasible
        (``lower ≤ 0 ≤ upper``). ``positive=True`` is ``lower_bounds=0``.
        Every solver but ``"gd"`` takes them and the factors.
    selection : {"cyclic", "random"}, default="cyclic"
        ``"random"``: every epoch visits its coordinates (of the working set)
        in a new random order, for ``"cd"`` and ``"gram"``; same optimum.
    standardize : bool, default=False
        glmnet's ``standardize=TRUE``: penalize the coefficients of the
        columns scaled to unit spread, ``σⱼwⱼ`` (``σⱼ`` the standard
        deviation of column ``j``, ``1/n`` variance, weighted by
        ``sample_weight``): the penalty becomes
        ``αΣⱼfⱼ(ρσⱼ|wⱼ| + ((1 − ρ)/2)σⱼ²wⱼ²)``. ``coef_`` stays on the
        original scale, as do the bounds (as glmnet's ``lower.limits``); no
        scaled copy of ``X`` is made (sparse ``X`` stays sparse). A constant
        column (``σⱼ = 0``) gets coefficient 0, as in glmnet. Without an L1 or
        L2 term (``alpha=0``) it changes nothing.
    relax : float in [0, 1] or None, default=None
        The relaxed fit, glmnet's ``relax=TRUE`` at ``gamma=relax``:
        ``coef_ = γ·w + (1 − γ)·w_OLS`` (the intercept likewise), ``w`` the
        penalized solution and ``w_OLS`` the unpenalized (weighted)
        least-squares fit on its support (the non-zero coefficients), within
        the bounds; the minimum-norm one if those columns are
        rank-deficient. As glmnet, γ below ``1e-5`` counts as ``1e-5``.
        ``None`` or ``1``: the penalized fit itself. ``dual_gap_`` and
        ``n_iter_`` are the penalized fit's. Not with ``solver="gd"`` (no
        exact zeros, no support).
    solver : {"auto", "cd", "gram", "fista", "gd"}, default="auto"
        ``"cd"``: coordinate descent on working sets (dense ``X`` in Fortran
        order, copied once if it is not, and centered on the fly; sparse
        ``X`` as CSC, centered implicitly). ``"gram"``: the same on
        ``G = X_cᵀX_c``, formed once for all targets. ``"fista"``:
        accelerated proximal gradient on the fused one-pass kernels (dense
        C/F or CSR, never centered or copied except F → C once), exact zeros,
        step ``1/L`` found automatically. ``"gd"``: the seed's loop (sign
        subgradient steps; ``l1_ratio`` 1 or 0 only) for parity with it —
        approximate: no exact zeros, and it warns when ``max_iter`` steps
        leave the gap above ``tol``. ``"auto"``: without an L1 term
        (``alpha=0`` or ``l1_ratio=0``, and ``positive=False``) the problem
        is least squares or Ridge and is solved exactly by
        :class:`LinearRegression`'s or :class:`Ridge`'s direct solvers
        (coordinate descent converges slowly there, as scikit-learn warns);
        else ``precompute`` decides, and by default ``"gram"`` for dense ``X``
        with ``n ≥ 2p`` and ``p ≤ 300``, else ``"cd"`` (measured, see
        :func:`fastreg._policy.enet_solver`). ``sample_weight``
        needs ``"cd"`` or ``"gram"``; so does 2-D ``y``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int (one per target)
        Epochs run (1 for the direct solve of ``"auto"`` without L1 term).
    n_features_in_, feature_names_in_

    With 2-D ``y`` each target is fitted independently (as scikit-learn), on
    one centered copy of ``X``. ``sample_weight`` rescales the squared loss:
    ``(1/(2Σs)) Σ sᵢ(yᵢ − xᵢw − b)²``.
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=10_000,
        copy_X=True,
        tol=1e-9,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        standardize=False,
        relax=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize
        self.relax = relax

    def _l1_ratio(self):
        return check_l1_ratio(self.l1_ratio)

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit by coordinate descent (or the solver chosen), stopped on the duality gap.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), float or None
        check_input : bool, default=True
            ``False`` skips the scan of dense ``X`` for NaN and infinity
            (scikit-learn's meaning: the caller has checked); conversions,
            if ``X`` needs any, still happen, on a copy.
        """
        alpha = check_alpha(self.alpha)
        l1_ratio = self._l1_ratio()
        tol = check_tol(self.tol)
        max_iter = check_max_iter(self.max_iter)
        check_bool(self.fit_intercept, "fit_intercept")
        positive = check_bool(self.positive, "positive")
        check_bool(self.warm_start, "warm_start")
        copy_X = check_bool(self.copy_X, "copy_X")
        check_input = check_bool(check_input, "check_input")
        selection = check_selection(self.selection)
        precompute = check_precompute(self.precompute)
        standardize = check_bool(self.standardize, "standardize")
        relax = check_relax(self.relax)
        if not isinstance(self.solver, str) or self.solver not in _ENET_SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(map(repr, _ENET_SOLVERS))}, got {self.solver!r}")
        solver = self.solver
        if solver == "gd" and l1_ratio not in (0.0, 1.0):
            raise ValueError(
                f"solver='gd' runs the seed's loop, which has an L1 or an L2 penalty, not both: "
                f"it needs l1_ratio 1 or 0, got {l1_ratio!r}"
            )
        if solver != "auto" and isinstance(precompute, np.ndarray) and solver != "gram":
            raise ValueError(f"precompute=<Gram matrix> needs solver 'auto' or 'gram', got solver={solver!r}")
        if selection == "random" and solver in ("fista", "gd"):
            raise ValueError(f"selection='random' orders coordinate descent's updates; solver={solver!r} has none")
        if relax is not None and solver == "gd":
            raise ValueError("relax needs the support of exact zeros, which solver='gd' (the seed's loop) does not "
                             "give; use 'cd'")
        if _is_dask(X):
            if standardize or relax is not None:
                raise NotImplementedError("standardize=True and relax are not supported for dask arrays yet; "
                                          "fit a NumPy or scipy.sparse X")
            if solver == "gd":
                raise NotImplementedError(
                    "solver='gd' (the seed's loop) does not support dask arrays; use 'auto', 'cd' or 'fista'")
            backend = _dask_backend()
            X, y, sample_weight = backend.check_input(X, y, sample_weight)
            p = X.shape[1]
            penalty = make_penalty(p, **check_penalty_params(p, self.penalty_factor, self.lower_bounds,
                                                             self.upper_bounds), positive=positive)
            coef, intercept, gap, n_iter, converged, engine = backend.fit_enet(
                X, y, sample_weight, fit_intercept=self.fit_intercept, alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                max_iter=max_iter, solver=solver, penalty=penalty, coef_init=self._warm_start_coef(p, y),
            )
            return self._store(self._dask_stand_in(X), y, coef, intercept, gap, n_iter, converged,
                               "cd" if engine == "gram" else engine, tol, max_iter)
        X, y, sample_weight = self._validate_fit_data(
            X, y, "csc" if solver in ("auto", "cd") else "csr", sample_weight, defer_finite=True
        )
        penalty_params = check_penalty_params(X.shape[1], self.penalty_factor, self.lower_bounds, self.upper_bounds)
        route = None
        if solver in ("auto", "gram") and not isinstance(precompute, np.ndarray):
            route = _stream_route(X, sample_weight)
        elif not sp.issparse(X) and explicit_solver_copies(X, solver, sample_weight is not None):
            self._warn_if_streamed(X, sample_weight, f"solver={solver!r} works on a copy of this X")
        if route == "gram":
            return self._fit_streamed(X, y, sample_weight, alpha, l1_ratio, tol, max_iter, penalty_params, positive,
                                      standardize and alpha > 0.0, relax, selection)
        scale = None
        if standardize and alpha > 0.0:  # without a penalty the scales change nothing
            scale = checked_scales(X, sample_weight, self)
        penalty = make_penalty(X.shape[1], **penalty_params, positive=positive, scale=scale)
        if solver == "gd" and not penalty.uniform:
            raise ValueError("solver='gd' (the seed's loop) takes neither penalty_factor, bounds nor standardize; "
                             "use 'cd'")
        gram = None
        if isinstance(precompute, np.ndarray):
            gram = self._given_gram(precompute, X, sample_weight)
        if route is not None:  # wide: read as it is by coordinate descent (F order) or FISTA (C order)
            solver = _streamed_solver(self, X, route, solver, alpha * l1_ratio == 0.0 and not penalty.bounded,
                                      alpha == 0.0, sample_weight, penalty)
        if solver == "auto":
            if alpha * l1_ratio == 0.0 and not penalty.bounded:
                solver = "direct"  # least squares or a (generalized) Ridge: solved exactly
            elif gram is not None or precompute is True:
                solver = "gram"
            elif precompute is False:
                solver = "cd"
            else:
                solver = enet_solver(X, sample_weight, copy_X)
        if check_input and not sp.issparse(X) and (solver != "cd" or sample_weight is not None):
            check_finite(X, self)  # else CD's one pass over dense X checks it (fastreg.solvers.cd._Dense)
        extra = {}
        seed = -1 if selection == "cyclic" else int(check_random_state(self.random_state).randint(2**31 - 1))
        if solver == "cd":
            # the relaxed fit reads X again: it must not be overwritten
            extra = {"sample_weight": sample_weight, "copy_X": copy_X or relax is not None, "seed": seed}
        elif solver == "gram":
            if sp.issparse(X) and X.format != "csr":
                X = X.tocsr()
            extra = {"sample_weight": sample_weight, "gram": gram, "seed": seed}
        elif solver == "direct":
            extra = {"sample_weight": sample_weight}
        elif solver == "fista" and route == "fista" and y.ndim == 2:
            solver = "fista_targets"  # one FISTA per target, on X as it is
        elif sample_weight is not None or y.ndim == 2:
            raise ValueError(f"solver={solver!r} takes neither sample_weight nor 2-D y; use solver='cd'")
        coef_init = self._warm_start_coef(X.shape[1], y)
        coef, intercept, gap, n_iter, converged = _ENET_SOLVERS_ALL[solver](
            X,
            y,
            alpha,
            l1_ratio,
            fit_intercept=self.fit_intercept,
            tol=tol,
            max_iter=max_iter,
            penalty=penalty,
            coef_init=coef_init,
            **extra,
        )
        if relax is not None and relax < 1.0:
            coef, intercept = relax_fit(X, y, coef, intercept, relax, penalty, self.fit_intercept, sample_weight)
        return self._store(X, y, coef, intercept, gap, n_iter, converged, solver, tol, max_iter)

    def _fit_streamed(self, X, y, sample_weight, alpha, l1_ratio, tol, max_iter, penalty_params, positive,
                      standardize, relax, selection):
        """The streamed route of tall ``X``: its statistics from one pass over row blocks, then the exact solver."""
        stats = statistics(X, y, sample_weight, self.fit_intercept, centered=standardize)
        scale = scales_from_stats(stats) if standardize else None
        penalty = make_penalty(X.shape[1], **penalty_params, positive=positive, scale=scale)
        seed = -1 if selection == "cyclic" else int(check_random_state(self.random_state).randint(2**31 - 1))
        coef, intercept, gap, n_iter, converged = enet_from_stats_fit(
            stats, alpha, l1_ratio, fit_intercept=self.fit_intercept, tol=tol, max_iter=max_iter, penalty=penalty,
            coef_init=self._warm_start_coef(X.shape[1], y), seed=seed, single=y.ndim == 1,
        )
        if relax is not None and relax < 1.0:
            coef, intercept = relax_from_stats(stats, coef, intercept, relax, penalty)
        return self._store(X, y, coef, intercept, gap, n_iter, converged, "gram", tol, max_iter)

    def _warm_start_coef(self, p, y):
        """The previous ``coef_`` as a start (``warm_start``, when its shape fits this ``y``), else None."""
        expected = (p,) if y.ndim == 1 else (y.shape[1], p)
        previous = getattr(self, "coef_", None)
        if self.warm_start and previous is not None and np.size(previous) == np.prod(expected):
            return np.asarray(previous, dtype=np.float64).reshape(expected)
        return None

    def _store(self, X, y, coef, intercept, gap, n_iter, converged, solver, tol, max_iter):
        """The fitted attributes from a solver's (or backend's) plain results, and its warning if it stopped early."""
        if not np.all(converged):
            scale = "‖y − ȳ‖²/n" if self.fit_intercept else "‖y‖²/n"
            steps = "epochs" if solver in ("cd", "gram") else "iterations"
            gaps = ", ".join(f"{g:.3g}" for g in np.atleast_1d(gap))
            warnings.warn(
                # scikit-learn's first sentence, which code filtering its warnings looks for
                "Objective did not converge. You might want to increase the number of iterations. "
                f"{type(self).__name__}(solver={solver!r}) stopped at max_iter={max_iter} {steps}: "
                f"duality gap {gaps} > tol·{scale} (tol={tol:g}, weighted when sample_weight is given); "
                "increase max_iter or tol",
                ConvergenceWarning,
            )
        self._set_coef(X, coef, intercept)
        if y.ndim == 2 and y.shape[1] == 1:  # scikit-learn: one target → scalar gap and count
            gap, n_iter = float(gap[0]), n_iter[0]
        self.dual_gap_ = gap
        self.n_iter_ = n_iter
        return self

    def _given_gram(self, G, X, sample_weight):
        """The caller's Gram, or ``None`` (with scikit-learn's warning) when ``X`` is not centered."""
        p = X.shape[1]
        if G.shape != (p, p):
            raise ValueError(f"precompute: the Gram matrix must have shape ({p}, {p}) for X with {p} features, "
                             f"got {G.shape}")
        if self.fit_intercept:
            x_mean = weighted_offsets(X, np.zeros(X.shape[0]), sample_weight, True)[0]
            if not np.allclose(x_mean, 0.0):
                warnings.warn(
                    "Gram matrix was provided but X was centered to fit intercept: recomputing Gram matrix.",
                    UserWarning,
                )
                return None
        return G


def _streamed_solver(estimator, X, route, solver, direct, least_squares, sample_weight, penalty):
    """The solver of wide streamed ``X`` (route ``"cd"``, ``"fista"`` or ``"copy"``), with a warning if it copies."""
    if route == "copy" or solver == "gram":
        _warn_copy(estimator, X, "no streamed solver serves it (sample_weight on wide X, or solver='gram' on "
                   "too many features)")
        return solver
    if solver != "auto":
        return solver
    if direct:  # no L1 term: Ridge's or least squares' direct solvers
        if not wide_ridge_reads_as_is(X, weighted=sample_weight is not None, positive=False,
                                      penalty_factor=None if penalty.uniform else penalty.l2_factors(),
                                      least_squares=least_squares):
            _warn_copy(estimator, X, "the problem without L1 term on wide X is solved in memory")
        return "direct"
    return route


def _enet_fista_targets(X, y, alpha, l1_ratio, *, fit_intercept, tol, max_iter, penalty, coef_init):
    """FISTA on each target of a 2-D ``y`` (the streamed route of wide C-ordered ``X``), results stacked."""
    inits = None if coef_init is None else np.atleast_2d(coef_init)
    return stack_targets([
        enet_fista(X, y[:, k], alpha, l1_ratio, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
                   penalty=penalty, coef_init=None if inits is None else inits[k])
        for k in range(y.shape[1])
    ])


def check_relax(value, name="relax"):
    """``None`` or a real γ in [0, 1] (the relaxed lasso's mixing weight)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be None or a float in [0, 1] (glmnet's gamma), got {value!r}")
    value = float(check_scalar(value, name))
    if value > 1.0:
        raise ValueError(f"{name} must be in [0, 1] (glmnet's gamma), got {value!r}")
    return value


def checked_scales(X, sample_weight, estimator=None):
    """:func:`fastreg._standardize.feature_scales` of validated ``X``; non-finite ``X`` gets scikit-learn's error."""
    with np.errstate(invalid="ignore", over="ignore"):
        scale = feature_scales(X, sample_weight)
    if not np.all(np.isfinite(scale)):
        check_finite(X, estimator)
        raise ValueError("X is too large to standardize: the variance of a column overflows float64; rescale X")
    return scale


def relax_fit(X, y, coef, intercept, gamma, penalty, fit_intercept, sample_weight):
    """``γ·(coef, intercept) + (1 − γ)·`` the least-squares fit on the support of ``coef`` (each target)."""
    lower, upper = penalty.pen[2], penalty.pen[3]
    return _blend_relaxed(coef, intercept, gamma, lambda j, support: support_lstsq(
        X, y if y.ndim == 1 else y[:, j], support, fit_intercept=fit_intercept, sample_weight=sample_weight,
        lower=lower, upper=upper,
    ))


def relax_from_stats(stats, coef, intercept, gamma, penalty):
    """:func:`relax_fit` from streamed statistics (:func:`fastreg.solvers.stream.support_lstsq_from_stats`)."""
    lower, upper = penalty.pen[2], penalty.pen[3]
    return _blend_relaxed(coef, intercept, gamma,
                          lambda j, support: support_lstsq_from_stats(stats, j, support, lower, upper))


def _blend_relaxed(coef, intercept, gamma, support_fit):
    """Each target ``j`` blended with ``support_fit(j, support)``, the ``(w, b)`` of least squares on its support."""
    coefs = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    intercepts = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    out, out_intercepts = np.empty_like(coefs), np.empty_like(intercepts)
    for j in range(coefs.shape[0]):
        w, b = support_fit(j, np.flatnonzero(coefs[j]))
        out[j], out_intercepts[j] = blend(gamma, coefs[j], w), blend(gamma, float(intercepts[j]), b)
    if np.ndim(coef) == 1:
        return out[0], float(out_intercepts[0])
    return out, out_intercepts


def _enet_direct(X, y, alpha, l1_ratio, *, fit_intercept, tol, max_iter, penalty, coef_init, sample_weight=None):
    """ElasticNet without L1 term, solved exactly: least squares (``alpha=0``) or Ridge (``l1_ratio=0``).

    ``(1/(2Σs))Σ sᵢrᵢ² + (α/2)Σbⱼwⱼ²`` is the generalized Ridge
    ``Σ sᵢrᵢ² + α·Σs·Σbⱼwⱼ²`` (``b`` the penalty's L2 weights; features left
    out stay 0). The penalty must have no finite bound.
    Coordinate descent converges slowly on these (flat directions near
    rank deficiency), and its duality gap then certifies the objective, not
    the coefficients; the direct solvers give both. Returns the values of
    :func:`fastreg.solvers.cd.enet_coordinate_descent`, the gap measured at
    the solution.
    """
    factors = None if penalty is None or penalty.uniform else penalty.l2_factors()
    if alpha == 0.0 and factors is None:
        coef, intercept = lstsq_solve(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
        n_iter = 1
    else:
        total = X.shape[0] if sample_weight is None else float(np.sum(sample_weight))
        fit = ridge_fit(
            X, y, alpha * total, fit_intercept=fit_intercept, solver="auto", sample_weight=sample_weight,
            penalty_factor=factors,
        )
        coef, intercept = fit.coef, fit.intercept
        n_iter = 1 if fit.n_iter is None else max(int(np.max(fit.n_iter)), 1)
    gaps = _enet_gaps(X, y, coef, intercept, alpha, sample_weight, penalty, fit_intercept)
    if y.ndim == 1:
        return coef, intercept, gaps[0], n_iter, True
    return coef, intercept, gaps, [n_iter] * y.shape[1], np.ones(y.shape[1], dtype=bool)


def _enet_gaps(X, y, coef, intercept, alpha, sample_weight, penalty=None, fit_intercept=True):
    """Duality gaps (over ``n``) of the L1-free ElasticNet at ``coef`` (``l2 = nα``), one per target.

    Without intercept nothing is centered (the dual point is the residual of ``y`` itself).
    """
    n, p = X.shape
    W = np.atleast_2d(coef)
    Y = y[:, None] if y.ndim == 1 else y
    s = np.ones(n) if sample_weight is None else sample_weight * (n / float(np.sum(sample_weight)))
    R = Y - np.asarray(X @ W.T).reshape(n, -1) - np.atleast_1d(intercept)  # (n, k)
    y_mean = (s @ Y) / n if fit_intercept else np.zeros(Y.shape[1])
    Yc = Y - y_mean
    SR = R * s[:, None]
    x_mean = np.asarray(X.T @ s, dtype=np.float64).ravel() / n if fit_intercept else np.zeros(p)
    XtR = np.asarray(X.T @ SR, dtype=np.float64).reshape(-1, Y.shape[1]) - np.outer(x_mean, SR.sum(axis=0))
    penalty = Penalty.uniform_of(p) if penalty is None else penalty
    return np.array([
        penalty.gap(float(SR[:, k] @ R[:, k]), float(SR[:, k] @ Yc[:, k]), XtR[:, k], W[k], 0.0, n * alpha,
                    np.zeros(p)) / n
        for k in range(Y.shape[1])
    ])


def _enet_gd(X, y, alpha, l1_ratio, *, fit_intercept, tol, max_iter, penalty, coef_init):
    """The seed's loop as an ElasticNet solver (``l1_ratio`` 1 or 0), its gap measured at the end.

    The seed descends ``(1/2n)‖r‖² + (λ/n)‖w‖₁`` (L1) or ``+ (λ/2n)‖w‖²`` (L2):
    scikit-learn's objective with ``λ = nα``. It always starts from zero.
    """
    if penalty.positive:
        raise ValueError("solver='gd' (the seed's loop) does not support positive=True; use 'cd' or 'fista'")
    n = X.shape[0]
    loop = "l1" if l1_ratio == 1.0 else "l2"
    tol_grad = None if loop == "l1" else tol * max(float(np.std(y)), np.finfo(float).tiny)
    theta, n_iter = seed_gradient_descent(
        X,
        y,
        penalty=loop,
        lambda_=n * alpha,
        learning_rate="auto",
        iterations=max_iter,
        fit_intercept=fit_intercept,
        tol=tol_grad,
    )
    coef = theta[1:]
    op = CenteredPass(X, y, fit_intercept)  # the gap at coef, from one fused pass (as FISTA's)
    gap, _ = op.gap(coef, n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio), penalty)
    intercept = theta[0] if fit_intercept else 0.0
    return coef, intercept, gap / n, n_iter, gap <= tol * op.y_norm2


_ENET_SOLVERS = {
    "auto": None, "cd": enet_coordinate_descent, "gram": enet_gram_solve, "fista": enet_fista, "gd": _enet_gd,
}
_ENET_SOLVERS_ALL = {**_ENET_SOLVERS, "direct": _enet_direct, "fista_targets": _enet_fista_targets}


@register
class Lasso(ElasticNet):
    """Lasso, ``(1/2n)‖y − Xw − b‖² + α‖w‖₁``: exact zeros for unused features.

    Parameters and attributes are those of :class:`ElasticNet` without
    ``l1_ratio`` (fixed at 1).
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        copy_X=True,
        max_iter=10_000,
        tol=1e-9,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        standardize=False,
        relax=None,
    ):
        super().__init__(
            alpha=alpha,
            l1_ratio=1.0,
            fit_intercept=fit_intercept,
            precompute=precompute,
            max_iter=max_iter,
            copy_X=copy_X,
            tol=tol,
            warm_start=warm_start,
            positive=positive,
            random_state=random_state,
            selection=selection,
            solver=solver,
            penalty_factor=penalty_factor,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            standardize=standardize,
            relax=relax,
        )

    def _l1_ratio(self):
        return 1.0
