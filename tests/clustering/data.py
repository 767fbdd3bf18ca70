"""Small data sets the clustering tests share."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


def blobs_frame(n: int = 150, seed: int = 0) -> pd.DataFrame:
    """Three well-separated blobs in columns a, b; a text column `name`; the true group in `group`."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=n, centers=3, cluster_std=0.6, random_state=seed)
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "name": [f"row{i}" for i in range(n)],
                         "group": np.array(["x", "y", "z"])[y]})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


def duplicate_header_csv(n: int = 90) -> bytes:
    """`a,a ,b`: two columns called `a` once spaces are trimmed (issue 12, finding 13)."""
    frame = blobs_frame(n)
    rows = "\n".join(f"{a:.4f},{b:.4f},{a + b:.4f}" for a, b in zip(frame["a"], frame["b"]))
    return ("a,a ,b\n" + rows + "\n").encode()
