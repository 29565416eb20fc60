"""schedalg.lightning against a real ``lightning.Trainer`` (tiny model, CPU).

Expected lrs come from the formulas written by hand and, for the plateau, from torch's own
``ReduceLROnPlateau`` fed the same metrics; the run's length from the data by hand.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import Logger

import schedalg as sa
from schedalg.lightning import ReportPlateau, optimizer_config
from schedalg.plateau import reduce_on_plateau

pytestmark = [
    pytest.mark.slow,  # real Trainer runs of a few dozen updates; CI runs them
    # Lightning 2.6 calls a torch pytree API that torch 2.13 deprecates; not ours to fix.
    pytest.mark.filterwarnings(
        r"ignore:.*isinstance\(treespec, LeafSpec\). is deprecated:FutureWarning"
    ),
    # the resumed run writes its checkpoints next to the one it resumes from, on purpose
    pytest.mark.filterwarnings(
        r"ignore:Checkpoint directory .* exists and is not empty:UserWarning"
    ),
]

PEAK = 0.1
SHAPE = sa.linear_ramp(0.0, PEAK, 1) >> sa.cosine(PEAK, 0.0, 5)  # warmup: the first 1/6


def _by_hand(k: int, total: int) -> float:
    w = total / 6
    if k < w:
        return PEAK * k / w
    return PEAK * (1 + math.cos(math.pi * (k - w) / (total - w))) / 2


class _Memory(Logger):
    def __init__(self) -> None:
        super().__init__()
        self.lr: dict[int, float] = {}

    @property
    def name(self) -> str:
        return "memory"

    @property
    def version(self) -> int:
        return 0

    def log_hyperparams(self, *args, **kwargs) -> None:
        pass

    def log_metrics(self, metrics, step=None) -> None:
        if "lr" in metrics:
            self.lr[step] = metrics["lr"]


class _Model(L.LightningModule):
    def __init__(self, plateau=None, val=(1.0, 1.0)) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 1)
        self.plateau = plateau
        self.val = val  # the validation metric of each epoch, chosen to make plateaus
        self.used: list[float] = []

    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.mse_loss(self.net(x), y)

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.val[self.current_epoch])

    def on_before_optimizer_step(self, optimizer):
        self.used.append(optimizer.param_groups[0]["lr"])  # the lr of this update

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=PEAK)
        return optimizer_config(opt, SHAPE, self.trainer, plateau=self.plateau, name="lr")


def _loader() -> torch.utils.data.DataLoader:
    g = torch.Generator().manual_seed(0)
    data = torch.utils.data.TensorDataset(
        torch.randn(22, 4, generator=g), torch.randn(22, 1, generator=g)
    )
    return torch.utils.data.DataLoader(data, batch_size=2)


def _trainer(ckpt_dir, epochs, logger=False, callbacks=()) -> L.Trainer:
    save = ModelCheckpoint(dirpath=ckpt_dir, every_n_epochs=1, save_top_k=-1, filename="{epoch}")
    return L.Trainer(
        max_epochs=epochs,
        accumulate_grad_batches=2,
        logger=logger,
        log_every_n_steps=1,
        callbacks=[*callbacks, save],
        limit_val_batches=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        devices=1,
    )


def test_lr_monitor_sees_the_fitted_shape_and_a_resume_continues_exactly(tmp_path):
    # 22 samples / batch 2 = 11 batches an epoch; accumulating 2: 6 updates, 2 epochs: 12
    total = 12
    memory = _Memory()
    model = _Model()
    _trainer(tmp_path, 2, memory, [LearningRateMonitor("step")]).fit(model, _loader(), _loader())
    s = sa.fit(SHAPE, total)
    assert model.used == [s(k) for k in range(total)]  # the same floats
    for k, lr in enumerate(model.used):
        assert math.isclose(lr, _by_hand(k, total), rel_tol=1e-12, abs_tol=1e-18), k
    assert model.used[2] == PEAK
    assert memory.lr == {k: s(k) for k in range(total)}  # LearningRateMonitor, step k

    resumed = _Model()
    trainer = _trainer(tmp_path, 2)
    trainer.fit(resumed, _loader(), _loader(), ckpt_path=str(tmp_path / "epoch=0.ckpt"))
    assert resumed.used == model.used[6:]
    for a, b in zip(resumed.parameters(), model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_plateau_scales_the_schedule_and_survives_a_resume(tmp_path):
    val = [1.0, 1.0, 1.0, 0.5]  # no improvement after epochs 1 and 2
    rule = reduce_on_plateau(factor=0.5, patience=0)
    total = 24
    # the peer: torch's ReduceLROnPlateau given the same metrics, one per epoch
    peer_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    peer = torch.optim.lr_scheduler.ReduceLROnPlateau(peer_opt, factor=0.5, patience=0)
    scale = []  # the multiplier in force during each epoch
    for v in val:
        scale.append(peer_opt.param_groups[0]["lr"])
        peer.step(v)
    assert scale == [1.0, 1.0, 0.5, 0.25]
    s = sa.fit(SHAPE, total)
    want = [s(k) * scale[k // 6] for k in range(total)]

    model = _Model(rule, val)
    _trainer(tmp_path, 4, callbacks=[ReportPlateau("val_loss")]).fit(model, _loader(), _loader())
    assert model.used == want

    # The checkpoint of epoch 1 holds the report of epoch 1's validation: epoch 2 resumes
    # at scale 0.5. (Lightning's "reduce_on_plateau" route reports after that checkpoint.)
    resumed = _Model(rule, val)
    trainer = _trainer(tmp_path, 4, callbacks=[ReportPlateau("val_loss")])
    trainer.fit(resumed, _loader(), _loader(), ckpt_path=str(tmp_path / "epoch=1.ckpt"))
    assert resumed.used == want[12:]


def test_plateau_without_the_reporting_callback_is_refused(tmp_path):
    model = _Model(reduce_on_plateau(), [1.0])
    with pytest.raises(ValueError, match=r"optimizer_config\(\): plateau= needs .*ReportPlateau"):
        _trainer(tmp_path, 1).fit(model, _loader(), _loader())


def test_relative_and_a_function_of_the_length():
    trainer = SimpleNamespace(estimated_stepping_batches=4, callbacks=[])
    opt = torch.optim.SGD(
        [
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.5},
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.25},
        ]
    )
    conf = optimizer_config(
        opt, sa.linear_ramp(0.0, 1.0, 1) >> sa.hold(1.0, 1), trainer, relative=True
    )
    sched = conf["lr_scheduler"]["scheduler"]
    seen = []
    for _ in range(5):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    assert seen == [[0.5 * m, 0.25 * m] for m in (0.0, 0.5, 1.0, 1.0, 1.0)]

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    conf = optimizer_config(opt, lambda n: sa.linear_ramp(1.0, 0.0, n), trainer)
    assert conf["lr_scheduler"]["scheduler"].get_last_lr() == [1.0]
    assert opt.param_groups[0]["lr"] == 1.0


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"trainer": SimpleNamespace(estimated_stepping_batches=math.inf)}, ValueError, "got inf"),
        ({"trainer": SimpleNamespace(estimated_stepping_batches=-1)}, ValueError, "got -1"),
        ({"trainer": object()}, TypeError, "trainer must be a Lightning Trainer"),
        ({"schedule": sa.hold(0.1)}, ValueError, "finite"),
        ({"relative": "yes"}, TypeError, "relative='yes'"),
        ({"plateau": 0.5}, TypeError, "plateau=0.5"),
    ],
)
def test_optimizer_config_errors(kw, error, match):
    args = {
        "trainer": SimpleNamespace(estimated_stepping_batches=10, callbacks=[]),
        "schedule": SHAPE,
        **kw,
    }
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(error, match=f"optimizer_config.*{match}"):
        optimizer_config(opt, args.pop("schedule"), args.pop("trainer"), **args)
