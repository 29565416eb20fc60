"""reduce_on_plateau: parity with torch's ReduceLROnPlateau, JAX/NumPy paths, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedalg import cosine
from schedalg.plateau import PlateauState, reduce_on_plateau

torch = pytest.importorskip("torch")

# Metric sequences with real plateaus: values drawn from a few levels (ties, small and
# large changes), optionally with tiny relative wiggles that the threshold must absorb.
_levels = st.sampled_from([0.0, 0.5, 0.9999, 1.0, 1.00005, 1.1, 2.0, 3.0, -1.0, 10.0])
_metric = st.one_of(_levels, st.floats(-5, 5, allow_nan=False, width=64))
_config = st.fixed_dictionaries(
    {
        "factor": st.sampled_from([0.1, 0.5, 0.7, 0.95]),
        "patience": st.integers(0, 4),
        "threshold": st.sampled_from([0.0, 1e-4, 0.01, 0.3]),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 3),
        "min_scale": st.sampled_from([0.0, 1e-3, 0.2, 0.6]),
        "mode": st.sampled_from(["min", "max"]),
        # torch's default, none, and steps that a reduction's change can fall below or equal
        "eps": st.sampled_from([1e-8, 0.0, 0.05, 0.5]),
    }
)


def _torch_plateau(cfg: dict, base_lr: float):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt,
        mode=cfg["mode"],
        factor=cfg["factor"],
        patience=cfg["patience"],
        threshold=cfg["threshold"],
        threshold_mode=cfg["threshold_mode"],
        cooldown=cfg["cooldown"],
        min_lr=cfg["min_scale"] * base_lr,
        eps=cfg.get("eps", 1e-8),  # lr units, as PlateauLR reads it (at base lr 1: the rule's)
    )
    return opt, sched


@pytest.mark.parametrize("path", ["python", "numpy"])
@given(cfg=_config, metrics=st.lists(_metric, min_size=1, max_size=40))
def test_identical_decisions_to_torch(path, cfg, metrics):
    # With base lr 1.0 torch's lr is the scale itself: same floats, same decisions. Python
    # numbers take the plain-Python rule, NumPy metrics the array rule (np.where, no branch).
    opt, ref = _torch_plateau(cfg, 1.0)
    plateau = reduce_on_plateau(**cfg)
    state = plateau.init()
    for m in metrics:
        ref.step(m)
        state = plateau.update(state, m if path == "python" else np.asarray(m))
        assert plateau.scale(state) == opt.param_groups[0]["lr"]
        assert state.num_bad == ref.num_bad_epochs
        assert state.cooldown_left == ref.cooldown_counter
        assert state.best == ref.best


@given(cfg=_config, metrics=st.lists(_levels, min_size=1, max_size=30))
def test_torch_adapter_matches_torch_at_any_base_lr(cfg, metrics):
    from schedalg.torch import PlateauLR

    opt_ref, ref = _torch_plateau(cfg, 0.3)
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.3)
    ours = PlateauLR(opt, reduce_on_plateau(**cfg))
    assert isinstance(ours, torch.optim.lr_scheduler.ReduceLROnPlateau)
    for m in metrics:
        ref.step(m)
        ours.step(torch.tensor(m))
        # the same multiplications as torch, on the actual lr: the same floats
        assert opt.param_groups[0]["lr"] == opt_ref.param_groups[0]["lr"]
        assert ours.get_last_lr() == [opt.param_groups[0]["lr"]]


def test_torch_adapter_state_dict_round_trip():
    from schedalg.torch import PlateauLR

    plateau = reduce_on_plateau(factor=0.5, patience=1, cooldown=1)
    metrics = [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]

    def fresh():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
        return opt, PlateauLR(opt, plateau)

    opt, s = fresh()
    full = []
    for m in metrics:
        s.step(m)
        full.append(opt.param_groups[0]["lr"])
    opt, s = fresh()
    for m in metrics[:5]:
        s.step(m)
    saved = s.state_dict()
    opt2, s2 = fresh()
    s2.load_state_dict(saved)
    resumed = [opt2.param_groups[0]["lr"]]
    for m in metrics[5:]:
        s2.step(m)
        resumed.append(opt2.param_groups[0]["lr"])
    assert resumed == full[4:]
    # By hand (patience 1, cooldown 1): reductions after the 4th, 7th and 10th metric.
    want = [0.2] * 3 + [0.1] * 3 + [0.05] * 3 + [0.025] * 3
    assert full == pytest.approx(want, rel=1e-15)


def test_hand_sequence_min_rel():
    # patience 2, factor 0.5: the 3rd consecutive non-improvement halves the scale.
    p = reduce_on_plateau(factor=0.5, patience=2, threshold=0.1)
    s = p.init()
    scales = []
    for m in [10.0, 9.5, 9.5, 9.5, 8.0, 7.5, 7.4, 7.3]:
        s = p.update(s, m)
        scales.append(p.scale(s))
    # 9.5 is not < 10 * 0.9 = 9, so 9.5, 9.5, 9.5 are three bad updates -> 0.5 at index 3.
    # 8.0 < 9.0 improves (best 8.0); 7.5 > 7.2 bad, 7.4 bad, 7.3 bad -> 0.25 at index 7.
    assert scales == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_min_scale_and_eps_stop_reductions():
    p = reduce_on_plateau(factor=0.1, patience=0, min_scale=0.05)
    s = p.init()
    for _ in range(6):
        s = p.update(s, 1.0)
    assert p.scale(s) == 0.05
    p = reduce_on_plateau(factor=0.5, patience=0, eps=0.3)
    s = p.init()
    for _ in range(6):
        s = p.update(s, 1.0)
    # 1 -> 0.5 (change 0.5 > 0.3), then 0.5 -> 0.25 changes 0.25 <= 0.3: skipped.
    assert p.scale(s) == 0.5


def test_nan_metric_counts_as_bad():
    p = reduce_on_plateau(factor=0.5, patience=0)
    s = p.update(p.update(p.init(), 1.0), math.nan)
    assert s.best == 1.0 and p.scale(s) == 0.5


@given(cfg=_config, metrics=st.lists(st.integers(-20, 20), min_size=1, max_size=25))
def test_numpy_path_matches_python_path(cfg, metrics):
    p = reduce_on_plateau(**cfg)
    a, b = p.init(), p.init()
    for m in metrics:
        a = p.update(a, float(m))
        b = p.update(b, np.asarray(float(m)))
        assert isinstance(b.scale, np.ndarray)
        assert (float(b.best), int(b.num_bad), int(b.cooldown_left), float(b.scale)) == a


def test_jit_and_scan_match_python_path():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rng = np.random.default_rng(0)
    # Integer-valued metrics: float32 and float64 decide the same.
    metrics = rng.integers(0, 6, size=(8, 40)).astype(np.float32)
    for cfg in [
        dict(factor=0.5, patience=2, cooldown=1, threshold=0.1),
        dict(factor=0.3, patience=0, mode="max", threshold_mode="abs", threshold=0.5),
        dict(factor=0.5, patience=1, min_scale=0.2),
    ]:
        p = reduce_on_plateau(**cfg)

        @jax.jit
        def run(ms, p=p):
            def body(s, metric):
                s = p.update(s, metric)
                return s, p.scale(s)

            return jax.lax.scan(body, p.init(), ms)[1]

        got = np.asarray(jax.vmap(run)(jnp.asarray(metrics)))
        for row, ms in zip(got, metrics, strict=True):
            s, want = p.init(), []
            for x in ms:
                s = p.update(s, float(x))
                want.append(p.scale(s))
            np.testing.assert_allclose(row, want, rtol=1e-6)
        assert got.min() < 1.0  # the sequences did trigger reductions


def test_composes_with_a_schedule_inside_jit():
    jax = pytest.importorskip("jax")
    p = reduce_on_plateau(factor=0.5, patience=0)
    sched = cosine(1.0, 0.0, 100)
    state = p.update(p.update(p.init(), 1.0), 2.0)
    f = jax.jit(lambda st, t: (sched * p.scale(st))(t))
    g = jax.jit(lambda st, t: p.lr(sched, st, t))
    for t in [0, 10, 50]:
        want = 0.5 * (1 + math.cos(math.pi * t / 100)) / 2
        assert float(f(state, t)) == pytest.approx(want, rel=1e-6)
        assert float(g(state, t)) == pytest.approx(want, rel=1e-6)
        assert p.lr(sched, state, t) == pytest.approx(want, rel=1e-12)


def test_state_is_a_pytree_of_four_leaves():
    jax = pytest.importorskip("jax")
    s = reduce_on_plateau().init()
    assert isinstance(s, PlateauState)
    assert len(jax.tree_util.tree_leaves(s)) == 4


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(factor=1.0), "factor must be < 1"),
        (dict(factor=0.0), "factor must be > 0"),
        (dict(factor="x"), "factor"),
        (dict(patience=-1), "patience"),
        (dict(patience=1.5), "patience"),
        (dict(cooldown=-2), "cooldown"),
        (dict(cooldown=0.5), "cooldown"),
        (dict(threshold=-0.1), "threshold must be >= 0"),
        (dict(threshold="x"), "threshold"),
        (dict(threshold=math.nan), "threshold"),
        (dict(threshold_mode="relative"), "threshold_mode"),
        (dict(mode="minimum"), "mode must be one of"),
        (dict(min_scale=1.5), "min_scale"),
        (dict(min_scale=-0.1), "min_scale"),
        (dict(min_scale="x"), "min_scale"),
        (dict(eps=-1.0), "eps"),
        (dict(eps="x"), "eps"),
    ],
)
def test_bad_arguments(kw, match):
    # The message names the function and the argument, and shows the value as given.
    ((name, value),) = kw.items()
    with pytest.raises((ValueError, TypeError), match=match) as info:
        reduce_on_plateau(**kw)
    msg = str(info.value)
    assert msg.startswith(f"reduce_on_plateau(): {name} "), msg
    assert f"got {name}={value!r}" in msg, msg


def test_defaults_are_torchs():
    # The peer's defaults, read from its signature: min_lr 0 is min_scale 0 at any base lr.
    import inspect

    peer = inspect.signature(torch.optim.lr_scheduler.ReduceLROnPlateau).parameters
    p = reduce_on_plateau()
    for name in ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "eps"):
        assert getattr(p, name) == peer[name].default, name
    assert p.min_scale == peer["min_lr"].default == 0


def test_min_scale_one_is_allowed_and_never_reduces():
    # min_scale is in [0, 1]: at 1 the rule still counts plateaus but the scale stays 1.
    p = reduce_on_plateau(factor=0.5, patience=0, min_scale=1.0)
    s = p.init()
    for m in [1.0, 1.0, 1.0]:
        s = p.update(s, m)
    assert s == PlateauState(best=1.0, num_bad=0, cooldown_left=0, scale=1.0)


@pytest.mark.parametrize("path", ["python", "numpy"])
def test_a_first_nan_metric_is_a_bad_update_as_in_torch(path):
    # The state starts with no bad update and no cooldown: a NaN first metric (not better
    # than the initial best) is bad update 1, which with patience 0 reduces at once.
    for patience in (0, 1):
        cfg = dict(
            factor=0.5,
            patience=patience,
            threshold=1e-4,
            threshold_mode="rel",
            cooldown=2,
            min_scale=0.0,
            mode="min",
        )
        opt, ref = _torch_plateau(cfg, 1.0)
        p = reduce_on_plateau(**cfg)
        ref.step(math.nan)
        s = p.update(p.init(), math.nan if path == "python" else np.asarray(math.nan))
        assert int(s.num_bad) == ref.num_bad_epochs == (0 if patience == 0 else 1)
        assert int(s.cooldown_left) == ref.cooldown_counter == (2 if patience == 0 else 0)
        assert float(s.scale) == opt.param_groups[0]["lr"] == (0.5 if patience == 0 else 1.0)


# -- PlateauLR against torch at any base lr, min_lr and eps -------------------------------------

_torch_config = st.fixed_dictionaries(
    {
        "factor": st.sampled_from([0.1, 0.3, 0.5, 0.9]),
        "patience": st.integers(0, 3),
        "threshold": st.sampled_from([0.0, 1e-4, 0.05]),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 2),
        "mode": st.sampled_from(["min", "max"]),
        "eps": st.sampled_from([1e-8, 0.0, 1e-3]),
    }
)
# Mostly plateaus (repeated levels) so reductions happen many times within 200 updates.
_plateau_metric = st.one_of(_levels, _levels, st.floats(-5, 5, allow_nan=False, width=64))


@given(
    cfg=_torch_config,
    lrs=st.lists(st.floats(1e-6, 10.0), min_size=1, max_size=3),
    floor=st.sampled_from(["none", "zero", "scalar", "list"]),
    metrics=st.lists(_plateau_metric, min_size=200, max_size=200),
)
def test_plateau_lr_decides_as_torch_at_any_base_lr(cfg, lrs, floor, metrics):
    from schedalg.torch import PlateauLR

    # torch compares eps with the actual lr and clamps at min_lr per group: the lrs must be
    # the same floats after every one of 200 metrics, with the detector's counters.
    min_lr = {
        "none": None,
        "zero": 0.0,
        "scalar": min(lrs) * 1e-3,
        "list": [lr * 10.0**-k for k, lr in enumerate(lrs, start=1)],
    }[floor]

    def optimizer():
        return torch.optim.SGD(
            [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], lr=1.0
        )

    opt_ref, opt = optimizer(), optimizer()
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt_ref, **cfg, **({} if min_lr is None else {"min_lr": min_lr})
    )
    ours = PlateauLR(opt, reduce_on_plateau(**cfg), min_lr=min_lr)
    for m in metrics:
        ref.step(m)
        ours.step(m)
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in opt_ref.param_groups]
        assert ours.get_last_lr() == ref.get_last_lr()
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
            ref.best,
            ref.num_bad_epochs,
            ref.cooldown_counter,
        )


def test_plateau_lr_eps_is_in_lr_units_as_torch():
    # Regression: at base lr 0.1, factor 0.1, patience 0 and a metric that never improves,
    # torch stops once a reduction would change the lr by <= eps = 1e-8: 0.1 -> ... -> 1e-8
    # (the next step, to 1e-9, changes it by 9e-9). schedalg compared eps with its scale
    # and went on to 1e-9.
    from schedalg.torch import PlateauLR

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = PlateauLR(opt, reduce_on_plateau(factor=0.1, patience=0))
    for _ in range(20):
        sched.step(1.0)
    lr = opt.param_groups[0]["lr"]
    assert lr == pytest.approx(1e-8, rel=1e-9)
    assert lr * (1 - 0.1) <= 1e-8 < lr / 0.1 * (1 - 0.1)  # the rule, by hand


def test_plateau_lr_min_lr_per_group_and_errors():
    from schedalg.torch import PlateauLR

    opt = torch.optim.SGD(
        [{"params": [torch.zeros(1)], "lr": 1.0}, {"params": [torch.zeros(1)], "lr": 0.1}]
    )
    sched = PlateauLR(opt, reduce_on_plateau(factor=0.5, patience=0), min_lr=[0.2, 0.08])
    for _ in range(5):
        sched.step(3.0)
    # by hand: group 0 halves 1 -> 0.5 -> 0.25 -> 0.2 (floor); group 1: 0.1 -> 0.08 (floor)
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.08]
    with pytest.raises(ValueError, match=r"PlateauLR\(\): min_lr has 1 values .* 2 param"):
        PlateauLR(opt, reduce_on_plateau(), min_lr=[0.1])
    with pytest.raises(ValueError, match=r"PlateauLR\(\): min_lr must be a number >= 0"):
        PlateauLR(opt, reduce_on_plateau(), min_lr=-1.0)
    with pytest.raises(TypeError, match=r"PlateauLR\(\): give min_lr or the plateau's min_scale"):
        PlateauLR(opt, reduce_on_plateau(min_scale=0.1), min_lr=0.01)
    with pytest.raises(TypeError, match=r"PlateauLR\(\): plateau must come from"):
        PlateauLR(opt, {"factor": 0.5})


def test_pure_rule_eps_is_torch_eps_over_the_base_lr():
    # The documented relation: torch's eps applies to the lr b * scale, the pure rule's to the
    # scale; with eps = 1e-8 / b the pure rule stops where torch does.
    base = 0.1
    cfg = dict(factor=0.1, patience=0, threshold=1e-4, threshold_mode="rel", cooldown=0)
    opt, ref = _torch_plateau(dict(cfg, min_scale=0.0, mode="min"), base)
    p = reduce_on_plateau(factor=0.1, patience=0, eps=1e-8 / base)
    s = p.init()
    for _ in range(20):
        ref.step(1.0)
        s = p.update(s, 1.0)
        assert base * p.scale(s) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-8, rel=1e-9)


def test_lr_is_the_schedule_times_the_scale_on_numbers_and_arrays():
    # By hand: cosine(2, 0, 10) at t = 5 is 2 * (1 + cos(pi / 2)) / 2 = 1; at t = 0 it is 2.
    p = reduce_on_plateau()
    state = PlateauState(best=1.0, num_bad=0, cooldown_left=0, scale=0.25)
    sched = cosine(2.0, 0.0, 10)
    assert p.lr(sched, state, 5) == pytest.approx(0.25, rel=1e-15)
    assert p.lr(sched, state, 0) == 0.5
    np.testing.assert_allclose(p.lr(sched, state, np.array([0, 5])), [0.5, 0.25], rtol=1e-15)


def test_numpy_state_keeps_its_dtypes():
    # A carried state (lax.scan's carry, or a NumPy loop) must come back with the dtypes it
    # went in with: a float64 metric is compared in the state's float32, so at best 1.0 the
    # metric 1 - 1e-9 (1.0 in float32) is no improvement and the plateau reduces.
    p = reduce_on_plateau(factor=0.5, patience=0, threshold=0.0, cooldown=1)
    s = PlateauState(
        np.asarray(np.inf, np.float32),
        np.asarray(0, np.int32),
        np.asarray(0, np.int32),
        np.asarray(1.0, np.float32),
    )
    dtypes = [x.dtype for x in s]
    s = p.update(s, np.float64(1.0))
    s = p.update(s, np.float64(1.0 - 1e-9))
    assert [x.dtype for x in s] == dtypes
    assert float(s.best) == 1.0 and float(s.scale) == 0.5 and int(s.cooldown_left) == 1


@pytest.mark.parametrize("path", ["python", "numpy"])
def test_a_change_equal_to_eps_is_not_applied_as_in_torch(path):
    # torch applies a reduction only if old - new > eps (strictly): factor 0.5 from 1.0 changes
    # the lr by exactly 0.5, so with eps = 0.5 nothing happens, and with eps just below it does.
    for eps, want in [(0.5, 1.0), (0.4999, 0.5)]:
        opt, ref = _torch_plateau(
            dict(
                factor=0.5,
                patience=0,
                threshold=0.0,
                threshold_mode="abs",
                cooldown=0,
                min_scale=0.0,
                mode="min",
                eps=eps,
            ),
            1.0,
        )
        p = reduce_on_plateau(factor=0.5, patience=0, eps=eps)
        s = p.init()
        for m in [1.0, 1.0]:
            ref.step(m)
            s = p.update(s, m if path == "python" else np.asarray(m))
        assert float(p.scale(s)) == opt.param_groups[0]["lr"] == want


def test_update_on_traced_arrays_takes_the_array_path():
    # Eager JAX arrays (what jit and scan trace) in the metric or the state: the update stays
    # on jax.numpy (no Python branching, so it also traces) and decides as the Python rule.
    # Integer-valued metrics: float32 and float64 decide the same.
    jnp = pytest.importorskip("jax.numpy")
    import jax

    metrics = [3.0, 2.0, 2.0, 2.0, 5.0, 1.0, 1.0, 1.0, 1.0, 4.0, 4.0, 4.0]
    for cfg in [
        dict(factor=0.5, patience=1, cooldown=1, threshold=0.1),
        dict(factor=0.5, patience=0, mode="max", threshold_mode="abs", threshold=1.0),
        dict(factor=0.5, patience=0, mode="max", threshold=0.3, min_scale=0.375),
    ]:
        p = reduce_on_plateau(**cfg)
        a, b, c = p.init(), p.init(), jax.tree_util.tree_map(jnp.asarray, p.init())
        for m in metrics:
            a = p.update(a, m)
            b = p.update(b, jnp.asarray(m))
            c = p.update(c, m)
            for got in (b, c):
                assert all(isinstance(x, jax.Array) for x in got)
                assert (float(got.best), int(got.num_bad), int(got.cooldown_left)) == a[:3]
                assert float(got.scale) == a.scale
        assert a.scale < 1.0  # the sequence did trigger reductions


@pytest.mark.parametrize("path", ["python", "numpy"])
@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_a_tie_with_the_best_is_not_an_improvement(path, mode, threshold_mode):
    # Improvement is strict (torch: a < best * (1 - threshold), a > best + threshold, ...):
    # with threshold 0, repeating the best value is a bad update. By hand, patience 1: the
    # 2nd and 3rd values are bad updates 1 and 2, and the 3rd reduces.
    cfg = dict(
        factor=0.5,
        patience=1,
        threshold=0.0,
        threshold_mode=threshold_mode,
        cooldown=0,
        min_scale=0.0,
        mode=mode,
    )
    opt, ref = _torch_plateau(cfg, 1.0)
    p = reduce_on_plateau(**cfg)
    s = p.init()
    for m in [2.0, 2.0, 2.0]:
        ref.step(m)
        s = p.update(s, m if path == "python" else np.asarray(m))
    assert float(s.scale) == opt.param_groups[0]["lr"] == 0.5
    assert float(s.best) == ref.best == 2.0


# -- plateau and its torch adapter ---------------------------------------------------------------


def test_plateau_update_keeps_the_state_dtypes_on_numpy():
    """A float64 metric does not widen a float32 state (a scan carry must keep its dtype)."""
    rule = reduce_on_plateau(factor=0.5, patience=0)
    state = PlateauState(np.float32(np.inf), np.int32(0), np.int32(0), np.float32(1.0))
    for metric in (np.float64(3.0), np.float64(2.0), np.float64(2.5)):
        state = rule.update(state, np.asarray(metric))
        assert np.asarray(state.best).dtype == np.float32
    # the decisions are the rule's: improvements to 3 then 2, then a bad step halves the scale
    assert float(state.best) == 2.0 and float(state.scale) == 0.5


def _plateau_lr(n_groups):
    torch = pytest.importorskip("torch")
    from schedalg.torch import PlateauLR

    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(n_groups)]
    opt = torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)])
    return opt, PlateauLR(opt, reduce_on_plateau(factor=0.5, patience=0))


def test_plateau_lr_load_state_dict_sets_the_last_lrs():
    _, sched = _plateau_lr(2)
    for metric in (1.0, 2.0, 3.0):
        sched.step(metric)
    saved = sched.state_dict()
    opt2, fresh = _plateau_lr(2)
    fresh.load_state_dict(saved)
    assert fresh.get_last_lr() == [g["lr"] for g in opt2.param_groups]
    assert fresh.get_last_lr() == pytest.approx([0.1 * 0.25, 0.2 * 0.25])


def test_plateau_lr_refuses_a_state_for_another_number_of_groups():
    _, sched = _plateau_lr(2)
    saved = sched.state_dict()
    _, other = _plateau_lr(3)
    with pytest.raises(ValueError):
        other.load_state_dict(saved)
