"""Why a row was flagged: integrated gradients (captum) from an average normal row to this one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InputError
from .data import FraudData
from .scorers import Scorer

if TYPE_CHECKING:
    import pandas as pd


def explain(scorer: Scorer, data: FraudData, row: int, n_steps: int = 32) -> "pd.DataFrame":
    """Integrated-gradients attributions (captum) for test row `row`: how much each original column
    pushed the fraud score (MLP: the logit; autoencoder: the reconstruction error) away from an average
    normal transaction. One-hot columns are summed back into their original column."""
    import pandas as pd
    import torch

    from .. import explain as attributions

    if not scorer.is_torch:
        raise InputError(f"Attributions are computed for the neural networks (MLP, autoencoder), not {scorer.name}.")
    if not 0 <= row < len(data.X_test):
        raise InputError(f"Row {row} is not in the test split (0 to {len(data.X_test) - 1}).")
    model = scorer.model.eval()
    dev = next(model.parameters()).device
    x = torch.from_numpy(data.X_test[row:row + 1]).to(dev)  # (1, F)
    base = torch.from_numpy(data.X_train[data.y_train == 0].mean(0, keepdims=True)).to(dev)  # (1, F)
    if scorer.name == "mlp":
        forward = model
    else:
        def forward(z):
            return ((model(z) - z) ** 2).mean(-1)
    attr = attributions.integrated_gradients(forward, x, baseline=base, n_steps=n_steps)[0]  # (F,)
    original = data.test_rows.iloc[row]
    rows = [{"feature": name, "value": original.get(name), "attribution": float(attr[ix].sum())}
            for name, ix in data.preprocessor.groups()]
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(str)
    return frame.reindex(frame["attribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)
