"""Learning-rate range test: sweep the lr upward for a few hundred updates, watch the loss.

The test trains for ``steps`` updates with the lr rising from ``start`` to ``end``, records
the loss at each, and picks an lr from the curve (Smith 2017; fastai's ``lr_find``)::

    lrs, losses = range_test_torch(model, optimizer, loss_fn, batches, start=1e-6, end=1.0)
    lr = suggest_lr(lrs, losses, method="steepest")

Analysis (``suggest_lr``) is NumPy only. The runners import torch or JAX/optax when called
and leave the model and optimizer as they found them. ``plot_range_test`` imports matplotlib
when called.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import _checks as K
from ._primitives import exp, hold, linear_ramp
from ._schedule import Schedule

__all__ = [
    "diverged_at",
    "plot_range_test",
    "range_test",
    "range_test_optax",
    "range_test_torch",
    "smooth",
    "suggest_lr",
]

METHODS = ("steepest", "min10")


def range_test(start: float, end: float, steps: int, mode: str = "exp") -> Schedule:
    """The lr sweep of a range test: ``start`` at step 0 up to exactly ``end`` at ``steps - 1``.

    mode 'exp':    lr(k) = start * (end / start) ** (k / (steps - 1))
    mode 'linear': lr(k) = start + (end - start) * k / (steps - 1)
    for k = 0 .. steps - 1; ``end`` is held afterwards. Built as
    ``exp(start, end, steps - 1) >> hold(end, 1)`` (or ``linear_ramp``), so its duration is
    ``steps``.

    Args:
        start: first lr, > 0.
        end: last lr, > start.
        steps: number of updates in the sweep, >= 2.
        mode: 'exp' (geometric, the usual choice) or 'linear'.

    Returns:
        A schedule of duration ``steps``.

    Example:
        >>> from schedalg.range_test import range_test
        >>> s = range_test(1e-4, 1.0, 5)
        >>> [round(s(k), 6) for k in range(5)]
        [0.0001, 0.001, 0.01, 0.1, 1.0]

    Reference:
        L. N. Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017.
    """
    fn = "range_test"
    a = float(K.positive(fn, "start", start))
    b = float(K.positive(fn, "end", end))
    if not b > a:
        raise K.ArgumentValueError(
            fn, "end", end, f"{fn}(): end must be > start, got start={start!r}, end={end!r}"
        )
    n = K.steps(fn, "steps", steps, minimum=2)
    if K.choice(fn, "mode", mode, ("exp", "linear")) == "exp":
        sweep = exp(a, b, n - 1)
    else:
        sweep = linear_ramp(a, b, n - 1)
    return sweep >> hold(b, 1)


def _as_curve(fn: str, lrs: Any, losses: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(lrs, dtype=np.float64)
    y = np.asarray(losses, dtype=np.float64)
    if x.ndim != 1 or y.shape != x.shape:
        raise K.ArgumentValueError(
            fn,
            "lrs" if x.ndim != 1 else "losses",
            lrs if x.ndim != 1 else losses,
            f"{fn}(): lrs and losses must be 1-D of the same length, got shapes "
            f"{x.shape} and {y.shape}",
        )
    if not np.all(np.isfinite(x)) or not np.all(x > 0):
        raise K.ArgumentValueError(fn, "lrs", lrs, f"{fn}(): lrs must be finite and > 0")
    return x, y


def _ema(y: np.ndarray, b: float) -> np.ndarray:
    out = np.empty_like(y)
    avg = 0.0
    for i, v in enumerate(y):
        avg = b * avg + (1 - b) * v
        out[i] = avg / (1 - b ** (i + 1))
    return out


def smooth(losses: Any, beta: float = 0.9, zero_phase: bool = False) -> np.ndarray:
    """Exponential moving average with bias correction; optionally run both ways (no lag).

    avg_i = beta * avg_{i-1} + (1 - beta) * loss_i   (avg_{-1} = 0)
    out_i = avg_i / (1 - beta**(i+1))

    The causal average lags the curve by about ``beta / (1 - beta)`` points, which shifts a
    steepest-slope pick to a higher lr. ``zero_phase=True`` applies the same average again
    from the end backwards, which cancels the lag (the curve must then be complete).
    A non-finite loss makes every later (zero-phase: every) value non-finite.

    Args:
        losses: 1-D losses.
        beta: smoothing in [0, 1); 0 returns the losses.
        zero_phase: also smooth backwards.

    Returns:
        float64 array of the same length.

    Example:
        >>> from schedalg.range_test import smooth
        >>> smooth([1.0, 3.0], beta=0.5).round(6).tolist()
        [1.0, 2.333333]
    """
    b = float(K.number("smooth", "beta", beta))
    if not 0 <= b < 1:
        raise K.bad_value("smooth", "beta", beta, "must be in [0, 1)")
    y = np.asarray(losses, dtype=np.float64)
    out = _ema(y, b)
    if zero_phase:
        out = _ema(out[::-1], b)[::-1]
    return out


def diverged_at(smoothed: Any, factor: float = 4.0) -> int:
    """Index of the first point where the loss diverged, or the length if it never did.

    Diverged: not finite, or above ``factor`` times the lowest value before it.

    Args:
        smoothed: 1-D (smoothed) losses.
        factor: divergence ratio, > 1.

    Returns:
        An index into ``smoothed``.

    Example:
        >>> from schedalg.range_test import diverged_at
        >>> diverged_at([3.0, 2.0, 1.0, 2.0, 5.0])
        4
    """
    f = float(K.number("diverged_at", "factor", factor))
    if not f > 1:
        raise K.bad_value("diverged_at", "factor", factor, "must be > 1")
    best = np.inf
    for i, v in enumerate(np.asarray(smoothed, dtype=np.float64)):
        if not np.isfinite(v) or v > f * best:
            return i
        best = min(best, v)
    return len(smoothed)


def suggest_lr(
    lrs: Any,
    losses: Any,
    method: str = "steepest",
    *,
    beta: float = 0.9,
    skip_start: int = 5,
    skip_end: int = 5,
    diverge: float = 4.0,
) -> float:
    """An lr picked from a range-test curve.

    The curve is cut where the running (causal) average of the losses diverges
    (``diverged_at(smooth(losses, beta), diverge)``), the rest is smoothed without lag
    (``smooth(losses[:cut], beta, zero_phase=True)``) and trimmed by ``skip_start`` /
    ``skip_end`` points (fewer if the curve is short). Then:

    * 'steepest': the lr where d(smoothed loss) / d(log lr) is most negative;
    * 'min10': the lr of the lowest smoothed loss, divided by 10.

    Args:
        lrs: 1-D lrs of the sweep, > 0, increasing.
        losses: 1-D losses at those lrs.
        method: 'steepest' or 'min10'.
        beta: smoothing of the losses, in [0, 1).
        skip_start: points dropped at the start of the curve.
        skip_end: points dropped before the divergence point (or the end).
        diverge: divergence ratio, > 1.

    Returns:
        The suggested lr, a float.

    Example:
        >>> from schedalg.range_test import suggest_lr
        >>> import numpy as np
        >>> lrs = np.geomspace(1e-5, 1.0, 100)
        >>> losses = 1 / (1 + np.exp(3 * (np.log10(lrs) + 2.5)))  # steepest at 10**-2.5
        >>> round(float(np.log10(suggest_lr(lrs, losses, beta=0.0))), 1)
        -2.5

    Reference:
        L. N. Smith, WACV 2017; fastai ``lr_find`` (steepest, minimum/10).
    """
    fn = "suggest_lr"
    K.choice(fn, "method", method, METHODS)
    x, y = _as_curve(fn, lrs, losses)
    cut = diverged_at(smooth(y, beta), diverge)
    if cut < 3:
        raise K.ArgumentValueError(
            fn,
            "losses",
            losses,
            f"{fn}(): the loss diverged after {cut} points; start the sweep at a lower lr",
        )
    lo = min(K.steps(fn, "skip_start", skip_start) or 0, (cut - 3) // 2)
    hi = cut - min(K.steps(fn, "skip_end", skip_end) or 0, (cut - 3) // 2)
    s = smooth(y[:cut], beta, zero_phase=True)
    xs, ys = x[lo:hi], s[lo:hi]
    if method == "min10":
        return float(xs[int(np.argmin(ys))] / 10)
    grad = np.gradient(ys, np.log(xs))
    return float(xs[int(np.argmin(grad))])


def plot_range_test(
    lrs: Any, losses: Any, method: str = "steepest", ax: Any = None, **suggest_kw: Any
) -> Any:
    """Plot loss against lr (log axis), smoothed, with the suggested lr marked.

    Args:
        lrs: 1-D lrs.
        losses: 1-D losses.
        method: passed to :func:`suggest_lr` (None: no marker).
        ax: a matplotlib Axes (default: a new figure's).
        **suggest_kw: other :func:`suggest_lr` arguments (``beta`` and ``diverge`` also set
            the smoothed line, drawn up to the divergence point).

    Returns:
        The Axes: line 0 the raw losses, line 1 the smoothed ones, line 2 the marker.

    Example:
        >>> from schedalg.range_test import plot_range_test
        >>> import numpy as np
        >>> ax = plot_range_test(np.geomspace(1e-4, 1, 50), np.linspace(2, 1, 50))
        >>> ax.get_xscale()
        'log'
    """
    import matplotlib.pyplot as plt

    x, y = _as_curve("plot_range_test", lrs, losses)
    if ax is None:
        _, ax = plt.subplots()
    beta = suggest_kw.get("beta", 0.9)
    cut = diverged_at(smooth(y, beta), suggest_kw.get("diverge", 4.0))
    s = smooth(y[:cut], beta, zero_phase=True)
    ax.plot(x, y, alpha=0.3, label="loss")
    ax.plot(x[:cut], s, label="smoothed")
    if method is not None:
        lr = suggest_lr(x, y, method, **suggest_kw)
        at = float(np.interp(np.log(lr), np.log(x[:cut]), s))
        ax.plot([lr], [at], "o", label=f"{method}: {lr:.2e}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def _batches_forever(batches: Iterable[Any]) -> Iterable[Any]:
    """Iterate ``batches`` again and again (a list, a DataLoader); a one-shot iterator once."""
    if iter(batches) is batches:
        return batches
    return itertools.chain.from_iterable(itertools.repeat(batches))


def _sweep(
    train_step: Callable[[int, Any], tuple[float, float]],
    batches: Iterable[Any],
    steps: int,
    diverge: float,
    beta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``train_step(k, batch) -> (lr, loss)`` for k = 0, 1, ... up to ``steps`` updates, until
    the batches run out or the smoothed loss diverges; the ``(lrs, losses)`` arrays."""
    lrs: list[float] = []
    losses: list[float] = []
    b = float(beta)
    avg, best = 0.0, np.inf
    it = iter(_batches_forever(batches))
    for k in range(steps):
        try:
            batch = next(it)
        except StopIteration:
            break
        lr, v = train_step(k, batch)
        lrs.append(lr)
        losses.append(v)
        avg = b * avg + (1 - b) * v
        sm = avg / (1 - b ** (k + 1))
        if not np.isfinite(sm) or sm > diverge * best:
            break
        best = min(best, sm)
    return np.asarray(lrs), np.asarray(losses)


def range_test_torch(
    model: Any,
    optimizer: Any,
    loss_fn: Callable[[Any, Any], Any],
    batches: Iterable[Any],
    *,
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 100,
    mode: str = "exp",
    diverge: float = 4.0,
    beta: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a range test on a torch model, then restore model, optimizer and RNG state.

    For k = 0, 1, ...: every param group's lr is set to ``range_test(start, end, steps,
    mode)(k)``, ``loss = loss_fn(model, batch)``, backward, ``optimizer.step()``. Stops after
    ``steps`` updates or when the smoothed loss diverges (see :func:`diverged_at`).

    Args:
        model: a ``torch.nn.Module``.
        optimizer: a torch optimizer over the model's parameters.
        loss_fn: ``loss_fn(model, batch) -> scalar tensor``.
        batches: an iterable of batches (re-iterated if shorter than ``steps``).
        start, end, steps, mode: the sweep, as in :func:`range_test`.
        diverge: stop once the smoothed loss exceeds this times its minimum.
        beta: smoothing used for the stopping rule.

    Returns:
        ``(lrs, losses)``, float64 arrays of the updates done.

    Example:
        >>> import torch
        >>> from schedalg.range_test import range_test_torch
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <...>
        >>> model = torch.nn.Linear(1, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> data = [(torch.randn(8, 1), torch.randn(8, 1)) for _ in range(4)]
        >>> lf = lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1])
        >>> lrs, losses = range_test_torch(model, opt, lf, data, start=1e-4, end=1e-1, steps=20)
        >>> len(lrs) == len(losses) <= 20
        True
    """
    import torch

    schedule = range_test(start, end, steps, mode)
    saved_model = copy.deepcopy(model.state_dict())
    saved_opt = copy.deepcopy(optimizer.state_dict())
    saved_lrs = [g["lr"] for g in optimizer.param_groups]
    saved_rng = torch.get_rng_state()
    was_training = model.training

    def train_step(k: int, batch: Any) -> tuple[float, float]:
        lr = schedule(k)
        for g in optimizer.param_groups:
            g["lr"] = lr
        optimizer.zero_grad()
        loss = loss_fn(model, batch)
        loss.backward()
        optimizer.step()
        return lr, float(loss.detach())

    try:
        model.train()
        return _sweep(train_step, batches, steps, diverge, beta)
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_opt)
        for g, lr0 in zip(optimizer.param_groups, saved_lrs, strict=True):
            g["lr"] = lr0
        torch.set_rng_state(saved_rng)
        model.train(was_training)


def range_test_optax(
    loss_fn: Callable[[Any, Any], Any],
    params: Any,
    optimizer: Callable[[Any], Any],
    batches: Iterable[Any],
    *,
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 100,
    mode: str = "exp",
    diverge: float = 4.0,
    beta: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a range test with an optax optimizer; the caller's ``params`` are left untouched.

    Builds ``tx = optimizer(range_test(start, end, steps, mode))`` (the schedule is the
    optimizer's learning rate, evaluated at optax's update count), and runs a jitted step
    ``loss, grads = value_and_grad(loss_fn)(params, batch); updates, state = tx.update(...)``
    on a private copy of the parameters. Stops like :func:`range_test_torch`.

    Args:
        loss_fn: ``loss_fn(params, batch) -> scalar``.
        params: the model parameters (a pytree); not modified (JAX arrays are immutable and
            no buffers are donated).
        optimizer: a factory taking the learning rate, e.g. ``optax.adam`` or
            ``lambda lr: optax.sgd(lr, momentum=0.9)``.
        batches: an iterable of batches (pytrees of arrays), re-iterated if short.
        start, end, steps, mode: the sweep, as in :func:`range_test`.
        diverge: stop once the smoothed loss exceeds this times its minimum.
        beta: smoothing used for the stopping rule.

    Returns:
        ``(lrs, losses)``, float64 arrays of the updates done.

    Example:
        >>> from schedalg.range_test import range_test_optax
        >>> import jax.numpy as jnp, optax
        >>> lf = lambda p, b: jnp.mean((b[0] * p - b[1]) ** 2)
        >>> data = [(jnp.arange(4.0), 2 * jnp.arange(4.0))]
        >>> lrs, losses = range_test_optax(lf, jnp.zeros(()), optax.sgd, data,
        ...                                start=1e-4, end=1.0, steps=30)
        >>> bool(losses[0] > losses[5])
        True
    """
    import jax
    import optax

    schedule = range_test(start, end, steps, mode)
    tx = optimizer(schedule)

    @jax.jit
    def step(p: Any, state: Any, batch: Any) -> Any:
        loss, grads = jax.value_and_grad(loss_fn)(p, batch)
        updates, state = tx.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    p = params
    state = tx.init(p)

    def train_step(k: int, batch: Any) -> tuple[float, float]:
        nonlocal p, state
        p, state, loss = step(p, state, batch)
        return schedule(k), float(loss)

    return _sweep(train_step, batches, steps, diverge, beta)
