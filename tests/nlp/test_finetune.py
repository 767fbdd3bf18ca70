"""Fine-tuning the encoder's top layers: one engine call that trains, tests beside the frozen model
and the baseline, and logs; the shared encoder is never changed."""

from __future__ import annotations

import pytest
import torch

from dl_core import nlp, tracking
from dl_core.errors import InputError

TINY_FT = nlp.FinetuneConfig(steps_per_epoch=2, epochs=1, batch_size=8, val_size=16)


@pytest.mark.slow
def test_finetune_top_layers_runs_reports_and_logs(model):
    before = [p.detach().clone() for p in model.encoder.model.parameters()]
    trained = nlp.train_finetuned_encoder(nlp.load_review_set(model.n_reviews), TINY_FT, base=model, caller="cli")
    report = trained.details["report"]
    assert report["steps"] == 2 and len(trained.history) == 1
    assert report["frozen_test_accuracy"] == pytest.approx(nlp.saved_report()["test_accuracy"])
    assert report["baseline_accuracy"] == pytest.approx(nlp.saved_report()["baseline_accuracy"])
    assert trained.metrics["test_accuracy"] == report["test_accuracy"]
    # Two steps at lr 3e-5 barely move the model: it stays close to the frozen one it started from.
    assert abs(report["test_accuracy"] - report["frozen_test_accuracy"]) <= 0.1
    assert all(torch.equal(a, b) for a, b in zip(before, model.encoder.model.parameters()))  # shared encoder intact
    tuned = trained.model.encoder.model
    assert tuned is not model.encoder.model
    last = tuned.encoder.layer[-1].output.dense.weight
    assert not torch.equal(last, model.encoder.model.encoder.layer[-1].output.dense.weight)  # it did train
    assert trained.model.predict(["A wonderful film."])[0].label == "positive"
    run = tracking.client().get_run(trained.run_id)
    assert run.data.params["layers"] == "2" and run.data.tags["dlx.source"] == "cli"
    assert run.data.metrics["final_test_accuracy"] == pytest.approx(report["test_accuracy"])


def test_bad_finetune_configs_are_refused(model):
    reviews = nlp.load_review_set(100)
    for bad, word in ((nlp.FinetuneConfig(layers=9), "layers"), (nlp.FinetuneConfig(lr=1.0), "learning rate"),
                      (nlp.FinetuneConfig(max_length=2), "Max length"), (nlp.FinetuneConfig(epochs=0), "Epochs")):
        with pytest.raises(InputError, match=word):
            nlp.train_finetuned_encoder(reviews, bad, base=model)
