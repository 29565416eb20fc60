"""End to end with torch: a digits MLP trained by 1cycle through schedalg.torch, and by the lr
a range test suggests."""

from __future__ import annotations

import numpy as np
import pytest
from _digits import digits, epoch_batches

from schedalg import cosine
from schedalg.range_test import range_test_torch, suggest_lr

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from schedalg.torch import ParamScheduler, to_lambda_lr  # noqa: E402

BATCH = 32


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _mlp(seed: int = 0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def _accuracy(model, x, y) -> float:
    with torch.no_grad():
        return float((model(torch.as_tensor(x)).argmax(1).numpy() == y).mean())


def _loss(model, batch):
    x, y = batch
    return torch.nn.functional.cross_entropy(model(x), y)


def _epoch(x, y, seed):
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    return [(xt[i], yt[i]) for i in epoch_batches(len(x), BATCH, seed)]


def test_one_cycle_lr_and_momentum_through_param_scheduler():
    xtr, ytr, xte, yte = digits()
    epochs = 4
    steps = epochs * len(epoch_batches(len(xtr), BATCH, 0))
    up = int(0.3 * steps)
    peak = 0.3
    lr = cosine(peak / 25, peak, up) >> cosine(peak, peak / 25 / 1e4, steps - up)
    momentum = cosine(0.95, 0.85, up) >> cosine(0.85, 0.95, steps - up)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    sched = ParamScheduler(opt, {"lr": lr, "momentum": momentum})
    trace = []
    for epoch in range(epochs):
        for batch in _epoch(xtr, ytr, seed=epoch):
            g = opt.param_groups[0]
            trace.append((g["lr"], g["momentum"]))
            opt.zero_grad()
            _loss(model, batch).backward()
            opt.step()
            sched.step()
    assert len(trace) == steps
    assert trace == [(lr(k), momentum(k)) for k in range(steps)]
    # lr and momentum move in opposition: peak lr meets the lowest momentum.
    k_peak = int(np.argmax([t[0] for t in trace]))
    assert k_peak == up and trace[k_peak][1] == pytest.approx(0.85)
    assert _accuracy(model, xte, yte) >= 0.95


def test_range_test_suggestion_trains_the_mlp():
    xtr, ytr, xte, yte = digits()
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = [p.detach().clone() for p in model.parameters()]
    batches = _epoch(xtr, ytr, 100) + _epoch(xtr, ytr, 101)
    lrs, losses = range_test_torch(model, opt, _loss, batches, start=1e-5, end=10.0, steps=100)
    # The sweep stopped at divergence, and everything was put back.
    assert 20 < len(lrs) < 100 and lrs[-1] < 10.0
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert opt.state_dict()["state"] == {} and opt.param_groups[0]["lr"] == 1e-3
    lr = suggest_lr(lrs, losses, method="steepest")
    assert 1e-4 < lr < 1.0
    # Train a fresh copy for 3 epochs at the suggested lr, held constant via to_lambda_lr.
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=123.0)
    sched = to_lambda_lr(opt, lr)
    for epoch in range(3):
        for batch in _epoch(xtr, ytr, seed=epoch):
            assert opt.param_groups[0]["lr"] == lr
            opt.zero_grad()
            _loss(model, batch).backward()
            opt.step()
            sched.step()
    assert _accuracy(model, xte, yte) >= 0.90
