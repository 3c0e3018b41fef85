"""scikit-learn's estimator checks, every check, no expected failures.

Every public estimator is in ``ESTIMATORS`` (a test below enforces it).
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastreg

ESTIMATORS = [
    fastreg.LinearRegression(),
    fastreg.Ridge(),
    fastreg.Lasso(),
    fastreg.ElasticNet(),
    fastreg.RidgeCV(),
    fastreg.LassoCV(),
    fastreg.ElasticNetCV(),
]


# The path objects predict every α of the path by default, glmnet's predict(fit, newx): an
# (n_samples, n_alphas) array, where these two checks want (n_samples,). Everything else passes.
PATH_ESTIMATORS = [fastreg.LassoPath(alphas=5), fastreg.ElasticNetPath(alphas=5)]
_PATH_PREDICTS_EVERY_ALPHA = "predict(X) returns (n_samples, n_alphas): one column per alpha of the path"


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_checks(PATH_ESTIMATORS, expected_failed_checks=lambda est: {
    "check_estimator_sparse_array": _PATH_PREDICTS_EVERY_ALPHA,
    "check_estimator_sparse_matrix": _PATH_PREDICTS_EVERY_ALPHA,
})
def test_sklearn_compatible_path_estimator(estimator, check):
    check(estimator)


def test_every_public_estimator_is_checked():
    """A public estimator missing from ``ESTIMATORS`` fails here."""
    from sklearn.base import BaseEstimator

    public = {name for name in fastreg.__all__ if isinstance(getattr(fastreg, name), type)
              and issubclass(getattr(fastreg, name), BaseEstimator)}
    checked = {type(est).__name__ for est in ESTIMATORS + PATH_ESTIMATORS}
    assert public <= checked, f"add {sorted(public - checked)} to ESTIMATORS"


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_tags_declare_sparse_and_multi_output(estimator):
    """Every estimator takes sparse X and 2-D y (the CV estimators too: RidgeCV as
    scikit-learn's, LassoCV/ElasticNetCV as independent per-target fits)."""
    tags = estimator.__sklearn_tags__()
    assert tags.input_tags.sparse
    assert tags.target_tags.multi_output and tags.target_tags.single_output
