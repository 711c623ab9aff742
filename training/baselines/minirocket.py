"""MiniRocket features + ridge classifier (Dempster et al. 2021; aeon's implementation).

Fixed-length input (n, channels, length); the ridge penalty is chosen by leave-one-out
cross-validation on the training windows only (RidgeClassifierCV), as in the paper.
"""

from __future__ import annotations

import numpy as np


def fit_predict(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, seed: int) -> np.ndarray:
    from aeon.transformations.collection.convolution_based import MiniRocket
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    tr = MiniRocket(random_state=seed, n_jobs=1)
    f_train = tr.fit_transform(np.transpose(x_train, (0, 2, 1)).astype(np.float64))
    clf = make_pipeline(StandardScaler(with_mean=True), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
    clf.fit(f_train, y_train)
    return clf.predict(tr.transform(np.transpose(x_test, (0, 2, 1)).astype(np.float64)))


def fixed_length(tries: list[np.ndarray], length: int) -> np.ndarray:
    """Truncate, or pad with the last sample (the wand at rest after the stroke)."""
    out = np.zeros((len(tries), length, tries[0].shape[1]), np.float64)
    for i, t in enumerate(tries):
        n = min(len(t), length)
        out[i, :n] = t[:n]
        out[i, n:] = t[n - 1]
    return out
