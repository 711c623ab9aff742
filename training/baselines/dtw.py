"""1-nearest-neighbour DTW on the raw multichannel tries (dtaidistance, its C backend).

Dependent multi-dimensional DTW (one warping path for all channels, Euclidean per step),
no window constraint, no rejection: every try is given its nearest training try's class.
"""

from __future__ import annotations

import numpy as np


def fit_predict(train: list[np.ndarray], labels: list[int], test: list[np.ndarray]) -> np.ndarray:
    from dtaidistance import dtw_ndim

    series = [np.ascontiguousarray(s, dtype=np.double) for s in list(train) + list(test)]
    n = len(train)
    # Only the train x test block: block=((rows), (cols)) of the full matrix.
    d = dtw_ndim.distance_matrix_fast(series, block=((0, n), (n, len(series))), compact=False)
    d = np.asarray(d)[:n, n:]
    return np.asarray(labels)[np.argmin(d, axis=0)]
