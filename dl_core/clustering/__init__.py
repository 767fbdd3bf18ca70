"""Clustering: finding groups without labels. The public API the page, its views and the CLI use.

- `algorithms`: the twelve scikit-learn algorithms, their key parameters, fitting and scoring;
- `grid`: the 6 toy data sets x 12 algorithms comparison, panel by panel (cacheable), and the
  default grid saved once in the data folder;
- `tables`: a person's own table: read, prepare, cluster, scan k, profile;
- `texts`: lines of text embedded (MiniLM), k-means, typical terms and examples;
- `deep`: deep clustering on digits: `train_encoder`, the one call that trains, evaluates and logs.

Importing this package is cheap: scikit-learn and torch are imported inside the functions.
"""

from .algorithms import (
    ALGORITHMS,
    BASE_PARAMS,
    PARAMS,
    SLOW,
    SLOW_MAX_ROWS,
    USES_K,
    Param,
    canonical,
    fit_predict,
    make_estimator,
    n_found,
    optics_labels,
    own_params,
    scores,
)
from .deep import (
    DeepConfig,
    DigitsData,
    compare,
    embed,
    embedding_2d,
    evaluate_encoder,
    kmeans_scores,
    load_digits_data,
    train_encoder,
)
from .grid import (
    DATASETS,
    DEFAULT_N_SAMPLES,
    DEFAULT_NOISE,
    DEFAULT_SEED,
    TRUE_K,
    TUNED,
    Cell,
    Grid,
    Panel,
    comparison_grid,
    default_grid,
    fit_panel,
    load_default_grid,
    make_dataset,
    panels,
)
from .tables import (
    Clustering,
    Prepared,
    Scale,
    check_k,
    cluster_matrix,
    example_table,
    k_scan,
    numeric_columns,
    prepare,
    profile_scores,
    profiles,
    projection,
    read_table,
    run_csv,
    with_clusters,
)
from .texts import (
    MAX_LINES,
    LinesFile,
    TextClusters,
    cluster_texts,
    lines_of_column,
    read_lines_file,
    split_lines,
    typical_terms,
)

__all__ = [
    # algorithms
    "ALGORITHMS", "BASE_PARAMS", "PARAMS", "SLOW", "SLOW_MAX_ROWS", "USES_K", "Param", "canonical",
    "fit_predict", "make_estimator", "n_found", "optics_labels", "own_params", "scores",
    # comparison grid
    "DATASETS", "DEFAULT_N_SAMPLES", "DEFAULT_NOISE", "DEFAULT_SEED", "TRUE_K", "TUNED", "Cell", "Grid",
    "Panel", "comparison_grid", "default_grid", "fit_panel", "load_default_grid", "make_dataset", "panels",
    # your own table
    "Clustering", "Prepared", "Scale", "check_k", "cluster_matrix", "example_table", "k_scan",
    "numeric_columns", "prepare", "profile_scores", "profiles", "projection", "read_table", "run_csv", "with_clusters",
    # text lines
    "MAX_LINES", "LinesFile", "TextClusters", "cluster_texts", "lines_of_column", "read_lines_file",
    "split_lines", "typical_terms",
    # deep clustering
    "DeepConfig", "DigitsData", "compare", "embed", "embedding_2d", "evaluate_encoder", "kmeans_scores",
    "load_digits_data", "train_encoder",
]
