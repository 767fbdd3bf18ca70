"""The grid figure: one light trace for all panels, readable scores in every panel."""

from __future__ import annotations

from dl_core import clustering as cl
from ui.clustering import plots


def test_grid_figure_has_readable_scores_in_every_panel():
    grid = cl.comparison_grid(["blobs", "no-structure"], ["kmeans", "dbscan", "gmm"], n_samples=100)
    fig = plots.grid_figure(grid, ["blobs", "no-structure"], ["kmeans", "dbscan", "gmm"])
    assert len(fig.data) == 1 and len(fig.data[0].x) == 6 * 100  # one trace: cheap to build and resend
    captions = [a for a in fig.layout.annotations if "s" in a.text and "<br>" in a.text and a.xanchor == "right"
                and a.yanchor == "bottom"]
    assert len(captions) == 6
    assert all(a.font.size >= 13 for a in captions)  # was 9 px: too small to read
    blobs_kmeans = next(c for c in grid.cells if (c.dataset, c.algorithm) == ("blobs", "kmeans"))
    assert any(f"ARI {blobs_kmeans.ari:.2f}" in a.text and f"NMI {blobs_kmeans.nmi:.2f}" in a.text for a in captions)
    assert sum("silhouette" in a.text or "1 cluster" in a.text for a in captions) == 3  # no true groups there
    # Noise points get the grey code 0, clusters 1, 2, ...
    assert list(plots.colour_codes(cl.fit_predict("dbscan", [[0, 0], [0, 0.1], [9, 9]], 1,
                                                  {"eps": 0.5, "min_samples": 2}))) == [1, 1, 0]
