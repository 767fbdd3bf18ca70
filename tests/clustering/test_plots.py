"""The grid picture: every panel's points and readable scores; colours for noise and clusters."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from dl_core import clustering as cl
from ui.clustering import plots


def test_grid_image_shows_each_panel_with_its_scores():
    from PIL import Image

    datasets, algorithms = ["blobs", "no-structure"], ["kmeans", "dbscan", "gmm"]
    grid = cl.comparison_grid(datasets, algorithms, n_samples=100)
    image = Image.open(io.BytesIO(plots.grid_image(grid, datasets, algorithms)))
    px = plots._px
    assert image.format == "PNG"
    assert image.size == (px(plots.LEFT + 2 * plots.PANEL_W + 4), px(plots.TOP + 3 * plots.PANEL_H + 4))
    pixels = np.asarray(image.convert("RGB"))
    blue = np.all(pixels == plots._rgb(plots.PALETTE[0]), axis=2)
    for i in range(3):  # every panel has points of the first cluster's colour in its upper part
        for j in range(2):
            x0, y0 = px(plots.LEFT + j * plots.PANEL_W), px(plots.TOP + i * plots.PANEL_H)
            upper = blue[y0:y0 + px(plots.PANEL_H - plots.CAPTION_H), x0:x0 + px(plots.PANEL_W)]
            assert upper.sum() > 50, (i, j)
    # The scores, in words: ARI and NMI where the data has true groups, silhouette where it has none.
    blobs_kmeans = next(c for c in grid.cells if (c.dataset, c.algorithm) == ("blobs", "kmeans"))
    assert plots.panel_caption(blobs_kmeans) == (f"ARI {blobs_kmeans.ari:.2f} · NMI {blobs_kmeans.nmi:.2f}",
                                                 f"{blobs_kmeans.seconds:.2f} s")
    no_structure = next(c for c in grid.cells if (c.dataset, c.algorithm) == ("no-structure", "kmeans"))
    assert plots.panel_caption(no_structure)[0].startswith("silhouette ")
    tiny = cl.Cell("blobs", "kmeans", np.zeros(3, dtype=int), 0.01, 1, ari=-0.001, nmi=0.0)
    assert plots.panel_caption(tiny)[0] == "ARI 0.00 · NMI 0.00"  # not "-0.00"


def test_caption_text_is_large_enough_to_read():
    """The scores were 9 px, too small to read; they are drawn at 13 px (in CSS pixels), and the
    default 6-column grid is narrow enough that Streamlit sends it without resizing it."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=plots._px(13))
    box = ImageDraw.Draw(Image.new("L", (10, 10))).textbbox((0, 0), "ARI 0.95", font=font)
    assert (box[3] - box[1]) / plots.SCALE >= 8  # cap height of 13 px type in Pillow's font: 8.5 px (9 px type: 6)
    assert plots.CAPTION_H >= 2 * 13 + 8  # two lines fit below the points
    assert plots._px(plots.LEFT + 6 * plots.PANEL_W + 4) <= 1460


def test_noise_and_cluster_colour_codes():
    labels = cl.fit_predict("dbscan", np.array([[0, 0], [0, 0.1], [9, 9]]), 1, {"eps": 0.5, "min_samples": 2})
    assert list(plots.colour_codes(labels)) == [1, 1, 0]  # noise is code 0 (grey)


def test_profiles_heatmap_colours_by_standard_deviations_and_labels_means():
    raw = pd.DataFrame({"x": [0.0, 0.0, 10.0, 10.0], "y": [1.0, 2.0, 3.0, 4.0]})
    labels = np.array([0, 0, 1, 1])
    option, height = plots.profiles_option(cl.profiles(raw, labels), cl.profile_scores(raw, labels))
    assert option["xAxis"]["data"] == ["cluster 0\n2 rows", "cluster 1\n2 rows"]
    assert option["yAxis"]["data"] == ["x", "y"]
    cells = {tuple(c[:2]): c for s in option["series"] for c in s["data"]}
    assert cells[(0, 0)][2:4] == [-1.0, "0"] and cells[(1, 0)][2:4] == [1.0, "10"]  # colour: sd; text: the mean
    assert len(cells) == 4 and all(s["label"]["show"] for s in option["series"]) and height > 0


def test_profiles_heatmap_writes_white_on_the_dark_cells():
    raw = pd.DataFrame({"x": [0.0] * 9 + [10.0], "y": [float(i % 2) for i in range(10)]})
    labels = np.array([0] * 9 + [1])  # cluster 1's x lies 3 sd above the mean: a dark red cell
    option, _ = plots.profiles_option(cl.profiles(raw, labels), cl.profile_scores(raw, labels))
    colour = {tuple(c[:2]): s["label"]["color"] for s in option["series"] for c in s["data"]}
    assert colour[(1, 0)] == "#fff" and colour[(0, 0)] != "#fff" and colour[(0, 1)] != "#fff"


def test_profiles_heatmap_keeps_the_columns_that_differ_most():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 10)  # more clusters than are labelled with numbers
    raw = pd.DataFrame(rng.normal(size=(100, 40)), columns=[f"c{i}" for i in range(40)])
    raw["c7"] += 5 * labels  # the one column that really tells the clusters apart
    option, _ = plots.profiles_option(cl.profiles(raw, labels), cl.profile_scores(raw, labels))
    rows = option["yAxis"]["data"]
    assert len(rows) == plots.PROFILE_ROWS and "c7" in rows
    assert rows == sorted(rows, key=lambda c: int(c[1:]))  # in the file's order
    assert option["xAxis"]["data"][0] == "0\n10"  # short names: every cluster keeps its own
    assert not any(s["label"]["show"] for s in option["series"])
    z = [c[2] for s in option["series"] for c in s["data"]]
    assert max(z) <= 2.5 and min(z) >= -2.5  # clipped to the colour bar's range


def test_column_names_go_into_markdown_as_written():
    from ui.clustering.table import _names

    assert _names(["**b**", "[x](y)", "a_b", 3]) == r"\*\*b\*\*, \[x\]\(y\), a\_b, 3"
