"""Generated example data in the spirit of the seed document.

The seed explains Lasso with a house-price model in which an "owner's shoe
size" column is useless and should be thrown out. :func:`make_house_prices`
generates exactly that kind of table: a few features that drive the price and
many that do not.
"""

import numpy as np

__all__ = ["make_house_prices", "HOUSE_PRICE_COEF", "INFORMATIVE_FEATURES"]

#: True price effect (thousands per unit of the raw feature) of each informative
#: feature of :func:`make_house_prices`; every useless feature has effect 0.
HOUSE_PRICE_COEF = {
    "living_area_m2": 2.0,
    "bedrooms": 8.0,
    "bathrooms": 15.0,
    "age_years": -1.0,
    "distance_to_centre_km": -6.0,
    "has_garage": 20.0,
}

#: Names of the informative columns, in the order they appear in ``X``.
INFORMATIVE_FEATURES = tuple(HOUSE_PRICE_COEF)

_BASE_PRICE = 60.0

# Readable names for the useless columns after "owner_shoe_size"; any further
# useless columns are called noise_01, noise_02, ...
_USELESS_NAMES = (
    "owner_shoe_size",
    "owner_birth_month",
    "house_number",
    "front_door_colour_code",
    "mailbox_height_cm",
    "street_name_length",
    "neighbour_cat_count",
    "listing_weekday",
)


def _useless_names(n_useless):
    names = list(_USELESS_NAMES[:n_useless])
    names += [f"noise_{k:02d}" for k in range(1, n_useless - len(names) + 1)]
    return names


def _useless_column(name, rng, n):
    """One useless column with a plausible scale for its name."""
    if name == "owner_shoe_size":
        return np.round(rng.normal(41.0, 3.0, n) * 2) / 2  # EU sizes, half steps
    if name == "owner_birth_month":
        return rng.integers(1, 13, n).astype(float)
    if name == "house_number":
        return rng.integers(1, 250, n).astype(float)
    if name == "front_door_colour_code":
        return rng.integers(0, 8, n).astype(float)
    if name == "mailbox_height_cm":
        return np.round(rng.normal(110.0, 8.0, n), 1)
    if name == "street_name_length":
        return rng.integers(4, 25, n).astype(float)
    if name == "neighbour_cat_count":
        return rng.poisson(1.2, n).astype(float)
    if name == "listing_weekday":
        return rng.integers(0, 7, n).astype(float)
    return rng.normal(0.0, 1.0, n)


def make_house_prices(n_samples=2000, n_useless=20, noise=25.0, random_state=0, dtype=np.float64):
    """Generate a house-price regression problem with useless features.

    The price (in thousands) is linear in six informative features plus
    Gaussian noise; the useless features are drawn independently of the price.

    Parameters
    ----------
    n_samples : int, default=2000
        Number of houses (rows).
    n_useless : int, default=20
        Number of useless columns appended after the informative ones. The
        first is ``"owner_shoe_size"``, then a few other readable names, then
        ``"noise_01"``, ``"noise_02"``, ...
    noise : float, default=25.0
        Standard deviation of the price noise, in thousands.
    random_state : int, numpy.random.Generator or None, default=0
        Seed or generator; the same seed gives the same data.
    dtype : numpy dtype, default=numpy.float64
        Floating dtype of ``X`` and ``y``.

    Returns
    -------
    X : ndarray of shape (n_samples, 6 + n_useless)
        Raw (unstandardized) features: living area (m²), bedrooms,
        bathrooms, age (years), distance to the centre (km), garage (0/1),
        then the useless columns.
    y : ndarray of shape (n_samples,)
        Price in thousands.
    feature_names : list of str
        Column names of ``X``; the informative ones are
        :data:`INFORMATIVE_FEATURES`, with true effects :data:`HOUSE_PRICE_COEF`.

    Examples
    --------
    >>> X, y, names = make_house_prices(n_samples=100, n_useless=3)
    >>> X.shape, names[6]
    ((100, 9), 'owner_shoe_size')
    """
    n_samples = int(n_samples)
    n_useless = int(n_useless)
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}")
    if n_useless < 0:
        raise ValueError(f"n_useless must be non-negative, got {n_useless}")
    if not noise >= 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(random_state)
    n = n_samples

    area = np.clip(rng.normal(120.0, 40.0, n), 30.0, 400.0).round()
    bedrooms = np.clip(np.round(area / 35.0 + rng.normal(0.0, 0.7, n)), 1, 8)
    bathrooms = np.clip(np.round(area / 80.0 + rng.normal(0.0, 0.5, n)), 1, 5)
    age = rng.integers(0, 101, n).astype(float)
    distance = np.round(rng.gamma(2.0, 4.0, n), 1)
    garage = (rng.random(n) < 0.55).astype(float)
    informative = np.column_stack([area, bedrooms, bathrooms, age, distance, garage])

    names = list(INFORMATIVE_FEATURES) + _useless_names(n_useless)
    useless = [_useless_column(name, rng, n) for name in names[len(INFORMATIVE_FEATURES):]]
    X = np.column_stack([informative, *useless]) if useless else informative

    coef = np.array(list(HOUSE_PRICE_COEF.values()))
    y = _BASE_PRICE + informative @ coef + rng.normal(0.0, noise, n)
    return np.ascontiguousarray(X, dtype=dtype), y.astype(dtype), names
