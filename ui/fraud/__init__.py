"""The fraud page's views: `data` (step 1), `train` (step 2: settings, Train, live curves), and the
result tabs `compare`, `threshold`, `explain`, `score`; `charts` draws their figures, `words` names
the two classes (fraud / normal, or a person's own label)."""
