"""schedalg.hf_trainer against a real ``transformers.Trainer`` (tiny model, CPU, offline).

The expected lrs are written from the formulas by hand, the run's length from the dataset
size, the batch size and the accumulation by hand; the Trainer decides the rest.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is downloaded: the model comes from a config

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, TrainerCallback, TrainingArguments

import schedalg as sa
from schedalg.hf_trainer import ScheduledTrainer, make_scheduler

PEAK = 1e-2
# warmup over the first 1/6 of the run, then a cosine to 0
SHAPE = sa.linear_ramp(0.0, PEAK, 1) >> sa.cosine(PEAK, 0.0, 5)


def _by_hand(k: int, total: int) -> float:
    w = total / 6
    if k < w:
        return PEAK * k / w
    return PEAK * (1 + math.cos(math.pi * (k - w) / (total - w))) / 2


class _Tokens(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        self.x = torch.randint(0, 16, (n, 8), generator=torch.Generator().manual_seed(0))

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.x[i], "labels": self.x[i]}


class _UsedLr(TrainerCallback):
    """The lr of each optimizer update, read from the optimizer right after it stepped."""

    def __init__(self) -> None:
        self.lrs: list[float] = []

    def on_optimizer_step(self, args, state, control, optimizer=None, **kwargs):
        self.lrs.append(optimizer.param_groups[0]["lr"])


def _model() -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=16, n_positions=8, n_embd=8, n_layer=1, n_head=2, bos_token_id=0, eos_token_id=0
    )
    return GPT2LMHeadModel(config)


def _args(out, **kw) -> TrainingArguments:
    base = dict(
        output_dir=str(out),
        per_device_train_batch_size=2,
        gradient_accumulation_steps=2,
        num_train_epochs=2,
        logging_steps=1,
        save_strategy="steps",
        save_steps=4,
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    base.update(kw)
    return TrainingArguments(**base)


def _trainer(out, **kw) -> tuple[ScheduledTrainer, _UsedLr]:
    used = _UsedLr()
    trainer = ScheduledTrainer(
        model=_model(),
        args=_args(out, **kw),
        train_dataset=_Tokens(22),
        schedule=SHAPE,
        callbacks=[used],
    )
    return trainer, used


def _logged(trainer) -> list[float]:
    return [h["learning_rate"] for h in trainer.state.log_history if "learning_rate" in h]


@pytest.mark.slow  # about 20 optimizer updates of a real Trainer; runs in CI
def test_trainer_lr_is_the_fitted_shape_at_every_update_and_resumes_exactly(tmp_path):
    # 22 samples / batch 2 = 11 batches per epoch; accumulating 2: 6 updates (the last of
    # one batch), 2 epochs: 12 updates. Counting batches would give 22.
    total = 12
    trainer, used = _trainer(tmp_path)
    trainer.train()
    assert trainer.state.max_steps == total and len(used.lrs) == total
    s = sa.fit(SHAPE, total)
    assert used.lrs == [s(k) for k in range(total)]  # the same floats
    for k, lr in enumerate(used.lrs):
        assert math.isclose(lr, _by_hand(k, total), rel_tol=1e-12, abs_tol=1e-18), k
    assert used.lrs[0] == 0.0 and used.lrs[2] == PEAK  # warmup ends at 1/6 of 12 updates
    assert _logged(trainer) == used.lrs  # what the Trainer logs for steps 1..12

    # A fresh Trainer resumed from the checkpoint after 4 updates (mid-epoch, mid-decay)
    # continues at update 4 and ends where the uninterrupted run ended.
    final = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    resumed, used_b = _trainer(tmp_path)
    resumed.train(resume_from_checkpoint=str(tmp_path / "checkpoint-4"))
    assert used_b.lrs == used.lrs[4:]
    assert _logged(resumed) == used.lrs  # the checkpoint's log history, then the new steps
    for name, value in resumed.model.state_dict().items():
        assert torch.equal(value, final[name]), name


def test_make_scheduler_shape_function_and_relative():
    opt = torch.optim.SGD(
        [
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.5},
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.25},
        ]
    )
    # relative: the shape multiplies each group's own lr
    mult = sa.linear_ramp(0.0, 1.0, 1) >> sa.hold(1.0, 3)  # warmup over the first quarter
    sched = make_scheduler(opt, mult, 8, relative=True)
    seen = []
    for _ in range(9):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    assert seen == [[0.5 * m, 0.25 * m] for m in (0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)]

    # a function of the run's length: a fixed 2-update warmup, then linear decay to the end
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = make_scheduler(
        opt, lambda n: sa.linear_ramp(0.0, 1.0, 2) >> sa.linear_ramp(1.0, 0.0, n - 2), 6
    )
    seen = []
    for _ in range(7):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert seen == [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda o: make_scheduler(o, sa.hold(1.0), 10), ValueError, "make_scheduler.*finite"),
        (lambda o: make_scheduler(o, 0.1, 10), TypeError, "make_scheduler.*schedule=0.1"),
        (lambda o: make_scheduler(o, SHAPE, 0), ValueError, "positive int, got 0"),
        (lambda o: make_scheduler(o, SHAPE, 2.5), ValueError, "positive int, got 2.5"),
        (lambda o: make_scheduler(o, lambda n: 0.1, 10), TypeError, "must return a schedalg"),
        (lambda o: make_scheduler(o, SHAPE, 10, relative=1), TypeError, "relative=1"),
    ],
)
def test_make_scheduler_errors(call, error, match):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(error, match=match):
        call(opt)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"warmup_steps": 10}, "warmup_steps=10"),
        ({"lr_scheduler_type": "cosine"}, "lr_scheduler_type="),
    ],
)
def test_trainer_refuses_arguments_the_schedule_would_silently_override(tmp_path, kw, match):
    with pytest.raises(ValueError, match=f"ScheduledTrainer.*{match}"):
        ScheduledTrainer(model=_model(), args=_args(tmp_path, **kw), schedule=SHAPE)


def test_trainer_refuses_a_schedule_and_a_scheduler(tmp_path):
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0)
    with pytest.raises(TypeError, match=r"ScheduledTrainer.*not both"):
        ScheduledTrainer(model=model, args=_args(tmp_path), optimizers=(opt, sched), schedule=SHAPE)
