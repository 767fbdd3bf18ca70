"""Recommendation engine: metrics against hand-computed cases, the split, seen items never recommended,
every model trains and is scored with the baselines, seeded runs reproduce, fold-in of a new user,
similar items, the map, safetensors export."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from dl_core import recommend
from dl_core.errors import InputError
from dl_core.recommend import metrics as M
from tests.recommend.conftest import tiny_config

# ---- metrics by hand -----------------------------------------------------------------------------


def _truth(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    r = [i for i, items in enumerate(rows) for _ in items]
    c = [j for items in rows for j in items]
    return sp.csr_matrix((np.ones(len(c)), (r, c)), shape=(len(rows), n_items))


def test_ranking_metrics_match_a_hand_computed_case():
    # user 0 holds out {1, 4}; list [1, 2, 3]: one hit at rank 1.
    # user 1 holds out {0, 2, 3, 5}; list [5, 4, 0]: hits at ranks 1 and 3.
    # user 2 holds out nothing: skipped.
    truth = _truth([[1, 4], [0, 2, 3, 5], []], n_items=10)
    recs = np.array([[1, 2, 3], [5, 4, 0], [7, 8, 9]])
    pop = np.linspace(0, 0.9, 10)
    m = M.ranking_metrics(recs, truth, n_items=10, popularity=pop)
    recall = (1 / 2 + 2 / 3) / 2  # hits / min(k, held out)
    d = [1 / math.log2(r + 1) for r in (1, 2, 3)]
    ndcg = (d[0] / (d[0] + d[1]) + (d[0] + d[2]) / sum(d)) / 2
    assert m["recall_at_k"] == pytest.approx(recall)
    assert m["ndcg_at_k"] == pytest.approx(ndcg)
    assert m["hit_rate"] == pytest.approx(1.0)
    assert m["coverage"] == pytest.approx(6 / 10)  # items 0-5; user 2 (nothing held out) does not count
    assert m["mean_popularity"] == pytest.approx(pop[[1, 2, 3, 5, 4, 0]].mean())


def test_coverage_counts_distinct_items_and_misses_lower_hit_rate():
    truth = _truth([[0], [1]], n_items=4)
    m = M.ranking_metrics(np.array([[2, 3], [2, 3]]), truth, n_items=4)
    assert m["recall_at_k"] == 0 and m["ndcg_at_k"] == 0 and m["hit_rate"] == 0
    assert m["coverage"] == pytest.approx(2 / 4)


def test_rating_metrics():
    m = M.rating_metrics(np.array([3.0, 4.0, 5.0]), np.array([4.0, 4.0, 3.0]))
    assert m["rmse"] == pytest.approx(math.sqrt((1 + 0 + 4) / 3))
    assert m["mae"] == pytest.approx(1.0)


def test_top_k_excludes_seen_items_and_pads_when_nothing_is_left():
    scores = np.array([[0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.4]], np.float32)
    seen = _truth([[0, 2], [0, 1, 2]], n_items=4)
    assert M.top_k(scores, 2, seen).tolist() == [[1, 3], [3, -1]]
    assert M.top_k(scores, 2).tolist() == [[0, 1], [3, 2]]


# ---- split ---------------------------------------------------------------------------------------

def test_holdout_takes_a_share_of_every_user_and_keeps_single_interaction_users(small):
    split = recommend.holdout(small, 0.2, "random", seed=0)
    assert len(split.train) + len(split.test) == len(small)
    per_user = np.bincount(small.users, minlength=small.n_users)
    held = np.bincount(split.test.users, minlength=small.n_users)
    assert np.all(np.abs(held - np.rint(0.2 * per_user)) <= 1) and held.min() >= 1
    pairs_train = set(zip(split.train.users, split.train.items))
    assert not pairs_train & set(zip(split.test.users, split.test.items))
    again = recommend.holdout(small, 0.2, "random", seed=0)
    assert np.array_equal(again.test.items, split.test.items)


def test_holdout_by_time_holds_out_each_users_latest(small):
    split = recommend.holdout(small, 0.2, "time", seed=0)
    for u in range(5):
        assert split.test.times[split.test.users == u].min() >= split.train.times[split.train.users == u].max()


def test_split_by_time_needs_a_time_column(small):
    implicit = small.rows(np.ones(len(small), bool))
    implicit.times = None
    with pytest.raises(InputError, match="time column"):
        recommend.holdout(implicit, 0.2, "time")


# ---- models --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bpr(small):
    return recommend.train_recommender(small, tiny_config(model="bpr", epochs=3, baselines=("popularity", "itemknn")))


def test_bpr_trains_scores_and_reports_the_baselines_on_the_same_split(bpr, small):
    assert set(bpr.metrics) >= {"recall_at_k", "ndcg_at_k", "hit_rate", "coverage", "mean_popularity", "seconds"}
    assert set(bpr.details["baselines"]) == {"popularity", "itemknn"}
    assert len(bpr.history) == 3 and "val_recall_at_k" in bpr.history[-1].metrics
    assert bpr.run_id and isinstance(bpr.model, recommend.Recommender)
    for values in [bpr.metrics, *bpr.details["baselines"].values()]:
        assert 0 <= values["recall_at_k"] <= 1 and 0 <= values["coverage"] <= 1
    # popularity recommends the same few items to everybody: its coverage is the lowest
    assert bpr.details["baselines"]["popularity"]["coverage"] < bpr.details["baselines"]["itemknn"]["coverage"]


def test_items_a_user_already_has_are_never_recommended(bpr):
    rec = bpr.model
    users = np.arange(rec.seen.shape[0])
    lists = rec.recommend(users, k=20)
    for u in users:
        assert not set(lists[u]) & set(rec.seen[u].indices)
    frame = recommend.top_k_frame(rec, users, k=5)
    had = {(rec.user_ids[u], rec.catalogue.item_ids[i]) for u in users for i in rec.seen[u].indices}
    assert not had & set(zip(frame["user"], frame["item"]))
    assert frame.groupby("user")["rank"].max().eq(5).all()


def test_a_seeded_run_reproduces_and_another_seed_differs(small):
    a = recommend.train_recommender(small, tiny_config(seed=3, baselines=()))
    b = recommend.train_recommender(small, tiny_config(seed=3, baselines=()))
    c = recommend.train_recommender(small, tiny_config(seed=4, baselines=()))
    assert np.array_equal(a.model.item_factors, b.model.item_factors)
    assert a.metrics["recall_at_k"] == b.metrics["recall_at_k"]
    assert not np.array_equal(a.model.item_factors, c.model.item_factors)


@pytest.mark.parametrize("model", ["two-tower", "mf", "popularity", "itemknn"])
def test_every_model_trains_and_is_scored(small, model):
    result = recommend.train_recommender(small, tiny_config(model=model, loss="softmax", negatives=64))
    assert 0 <= result.metrics["recall_at_k"] <= 1
    if model == "mf":
        assert 0.5 < result.metrics["rmse"] < 2.0 and result.model.predicts_ratings
    if model in recommend.DEEP:
        assert result.fit is not None and len(result.history) == 2


class _StopAfter:
    """Sets the cancel token at the end of epoch `n`, as a Stop click or a Ctrl-C would."""

    def __init__(self, token, n: int) -> None:
        self.token, self.n = token, n

    def on_batch_end(self, *args) -> None:
        pass

    def on_epoch_end(self, log, history, model) -> None:
        if log.epoch >= self.n:
            self.token.cancel()


@pytest.mark.parametrize("model", ["bpr", "mf"])
def test_a_cancelled_training_is_scored_with_the_epochs_done_and_stays_usable(small, model):
    from dl_core.training import CancelToken

    token, cfg = CancelToken(), tiny_config(model=model, epochs=5)
    result = recommend.train_recommender(small, cfg, callbacks=[_StopAfter(token, 2)], cancel=token)
    assert result.fit.cancelled and len(result.history) == 2 and result.run_id
    assert result.details["stopped"] == {"epochs_done": 2, "epochs": 5}
    assert recommend.stopped_label(result.details) == "stopped after 2 of 5 epochs"
    assert {"recall_at_k", "ndcg_at_k", "hit_rate", "coverage"} <= set(result.metrics)
    assert ("rmse" in result.metrics) == (model == "mf")
    assert 0 <= result.metrics["recall_at_k"] <= 1 and "popularity" in result.details["baselines"]
    assert recommend.metrics_table({model: result})[0]["model"].endswith("(stopped after 2 of 5 epochs)")
    assert len(recommend.recommend_for(result.model, {0: 5.0, 1: 4.0}, k=5)) == 5  # "For me" works with it
    # The page's path (its run cut off by the Stop click's rerun): the same network, scored by the engine
    # on the same split, gives the same numbers.
    again = recommend.score_stopped(small, cfg, result.model.net, result.history)
    assert again.run_id is None and again.details["stopped"] == result.details["stopped"]
    def drop(d):
        return {k: v for k, v in d.items() if k != "seconds"}

    assert drop(again.metrics) == drop(result.metrics)
    assert {n: drop(v) for n, v in again.details["baselines"].items()} == \
        {n: drop(v) for n, v in result.details["baselines"].items()}


def test_a_training_stopped_before_its_first_epoch_says_there_is_nothing_to_score(small, bpr):
    from dl_core.training import CancelToken

    assert bpr.details["stopped"] is None and recommend.stopped_label(bpr.details) == ""
    token = CancelToken()
    token.cancel()
    with pytest.raises(InputError, match="before its first epoch"):
        recommend.train_recommender(small, tiny_config(), cancel=token)
    with pytest.raises(InputError, match="before its first epoch"):
        recommend.score_stopped(small, tiny_config(), bpr.model.net, [])
    with pytest.raises(InputError, match="not trained in epochs"):
        recommend.score_stopped(small, tiny_config(model="popularity"), bpr.model.net, bpr.history)


def test_mf_needs_ratings(small):
    implicit = small.rows(np.ones(len(small), bool))
    implicit.ratings = None
    with pytest.raises(InputError, match="rating column"):
        recommend.train_recommender(implicit, tiny_config(model="mf"))


def test_als_is_a_baseline_when_installed_and_skipped_with_a_message_otherwise(small, monkeypatch):
    from dl_core.recommend import baselines

    if recommend.als_available():
        result = recommend.train_recommender(small, tiny_config(model="popularity", baselines=("als",)))
        assert 0 <= result.details["baselines"]["als"]["recall_at_k"] <= 1
    monkeypatch.setattr(baselines, "als_available", lambda: False)
    result = recommend.train_recommender(small, tiny_config(model="popularity", baselines=("popularity", "als")))
    assert "als" not in result.details["baselines"]
    assert any("implicit" in n for n in result.details["notices"])


@pytest.mark.parametrize("kw, match", [({"model": "svd"}, "model must be"), ({"dim": 1}, "embedding size"),
                                       ({"epochs": 0}, "epochs"), ({"lr": 5.0}, "learning rate"),
                                       ({"negatives": 500}, "negatives"), ({"test_share": 0.9}, "test share"),
                                       ({"k": 0}, "k must"), ({"weight_decay": -1.0}, "weight decay")])
def test_bad_settings_are_refused_with_the_valid_range(small, kw, match):
    with pytest.raises(InputError, match=match):
        recommend.train_recommender(small, tiny_config(**kw))


# ---- a new person --------------------------------------------------------------------------------

def _lists_overlap(a: list[recommend.Recommendation], b: np.ndarray) -> int:
    return len({r.item for r in a} & set(b.tolist()))


@pytest.mark.parametrize("model", ["bpr", "mf", "itemknn"])
def test_fold_in_of_a_known_users_ratings_finds_their_held_out_items_like_their_trained_vector(small, model):
    """Fold a user's training ratings in as if they were new: their recommendations should be about as
    good as the ones from the vector learned in training, and never contain what they rated."""
    cfg = tiny_config(model=model, epochs=10, dim=32, val_share=0.0, baselines=())
    result = recommend.train_recommender(small, cfg)
    rec, split = result.model, result.details["split"]
    counts = np.bincount(split.train.users, minlength=small.n_users)
    hits_new = hits_trained = 0
    for u in np.flatnonzero(counts <= 200)[:12]:
        mask = split.train.users == u
        ratings = dict(zip(split.train.items[mask].tolist(), split.train.ratings[mask].tolist()))
        held = set(split.test.items[split.test.users == u].tolist())
        new = recommend.recommend_for(rec, ratings, k=20)
        assert not {r.item for r in new} & set(ratings)
        hits_new += len({r.item for r in new} & held)
        hits_trained += len(set(rec.recommend(np.array([u]), k=20)[0].tolist()) & held)
    assert hits_new >= 0.6 * hits_trained and hits_new > 0


def test_fold_in_explains_with_a_liked_film_and_needs_no_training(bpr):
    rec = bpr.model
    cat = rec.catalogue
    star_wars = [i for i in range(rec.n_items) if "Star Wars" in cat.titles[i]][:2]
    ratings = {star_wars[0]: 5.0, star_wars[1]: 4.5, int(np.argmax(rec.popularity)): 1.0}
    before = rec.item_factors.copy()
    recs = recommend.recommend_for(rec, ratings, k=10)
    assert len(recs) == 10 and np.array_equal(rec.item_factors, before)
    assert not {r.item for r in recs} & set(ratings)
    assert {r.because for r in recs if r.because is not None} <= set(star_wars)  # only liked films explain


def test_no_ratings_gives_a_list_for_anybody_and_bad_ratings_are_refused(bpr):
    assert len(recommend.recommend_for(bpr.model, {}, k=5)) == 5
    with pytest.raises(InputError, match="not in the catalogue"):
        recommend.recommend_for(bpr.model, {10**7: 5.0})
    with pytest.raises(InputError, match="not a number"):
        recommend.recommend_for(bpr.model, {0: float("nan")})


def test_similar_items_and_the_embedding_map(bpr):
    rec = bpr.model
    top = int(np.argmax(rec.popularity))
    similar = recommend.similar_items(rec, top, k=5, min_count=2)
    assert len(similar) == 5 and top not in {s.item for s in similar}
    assert all(a.score >= b.score for a, b in zip(similar, similar[1:]))
    frame = recommend.embedding_map(rec, "pca", max_items=50, min_count=2)
    assert len(frame) == 50 and {"x", "y", "title", "genre"} <= set(frame.columns)
    assert frame["genre"].isin(set(rec.catalogue.genre_names) | {"unknown"}).all()
    tsne = recommend.embedding_map(rec, "tsne", max_items=30, min_count=2)
    assert len(tsne) == 30 and np.isfinite(tsne[["x", "y"]].to_numpy()).all()
    with pytest.raises(InputError, match="map method"):
        recommend.embedding_map(rec, "umap")


def test_the_safetensors_download_restores_the_same_recommendations(bpr):
    blob = recommend.to_bytes(bpr.model)
    back = recommend.from_bytes(blob)
    users = np.arange(10)
    assert np.array_equal(back.recommend(users, 10), bpr.model.recommend(users, 10))
    assert back.user_ids == bpr.model.user_ids and back.catalogue.item_ids == bpr.model.catalogue.item_ids
    assert any(k.startswith("net.") for k in __import__("safetensors.torch", fromlist=["load"]).load(blob))
    with pytest.raises(InputError):
        recommend.from_bytes(b"not a model")
