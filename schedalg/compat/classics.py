"""Classic schedules from papers and widely copied training scripts, rebuilt from the algebra.

* ``noam``: the Transformer schedule of Vaswani et al. (2017).
* ``cyclical_lr``: Smith's cyclical learning rates (triangular, triangular2, exp_range).
* ``one_cycle``, ``yolov5_lf``, ``yolov5_lr``, ``yolov5_momentum``: the ``lf`` lambdas and the
  per-iteration warmup of ultralytics/yolov5's ``train.py`` (also in ultralytics/yolov3).
* ``darknet_burn_in``: darknet's ``burn_in`` warmup (the original YOLOv3 training).
* ``GradualWarmupScheduler``: ildoonet/pytorch-gradual-warmup-lr.

Time: step ``k`` is the ``k``-th optimizer update (0-based) unless a function says epochs.
"""

from __future__ import annotations

from typing import Any

from .. import _checks as K
from .._cycles import repeat, scale_by_cycle
from .._primitives import cosine, exp, hold, inverse, linear_ramp, triangle
from .._schedule import Schedule
from .._time_maps import scale_time, shift, staircase, warp
from . import _named

__all__ = [
    "GradualWarmupScheduler",
    "cyclical_lr",
    "darknet_burn_in",
    "noam",
    "one_cycle",
    "yolov5_lf",
    "yolov5_lr",
    "yolov5_momentum",
]

_CLR_MODES = ("triangular", "triangular2", "exp_range")


def noam(d_model: int, warmup_steps: int = 4000, factor: float = 1.0) -> Schedule:
    """The Transformer learning rate: linear warmup, then inverse square root decay.

    Formula: with ``n = k + 1`` (the paper's ``step_num``, from 1):
    ``factor * d_model ** -0.5 * min(n ** -0.5, n * warmup_steps ** -1.5)``. The two branches
    meet at ``n = warmup_steps``. The Annotated Transformer's ``rate`` (which maps step 0 to
    1) is ``shift(noam(...), 1)``.

    Args:
        d_model: the model width, > 0.
        warmup_steps: an int >= 1 (the paper uses 4000).
        factor: a constant multiplier, > 0.

    Example:
        >>> from schedalg.compat.classics import noam
        >>> s = noam(512, warmup_steps=4000)
        >>> round(s(3999) / s(4999), 6)
        1.118034

    Reference: Vaswani et al., Attention Is All You Need (2017), eq. (3).
    """
    fn = "noam"
    d = K.positive(fn, "d_model", d_model)
    w = K.steps(fn, "warmup_steps", warmup_steps, minimum=1)
    f = K.positive_value(fn, "factor", factor)
    c = f * float(d) ** -0.5
    ramp = linear_ramp(c * w**-1.5, c * (w + 1) * w**-1.5, w)
    return ramp >> inverse(c * (w + 1) ** -0.5, scale=w + 1, power=0.5)


def cyclical_lr(
    base_lr: Any, max_lr: Any, step_size: int, mode: str = "triangular", gamma: float = 1.0
) -> Schedule:
    """Smith's cyclical learning rate: triangles between ``base_lr`` and ``max_lr``.

    Formula: ``cycle = floor(1 + k / (2 step_size))``, ``x = |k / step_size - 2 cycle + 1|``,
    ``lr = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale`` with ``scale = 1``
    (triangular), ``1 / 2 ** (cycle - 1)`` (triangular2) or ``gamma ** k`` (exp_range).

    Args:
        base_lr: the low end.
        max_lr: the peak, reached at odd multiples of ``step_size``.
        step_size: half a cycle, in steps (an int >= 1; Smith suggests 2-10 epochs).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the per-step factor of ``exp_range``, in (0, 1].

    Example:
        >>> from schedalg.compat.classics import cyclical_lr
        >>> s = cyclical_lr(0.1, 1.0, 2, mode="triangular2")
        >>> [round(s(k), 12) for k in range(9)]
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.325, 0.55, 0.325, 0.1]

    Reference: Smith, Cyclical Learning Rates for Training Neural Networks (WACV 2017).
    """
    fn = "cyclical_lr"
    lo, hi = K.value(fn, "base_lr", base_lr), K.value(fn, "max_lr", max_lr)
    n = K.steps(fn, "step_size", step_size, minimum=1)
    K.choice(fn, "mode", mode, _CLR_MODES)
    if mode == "triangular":
        return repeat(triangle(lo, hi, 2 * n))
    if mode == "triangular2":
        return scale_by_cycle(repeat(triangle(lo, hi, 2 * n)), 0.5, floor=lo)
    g = K.positive(fn, "gamma", gamma)
    if g > 1:
        raise K.ArgumentValueError(
            fn, "gamma", gamma, f"{fn}(): gamma must be in (0, 1], got gamma={gamma!r}"
        )
    # lo is a value (a float, an array or a tracer, typed Any): the sum is a Schedule
    shape: Schedule = lo + repeat(triangle(0.0, hi - lo, 2 * n)) * exp(1.0, rate=g)
    return shape


