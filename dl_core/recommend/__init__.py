"""Recommendations: learn tastes from who rated what, recommend items, fold in a new person.

    from dl_core import recommend
    data = recommend.load_movielens()
    result = recommend.train_recommender(data, recommend.RecommenderConfig(model="bpr"))
    result.metrics, result.details["baselines"]                  # recall@k, NDCG@k, ... vs popularity, item-kNN
    recs = recommend.recommend_for(result.model, {item: 5.0, other: 4.0}, k=10)   # a new person, at once
    # Stop: a set `cancel` token ends training after the batch, and the partly trained model is scored
    # all the same (details["stopped"]); a page whose run was cut off scores its net with score_stopped.

Modules: data (MovieLens, CSVs), split (per-user hold-out), models (torch networks and losses),
baselines (popularity, item-kNN, ALS), metrics, recommender (the trained-model object), train (the
engine call), foldin (new users, similar items, the embedding map), export (safetensors, top-k CSV).
"""

from .baselines import als_available
from .data import (
    MAX_ITEMS,
    MAX_ROWS,
    MAX_USERS,
    MOVIELENS_CARD,
    Catalogue,
    Interactions,
    guess_columns,
    load_movielens,
    read_interactions,
    read_table,
)
from .export import from_bytes, to_bytes, top_k_frame
from .foldin import Recommendation, embedding_map, fold_in, recommend_for, similar_items
from .metrics import ranking_metrics, rating_metrics, top_k
from .recommender import LABELS, Recommender
from .split import Split, given, holdout
from .train import (
    BASELINES,
    DEEP,
    DEFAULT_NEGATIVES,
    DEFAULT_WEIGHT_DECAY,
    MODELS,
    RecommenderConfig,
    metrics_table,
    score_stopped,
    stopped_label,
    train_recommender,
)

__all__ = [
    "BASELINES", "DEEP", "DEFAULT_NEGATIVES", "DEFAULT_WEIGHT_DECAY", "LABELS",
    "MAX_ITEMS", "MAX_ROWS", "MAX_USERS", "MODELS", "MOVIELENS_CARD",
    "Catalogue", "Interactions", "Recommendation", "Recommender", "RecommenderConfig", "Split",
    "als_available", "embedding_map", "fold_in", "from_bytes", "given", "guess_columns", "holdout",
    "load_movielens", "metrics_table", "ranking_metrics", "rating_metrics", "read_interactions", "read_table",
    "recommend_for", "score_stopped", "similar_items", "stopped_label", "to_bytes", "top_k", "top_k_frame",
    "train_recommender",
]
