"""Synthetic classification data for the examples (no downloads): Gaussian clusters
in `n_in` dimensions, one per class, split into train/validation/test sets."""

from __future__ import annotations

import numpy as np


def make_dataset(
    n_in: int = 20, n_out: int = 4, n_samples: int = 3000, seed: int = 1234, spread: float = 2.5
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.0, (n_out, n_in))
    labels = rng.integers(0, n_out, n_samples)
    x = centers[labels] + rng.normal(0.0, spread, (n_samples, n_in)) / np.sqrt(n_in) * 3
    x = x.astype(np.float64)
    n_train, n_valid = n_samples * 3 // 5, n_samples // 5
    splits = (slice(0, n_train), slice(n_train, n_train + n_valid), slice(n_train + n_valid, None))
    return tuple((x[s], labels[s].astype(np.int32)) for s in splits)