def one_cycle(y1: float = 0.0, y2: float = 1.0, steps: int = 100) -> Schedule:
    """ultralytics' ``one_cycle``: a half cosine ramp from ``y1`` to ``y2`` over ``steps``.

    Formula: ``((1 - cos(x pi / steps)) / 2) * (y2 - y1) + y1``; ``y2`` from ``steps`` on (the
    lambda itself keeps waving; training stops at ``steps``).

    Example:
        >>> from schedalg.compat.classics import one_cycle   # (not schedalg.one_cycle)
        >>> one_cycle(1.0, 0.01, 100)(100)
        0.01

    Reference: ultralytics/yolov5 ``utils/general.py``.
    """
    fn = "one_cycle"
    return cosine(
        K.value(fn, "y1", y1), K.value(fn, "y2", y2), K.steps(fn, "steps", steps, minimum=1)
    )


def yolov5_lf(lrf: float, epochs: int, cos_lr: bool = False) -> Schedule:
    """yolov5's ``lf``: the per-epoch multiplier of the initial lr (LambdaLR's lambda).

    Formula: ``cos_lr``: ``one_cycle(1, lrf, epochs)``; else ``(1 - x / epochs) * (1 - lrf) +
    lrf``. Step ``k`` is epoch ``k``; ``lrf`` from ``epochs`` on.

    Args:
        lrf: the final multiplier (``hyp['lrf']``).
        epochs: training epochs, >= 1.
        cos_lr: the cosine form (``--cos-lr``).

    Example:
        >>> from schedalg.compat.classics import yolov5_lf
        >>> yolov5_lf(0.01, 10)(5)
        0.505

    Reference: ultralytics/yolov5 ``train.py``.
    """
    fn = "yolov5_lf"
    f = K.value(fn, "lrf", lrf)
    e = K.steps(fn, "epochs", epochs, minimum=1)
    return cosine(1.0, f, e) if cos_lr else linear_ramp(1.0, f, e)


def _warmup_iters(fn: str, warmup_epochs: Any, nb: int) -> int:
    we = K.number(fn, "warmup_epochs", warmup_epochs)
    if we < 0:
        raise K.ArgumentValueError(
            fn,
            "warmup_epochs",
            warmup_epochs,
            f"{fn}(): warmup_epochs must be >= 0, got warmup_epochs={warmup_epochs!r}",
        )
    return max(round(we * nb), 100)


def yolov5_lr(
    lr0: Any,
    lrf: float,
    epochs: int,
    nb: int,
    warmup_epochs: float = 3.0,
    warmup_bias_lr: float = 0.1,
    cos_lr: bool = False,
    bias: bool = False,
) -> Schedule:
    """The learning rate of one yolov5 parameter group at every iteration, warmup included.

    Formula: with ``nw = max(round(warmup_epochs * nb), 100)``, ``e = k // nb`` and
    ``target = lr0 * lf(e)``: ``interp(k, [0, nw], [start, target])`` for ``k <= nw``
    (``start = warmup_bias_lr`` for the bias group, 0 otherwise), ``target`` after. The warmup
    aims at the current epoch's ``lf`` value, so its line bends at epoch boundaries.

    Args:
        lr0: the initial learning rate (``hyp['lr0']``).
        lrf: the final multiplier (``hyp['lrf']``).
        epochs: training epochs.
        nb: batches per epoch (iterations per epoch).
        warmup_epochs: ``hyp['warmup_epochs']`` (at least 100 iterations are warmed up).
        warmup_bias_lr: the bias group's starting lr (``hyp['warmup_bias_lr']``).
        cos_lr: the cosine ``lf`` (``--cos-lr``).
        bias: this is the bias group (falls from ``warmup_bias_lr``; others rise from 0).

    Example:
        >>> from schedalg.compat.classics import yolov5_lr
        >>> s = yolov5_lr(0.01, 0.01, epochs=100, nb=50, bias=True)
        >>> s(0), round(s(150), 12)
        (0.1, 0.009703)

    Reference: ultralytics/yolov5 ``train.py`` (the ``# Warmup`` block).
    """
    fn = "yolov5_lr"
    lr = K.positive_value(fn, "lr0", lr0)
    n = K.steps(fn, "nb", nb, minimum=1)
    nw = _warmup_iters(fn, warmup_epochs, n)
    per_epoch = lr * yolov5_lf(lrf, epochs, cos_lr)
    target = staircase(scale_time(per_epoch, n), n)
    ramp = linear_ramp(0.0, 1.0, nw) * target
    if not bias:
        return ramp
    return ramp + linear_ramp(K.value(fn, "warmup_bias_lr", warmup_bias_lr), 0.0, nw)


