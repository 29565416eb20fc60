"""The migration tables: one row per peer schedule, the one source of docs/migration.md.

Each row is (the peer's call, as its users write it; the same schedule through
``schedalg.compat``, a Python expression). The site's hook (docs/_ext/hooks.py) turns each
peer's rows into a table whose last column is the schedule the compat call returns, printed as
schedalg prints it: the algebra. tests/test_docs_site.py checks that every peer name exists in
the peer library (where installed), that every public compat name has a row, and that every
compat call builds.
"""

from __future__ import annotations

# Where each peer keeps its schedules: the module a name is looked up in, and how it is shown.
PEERS = {
    "torch": ("torch.optim.lr_scheduler", "PyTorch (`torch.optim.lr_scheduler`)"),
    "optax": ("optax.schedules", "optax (`optax.schedules`)"),
    "keras": ("keras.optimizers.schedules", "Keras 3 (`keras.optimizers.schedules`)"),
    "transformers": ("transformers", "Hugging Face transformers (`transformers`)"),
    "timm": ("timm.scheduler", "timm (`timm.scheduler`)"),
    "fastai": ("fastai.callback.schedule", "fastai (`fastai.callback.schedule`, `Learner.fit_*`)"),
    "tf": (
        "tensorflow.compat.v1.train",
        "TensorFlow 1 (`tf.compat.v1.train`) and the TF Object Detection API",
    ),
    "classics": (None, "Papers and repositories (no library)"),
}

