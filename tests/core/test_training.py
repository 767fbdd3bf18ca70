"""The shared fit loop: it learns, reports through callbacks, stops early, cancels, restores best."""

import math

import pytest
import torch
from torch import nn

from dl_core import training
from dl_core.errors import InputError


def _blobs(n=400, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return x, y


def _model():
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))


class Recorder:
    def __init__(self, cancel_after_batches=None, token=None):
        self.batches, self.epochs = [], []
        self.cancel_after, self.token = cancel_after_batches, token

    def on_batch_end(self, epoch, batch, batches, loss):
        self.batches.append((epoch, batch, batches, loss))
        if self.cancel_after and len(self.batches) >= self.cancel_after:
            self.token.cancel()

    def on_epoch_end(self, log, history, model):
        self.epochs.append(log)
        assert history[-1] is log


def test_fit_learns_and_reports():
    x, y = _blobs()
    rec = Recorder()
    cfg = training.TrainConfig(epochs=15, lr=0.02, batch_size=32, seed=1, device="cpu")
    r = training.fit(_model(), (x[:300], y[:300]), (x[300:], y[300:]), config=cfg,
                     evaluate=training.classification_metrics, callbacks=[rec])
    assert len(r.history) == 15 and len(rec.epochs) == 15
    assert rec.batches[0][2] == math.ceil(300 / 32)
    assert r.history[-1].train_loss < r.history[0].train_loss
    assert r.history[-1].metrics["val_accuracy"] > 0.9
    assert not r.cancelled and not r.stopped_early
    assert list(r.frame().columns)[:3] == ["epoch", "epochs", "train_loss"]


def test_same_seed_same_result():
    x, y = _blobs()
    cfg = training.TrainConfig(epochs=3, lr=0.01, seed=7, device="cpu")
    a = training.fit(_model_seeded(7), (x, y), config=cfg)
    b = training.fit(_model_seeded(7), (x, y), config=cfg)
    assert a.history[-1].train_loss == pytest.approx(b.history[-1].train_loss, rel=1e-6)


def _model_seeded(seed):
    torch.manual_seed(seed)
    return _model()


def test_early_stopping_restores_best_weights():
    x, y = _blobs()
    # A validation set with flipped labels gets worse as the model learns: patience must stop it.
    cfg = training.TrainConfig(epochs=50, lr=0.05, patience=3, seed=0, device="cpu")
    model = _model()
    r = training.fit(model, (x, y), (x, 1 - y), config=cfg, evaluate=training.classification_metrics)
    assert r.stopped_early and len(r.history) < 50
    best = min(r.history, key=lambda h: h.val_loss)
    assert r.best_epoch == best.epoch
    again = training.classification_metrics(model, training.make_loader((x, 1 - y), 512, False, 0))
    assert again["val_loss"] == pytest.approx(best.val_loss, rel=1e-4)


def test_cancel_stops_within_the_epoch():
    x, y = _blobs()
    token = training.CancelToken()
    rec = Recorder(cancel_after_batches=5, token=token)
    cfg = training.TrainConfig(epochs=100, batch_size=16, device="cpu")
    r = training.fit(_model(), (x, y), config=cfg, callbacks=[rec], cancel=token)
    assert r.cancelled and len(rec.batches) == 5 and len(r.history) <= 1


def test_custom_batch_loss_for_unsupervised_models():
    x, _ = _blobs()
    ae = nn.Sequential(nn.Linear(2, 1), nn.Linear(1, 2))

    def recon(model, batch):
        return nn.functional.mse_loss(model(batch[0]), batch[0])

    r = training.fit(ae, (x,), (x,), config=training.TrainConfig(epochs=10, lr=0.05, device="cpu"),
                     batch_loss=recon)
    assert r.history[-1].val_loss < r.history[0].val_loss


def test_divergence_is_reported():
    x, y = _blobs()
    x[0, 0] = float("nan")
    r = training.fit(_model(), (x, y), config=training.TrainConfig(epochs=5, device="cpu", batch_size=1000,
                                                                   grad_clip=None))
    assert r.diverged and len(r.history) == 1


@pytest.mark.parametrize("bad", [{"epochs": 0}, {"lr": 0}, {"lr": float("nan")}, {"batch_size": 0},
                                 {"patience": 0}])
def test_bad_config_is_refused(bad):
    with pytest.raises(InputError):
        training.fit(_model(), _blobs(), config=training.TrainConfig(device="cpu", **bad))


def test_empty_data_refused():
    with pytest.raises(InputError, match="no data"):
        training.fit(_model(), (torch.zeros(0, 2), torch.zeros(0).long()),
                     config=training.TrainConfig(device="cpu"))


@pytest.mark.gpu
def test_fit_on_gpu_with_autocast():
    x, y = _blobs()
    r = training.fit(_model(), (x, y), (x, y), config=training.TrainConfig(epochs=5, lr=0.02, device="cuda"),
                     evaluate=training.classification_metrics)
    assert r.history[-1].metrics["val_accuracy"] > 0.85


@pytest.mark.gpu
def test_seeded_fits_on_gpu_reproduce_and_the_queue_is_used():
    from dl_core import training_queue

    def run(seed):
        x, y = _blobs()
        with training.seeded(seed):
            model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 32), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                                        torch.nn.Linear(32, 2))
        training.fit(model, (x, y), config=training.TrainConfig(epochs=3, seed=seed, device="cuda",
                                                                mixed_precision=False))
        return {k: v.detach().cpu() for k, v in model.state_dict().items()}

    a, b, c = run(0), run(0), run(1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["0.weight"], c["0.weight"])
    assert training_queue.get().state().running == 0  # the slot was given back


def test_tensor_batches_are_the_batches_a_random_sampler_gave_for_the_seed():
    """make_loader draws index tensors, not a Python int per row; a seed must still give, epoch after
    epoch, the very batches BatchSampler(RandomSampler) gave (and so the same trained models)."""
    import torch
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

    rows = torch.arange(1000)
    ours = training.make_loader((rows,), 64, True, 7)
    gen = torch.Generator().manual_seed(7)
    data = TensorDataset(rows)
    theirs = DataLoader(data, sampler=BatchSampler(RandomSampler(data, generator=gen), 64, drop_last=False),
                        batch_size=None, generator=gen)
    for _ in range(3):  # epochs: the generator's state carries over
        got, want = [b[0] for b in ours], [b[0] for b in theirs]
        assert len(got) == len(want) == len(ours) == 16
        assert all(torch.equal(g, w) for g, w in zip(got, want))
    in_order = [b[0] for b in training.make_loader((rows,), 300, False, 7)]
    assert [len(b) for b in in_order] == [300, 300, 300, 100] and torch.equal(torch.cat(in_order), rows)