def yolov5_momentum(
    momentum: float = 0.937, warmup_momentum: float = 0.8, warmup_epochs: float = 3.0, *, nb: int
) -> Schedule:
    """yolov5's SGD momentum at every iteration: a linear warmup, then constant.

    Formula: ``interp(k, [0, nw], [warmup_momentum, momentum])`` for ``k <= nw``, ``momentum``
    after, ``nw = max(round(warmup_epochs * nb), 100)``.

    Example:
        >>> from schedalg.compat.classics import yolov5_momentum
        >>> s = yolov5_momentum(0.9, 0.8, nb=20)
        >>> round(s(50), 12), s(100)
        (0.85, 0.9)

    Reference: ultralytics/yolov5 ``train.py``.
    """
    fn = "yolov5_momentum"
    n = K.steps(fn, "nb", nb, minimum=1)
    nw = _warmup_iters(fn, warmup_epochs, n)
    m = K.value(fn, "momentum", momentum)
    return linear_ramp(K.value(fn, "warmup_momentum", warmup_momentum), m, nw) >> hold(m)


def darknet_burn_in(
    learning_rate: Any, burn_in: int, power: float = 4.0, after: Schedule | None = None
) -> Schedule:
    """darknet's ``burn_in``: ``learning_rate * (k / burn_in) ** power`` for ``k < burn_in``.

    Formula: the burn-in, then ``after(k)`` (darknet's policy, read at the absolute batch
    number ``k``), or ``learning_rate`` when ``after`` is None.

    Args:
        learning_rate: the cfg's ``learning_rate``.
        burn_in: the cfg's ``burn_in`` (batches), >= 0.
        power: the cfg's ``power`` (4 by default in darknet).
        after: the policy as a schedule of the absolute batch number (e.g. ``piecewise``).

    Example:
        >>> from schedalg.compat.classics import darknet_burn_in
        >>> darknet_burn_in(1e-3, 1000)(500)
        6.25e-05

    Reference: pjreddie/darknet ``src/network.c`` (``get_current_rate``); YOLOv3 (2018).
    """
    fn = "darknet_burn_in"
    lr = K.positive_value(fn, "learning_rate", learning_rate)
    n = K.steps(fn, "burn_in", burn_in, minimum=0)
    p = K.positive(fn, "power", power)
    if after is not None and not isinstance(after, Schedule):
        raise K.ArgumentTypeError(
            fn, "after", after, f"{fn}(): after must be a schedule or None, got after={after!r}"
        )
    tail = hold(lr) if after is None else shift(after, -n)
    if n == 0:
        return tail
    return warp(linear_ramp(0.0, lr, n), p) >> tail


def GradualWarmupScheduler(  # named as the package names it
    base_lr: Any,
    multiplier: float,
    total_epoch: int,
    after_scheduler: Schedule | None = None,
) -> Schedule:
    """pytorch-gradual-warmup-lr's warmup, optionally followed by another schedule.

    Formula: for ``k <= total_epoch``: ``base_lr * k / total_epoch`` if ``multiplier == 1``,
    else ``base_lr * ((multiplier - 1) * k / total_epoch + 1)``; after:
    ``after_scheduler(k - total_epoch - 1)`` or ``base_lr * multiplier``.

    Args:
        base_lr: the optimizer's learning rate.
        multiplier: the target is ``base_lr * multiplier``; >= 1 (1: the warmup starts at 0).
        total_epoch: warmup length, an int >= 1 (the target is reached at ``total_epoch``).
        after_scheduler: the schedule that follows, built for the target lr
            ``base_lr * multiplier``, from its own step 0 at ``total_epoch + 1``.

    Example:
        >>> from schedalg.compat.classics import GradualWarmupScheduler
        >>> s = GradualWarmupScheduler(0.1, multiplier=10.0, total_epoch=5)
        >>> [round(s(k), 12) for k in (0, 1, 5, 6)]
        [0.1, 0.28, 1.0, 1.0]

    Reference: https://github.com/ildoonet/pytorch-gradual-warmup-lr (Goyal et al., 2017).
    """
    fn = "GradualWarmupScheduler"
    lr = K.value(fn, "base_lr", base_lr)
    m = K.number(fn, "multiplier", multiplier)
    if m < 1:
        raise K.ArgumentValueError(
            fn,
            "multiplier",
            multiplier,
            f"{fn}(): multiplier must be >= 1, got multiplier={multiplier!r}",
        )
    n = K.steps(fn, "total_epoch", total_epoch, minimum=1)
    if after_scheduler is not None and not isinstance(after_scheduler, Schedule):
        raise K.ArgumentTypeError(
            fn,
            "after_scheduler",
            after_scheduler,
            f"{fn}(): after_scheduler must be a schedule or None, got {after_scheduler!r}",
        )
    top = lr * m
    start = 0.0 if m == 1 else lr
    warm = linear_ramp(start, top, n) >> hold(top, 1)
    return warm >> (hold(top) if after_scheduler is None else after_scheduler)


_named.keep_names(globals(), "classics")
