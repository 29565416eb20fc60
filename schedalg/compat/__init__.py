"""Peers' named schedules, rebuilt from the schedalg algebra.

One module per peer, each function named and parametrised as the peer names it, returning a
plain :class:`schedalg.Schedule` built only from the public primitives and combinators. Import
the module of the peer you come from (nothing here imports the peer itself)::

    from schedalg.compat import torch as lr
    s = lr.OneCycleLR(max_lr=0.1, total_steps=1000)   # s(k): the lr of update k

Modules: ``torch``, ``optax``, ``keras``, ``tf`` (TF1 ``tf.compat.v1.train`` decays and the TF
Object Detection API schedules), ``transformers``, ``timm``, ``fastai`` and ``classics`` (Noam,
Smith's cyclical learning rates, YOLOv5's lambdas, darknet burn-in, GradualWarmupScheduler).
"""