ROWS: dict[str, list[tuple[str, str]]] = {
    "torch": [
        (
            "StepLR(opt, step_size=30, gamma=0.1)",
            "compat.torch.StepLR(0.1, step_size=30, gamma=0.1)",
        ),
        (
            "MultiStepLR(opt, milestones=[30, 80], gamma=0.1)",
            "compat.torch.MultiStepLR(0.1, milestones=[30, 80], gamma=0.1)",
        ),
        (
            "ConstantLR(opt, factor=0.5, total_iters=4)",
            "compat.torch.ConstantLR(0.1, factor=0.5, total_iters=4)",
        ),
        (
            "LinearLR(opt, start_factor=0.1, total_iters=10)",
            "compat.torch.LinearLR(0.1, start_factor=0.1, total_iters=10)",
        ),
        ("ExponentialLR(opt, gamma=0.95)", "compat.torch.ExponentialLR(0.1, gamma=0.95)"),
        (
            "PolynomialLR(opt, total_iters=100, power=2.0)",
            "compat.torch.PolynomialLR(0.1, total_iters=100, power=2.0)",
        ),
        (
            "CosineAnnealingLR(opt, T_max=100, eta_min=1e-3)",
            "compat.torch.CosineAnnealingLR(0.1, T_max=100, eta_min=1e-3)",
        ),
        (
            "CosineAnnealingWarmRestarts(opt, T_0=10, T_mult=2, eta_min=1e-3)",
            "compat.torch.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2, eta_min=1e-3)",
        ),
        (
            "CyclicLR(opt, base_lr=1e-3, max_lr=0.1, step_size_up=50)",
            "compat.torch.CyclicLR(1e-3, 0.1, step_size_up=50)",
        ),
        (
            "OneCycleLR(opt, max_lr=0.1, total_steps=1000, pct_start=0.25)",
            "compat.torch.OneCycleLR(max_lr=0.1, total_steps=1000, pct_start=0.25)",
        ),
        (
            "SequentialLR(opt, [LinearLR(opt, 0.01, total_iters=10), "
            "CosineAnnealingLR(opt, T_max=90)], milestones=[10])",
            "compat.torch.SequentialLR([compat.torch.LinearLR(0.1, 0.01, total_iters=10), "
            "compat.torch.CosineAnnealingLR(0.1, T_max=90)], milestones=[10])",
        ),
        (
            "ChainedScheduler([ConstantLR(opt, 0.5, total_iters=10), ExponentialLR(opt, 0.9)])",
            "compat.torch.ChainedScheduler([compat.torch.ConstantLR(0.1, 0.5, total_iters=10), "
            "compat.torch.ExponentialLR(0.1, 0.9)], base_lr=0.1)",
        ),
    ],
    "optax": [
        ("constant_schedule(0.1)", "compat.optax.constant_schedule(0.1)"),
        ("linear_schedule(0.0, 0.1, 100)", "compat.optax.linear_schedule(0.0, 0.1, 100)"),
        (
            "polynomial_schedule(0.1, 1e-3, power=2, transition_steps=100)",
            "compat.optax.polynomial_schedule(0.1, 1e-3, power=2, transition_steps=100)",
        ),
        (
            "piecewise_constant_schedule(0.1, {30: 0.1, 80: 0.1})",
            "compat.optax.piecewise_constant_schedule(0.1, {30: 0.1, 80: 0.1})",
        ),
        (
            "exponential_decay(0.1, transition_steps=10, decay_rate=0.5)",
            "compat.optax.exponential_decay(0.1, transition_steps=10, decay_rate=0.5)",
        ),
        (
            "cosine_decay_schedule(0.1, decay_steps=100, alpha=0.01)",
            "compat.optax.cosine_decay_schedule(0.1, decay_steps=100, alpha=0.01)",
        ),
        (
            'piecewise_interpolate_schedule("linear", 0.1, {10: 2.0, 50: 0.5})',
            'compat.optax.piecewise_interpolate_schedule("linear", 0.1, {10: 2.0, 50: 0.5})',
        ),
        (
            "linear_onecycle_schedule(1000, 0.1)",
            "compat.optax.linear_onecycle_schedule(1000, 0.1)",
        ),
        (
            "cosine_onecycle_schedule(1000, 0.1)",
            "compat.optax.cosine_onecycle_schedule(1000, 0.1)",
        ),
        (
            "warmup_constant_schedule(0.0, 0.1, warmup_steps=100)",
            "compat.optax.warmup_constant_schedule(0.0, 0.1, warmup_steps=100)",
        ),
        (
            "warmup_cosine_decay_schedule(0.0, 3e-4, warmup_steps=500, decay_steps=10_000, "
            "end_value=3e-5)",
            "compat.optax.warmup_cosine_decay_schedule(0.0, 3e-4, warmup_steps=500, "
            "decay_steps=10_000, end_value=3e-5)",
        ),
        (
            "warmup_exponential_decay_schedule(0.0, 0.1, 100, 100, 0.5)",
            "compat.optax.warmup_exponential_decay_schedule(0.0, 0.1, 100, 100, 0.5)",
        ),
        (
            "sgdr_schedule([dict(init_value=0.0, peak_value=0.1, warmup_steps=10, "
            "decay_steps=100)] * 3)",
            "compat.optax.sgdr_schedule([dict(init_value=0.0, peak_value=0.1, warmup_steps=10, "
            "decay_steps=100)] * 3)",
        ),
        (
            "join_schedules([linear_schedule(0.0, 0.1, 10), constant_schedule(0.1)], [10])",
            "compat.optax.join_schedules([compat.optax.linear_schedule(0.0, 0.1, 10), "
            "compat.optax.constant_schedule(0.1)], [10])",
        ),
    ],
    "keras": [
        (
            "ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)",
            "compat.keras.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)",
        ),
        (
            "PiecewiseConstantDecay([30, 80], [0.1, 0.01, 0.001])",
            "compat.keras.PiecewiseConstantDecay([30, 80], [0.1, 0.01, 0.001])",
        ),
        (
            "PolynomialDecay(0.1, decay_steps=100, end_learning_rate=1e-3, power=2.0)",
            "compat.keras.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=1e-3, power=2.0)",
        ),
        (
            "InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)",
            "compat.keras.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)",
        ),
        (
            "CosineDecay(0.0, decay_steps=900, alpha=0.01, warmup_target=0.1, warmup_steps=100)",
            "compat.keras.CosineDecay(0.0, decay_steps=900, alpha=0.01, warmup_target=0.1, "
            "warmup_steps=100)",
        ),
        (
            "CosineDecayRestarts(0.1, first_decay_steps=100, m_mul=0.9, alpha=0.01)",
            "compat.keras.CosineDecayRestarts(0.1, first_decay_steps=100, m_mul=0.9, alpha=0.01)",
        ),
    ],
    "transformers": [
        ("get_constant_schedule(opt)", "compat.transformers.get_constant_schedule(3e-4)"),
        (
            "get_constant_schedule_with_warmup(opt, num_warmup_steps=100)",
            "compat.transformers.get_constant_schedule_with_warmup(3e-4, num_warmup_steps=100)",
        ),
        (
            "get_linear_schedule_with_warmup(opt, 100, 1000)",
            "compat.transformers.get_linear_schedule_with_warmup(3e-4, 100, 1000)",
        ),
        (
            "get_cosine_schedule_with_warmup(opt, 100, 1000)",
            "compat.transformers.get_cosine_schedule_with_warmup(3e-4, 100, 1000)",
        ),
        (
            "get_cosine_with_hard_restarts_schedule_with_warmup(opt, 100, 1000, num_cycles=3)",
            "compat.transformers.get_cosine_with_hard_restarts_schedule_with_warmup(3e-4, 100, "
            "1000, num_cycles=3)",
        ),
        (
            "get_polynomial_decay_schedule_with_warmup(opt, 100, 1000, lr_end=1e-6, power=2.0)",
            "compat.transformers.get_polynomial_decay_schedule_with_warmup(3e-4, 100, 1000, "
            "lr_end=1e-6, power=2.0)",
        ),
        (
            "get_inverse_sqrt_schedule(opt, num_warmup_steps=100)",
            "compat.transformers.get_inverse_sqrt_schedule(3e-4, num_warmup_steps=100)",
        ),
        (
            "get_cosine_with_min_lr_schedule_with_warmup(opt, 100, 1000, min_lr=3e-5)",
            "compat.transformers.get_cosine_with_min_lr_schedule_with_warmup(3e-4, 100, 1000, "
            "min_lr=3e-5)",
        ),
        (
            "get_cosine_with_min_lr_schedule_with_warmup_lr_rate(opt, 100, 1000, min_lr=3e-5)",
            "compat.transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(3e-4, 100, "
            "1000, min_lr=3e-5)",
        ),
        (
            "get_wsd_schedule(opt, num_warmup_steps=100, num_decay_steps=200, "
            "num_stable_steps=700)",
            "compat.transformers.get_wsd_schedule(3e-4, num_warmup_steps=100, "
            "num_decay_steps=200, num_stable_steps=700)",
        ),
        (
            'get_scheduler("cosine", opt, num_warmup_steps=100, num_training_steps=1000)',
            'compat.transformers.get_scheduler("cosine", 3e-4, num_warmup_steps=100, '
            "num_training_steps=1000)",
        ),
    ],
    "timm": [
        (
            "CosineLRScheduler(opt, t_initial=900, lr_min=1e-6, warmup_t=100, "
            "warmup_lr_init=1e-6, warmup_prefix=True, t_in_epochs=False)",
            "compat.timm.CosineLRScheduler(5e-4, t_initial=900, lr_min=1e-6, warmup_t=100, "
            "warmup_lr_init=1e-6, warmup_prefix=True, t_in_epochs=False)",
        ),
        (
            "TanhLRScheduler(opt, t_initial=1000, lr_min=1e-6, t_in_epochs=False)",
            "compat.timm.TanhLRScheduler(5e-4, t_initial=1000, lr_min=1e-6, t_in_epochs=False)",
        ),
        (
            "PolyLRScheduler(opt, t_initial=1000, power=2.0, lr_min=1e-6, t_in_epochs=False)",
            "compat.timm.PolyLRScheduler(5e-4, t_initial=1000, power=2.0, lr_min=1e-6, "
            "t_in_epochs=False)",
        ),
        (
            "StepLRScheduler(opt, decay_t=300, decay_rate=0.5, t_in_epochs=False)",
            "compat.timm.StepLRScheduler(5e-4, decay_t=300, decay_rate=0.5, t_in_epochs=False)",
        ),
        (
            "MultiStepLRScheduler(opt, decay_t=[300, 600], decay_rate=0.1, t_in_epochs=False)",
            "compat.timm.MultiStepLRScheduler(5e-4, decay_t=[300, 600], decay_rate=0.1, "
            "t_in_epochs=False)",
        ),
        (
            "WSDLRScheduler(opt, t_initial=900, decay_t=200, warmup_t=100, t_in_epochs=False)",
            "compat.timm.WSDLRScheduler(5e-4, t_initial=900, decay_t=200, warmup_t=100, "
            "t_in_epochs=False)",
        ),
    ],
    "fastai": [
        ("SchedLin(1e-4, 1e-3)", "compat.fastai.SchedLin(1e-4, 1e-3, total=100)"),
        ("SchedCos(1e-3, 1e-5)", "compat.fastai.SchedCos(1e-3, 1e-5, total=100)"),
        ("SchedNo(1e-3, 1e-5)", "compat.fastai.SchedNo(1e-3, 1e-5, total=100)"),
        ("SchedExp(1e-5, 1e-1)", "compat.fastai.SchedExp(1e-5, 1e-1, total=100)"),
        ("SchedPoly(1e-3, 0.0, 2.0)", "compat.fastai.SchedPoly(1e-3, 0.0, 2.0, total=100)"),
        (
            "combine_scheds([0.3, 0.7], [SchedLin(1e-4, 1e-3), SchedCos(1e-3, 0.0)])",
            "compat.fastai.combine_scheds([0.3, 0.7], [compat.fastai.SchedLin(1e-4, 1e-3), "
            "compat.fastai.SchedCos(1e-3, 0.0)], total=1000)",
        ),
        (
            "combined_cos(0.25, 4e-5, 1e-3, 4e-9)",
            "compat.fastai.combined_cos(0.25, 4e-5, 1e-3, 4e-9, total=1000)",
        ),
        (
            "learn.fit_one_cycle(5, lr_max=1e-3)  # 200 batches an epoch",
            'compat.fastai.fit_one_cycle(5, lr_max=1e-3, n_iter=200)["lr"]',
        ),
        (
            "learn.fit_flat_cos(5, lr=1e-3)  # 200 batches an epoch",
            'compat.fastai.fit_flat_cos(5, lr=1e-3, n_iter=200)["lr"]',
        ),
        (
            "learn.fit_sgdr(3, cycle_len=1, lr_max=1e-3)  # 200 batches an epoch",
            'compat.fastai.fit_sgdr(3, cycle_len=1, lr_max=1e-3, n_iter=200)["lr"]',
        ),
    ],
    "tf": [
        (
            "piecewise_constant(step, [30, 80], [0.1, 0.01, 0.001])",
            "compat.tf.piecewise_constant([30, 80], [0.1, 0.01, 0.001])",
        ),
        ("exponential_decay(0.1, step, 100, 0.5)", "compat.tf.exponential_decay(0.1, 100, 0.5)"),
        ("natural_exp_decay(0.1, step, 100, 0.5)", "compat.tf.natural_exp_decay(0.1, 100, 0.5)"),
        (
            "inverse_time_decay(0.1, step, 10, 0.5)",
            "compat.tf.inverse_time_decay(0.1, 10, 0.5)",
        ),
        (
            "polynomial_decay(0.1, step, 100, end_learning_rate=1e-3, power=2.0)",
            "compat.tf.polynomial_decay(0.1, 100, end_learning_rate=1e-3, power=2.0)",
        ),
        (
            "cosine_decay(0.1, step, 100, alpha=0.01)",
            "compat.tf.cosine_decay(0.1, 100, alpha=0.01)",
        ),
        (
            "cosine_decay_restarts(0.1, step, 100, m_mul=0.9)",
            "compat.tf.cosine_decay_restarts(0.1, 100, m_mul=0.9)",
        ),
        ("linear_cosine_decay(0.1, step, 100)", "compat.tf.linear_cosine_decay(0.1, 100)"),
        (
            "manual_stepping(step, [30, 80], [0.1, 0.01, 0.001])  # Object Detection API",
            "compat.tf.manual_stepping([30, 80], [0.1, 0.01, 0.001])",
        ),
        (
            "exponential_decay_with_burnin(step, 0.1, 100, 0.5, burnin_learning_rate=0.01, "
            "burnin_steps=10)  # Object Detection API",
            "compat.tf.exponential_decay_with_burnin(0.1, 100, 0.5, burnin_learning_rate=0.01, "
            "burnin_steps=10)",
        ),
        (
            "cosine_decay_with_warmup(step, 0.1, 1000, warmup_learning_rate=0.01, "
            "warmup_steps=100)  # Object Detection API",
            "compat.tf.cosine_decay_with_warmup(0.1, 1000, warmup_learning_rate=0.01, "
            "warmup_steps=100)",
        ),
    ],
    "classics": [
        ("Noam (Vaswani et al. 2017), d_model = 512", "compat.classics.noam(512, 4000)"),
        (
            "Cyclical learning rates, triangular2 (Smith 2017)",
            'compat.classics.cyclical_lr(1e-3, 6e-3, 2000, "triangular2")',
        ),
        ("YOLOv5 `one_cycle(1, 0.01, 300)`", "compat.classics.one_cycle(1.0, 0.01, 300)"),
        ("YOLOv5 `lf`, linear, 300 epochs", "compat.classics.yolov5_lf(0.01, 300)"),
        (
            "YOLOv5 per-iteration lr, 300 epochs of 100 batches",
            "compat.classics.yolov5_lr(0.01, 0.01, 300, 100)",
        ),
        (
            "YOLOv5 per-iteration momentum, 100 batches an epoch",
            "compat.classics.yolov5_momentum(0.937, nb=100)",
        ),
        (
            "darknet burn-in, 1000 steps, power 4",
            "compat.classics.darknet_burn_in(1e-3, 1000)",
        ),
        (
            "GradualWarmupScheduler(opt, multiplier=1, total_epoch=5, after_scheduler=cosine)",
            "compat.classics.GradualWarmupScheduler(0.1, multiplier=1, total_epoch=5, "
            "after_scheduler=compat.torch.CosineAnnealingLR(0.1, T_max=95))",
        ),
    ],
}
