"""Compat schedules keep their peer's name (issue 12): they print, save and parse as the call
``compat.<peer>.<Name>(...)``, and are the same schedule as the algebra they build."""

from __future__ import annotations

import json

import numpy as np
import pytest

import schedalg as sa
from schedalg.compat import optax as O
from schedalg.compat import torch as T
from schedalg.compat import transformers as H


def test_a_compat_schedule_prints_saves_and_parses_as_the_peers_call():
    s = T.OneCycleLR(0.1, total_steps=100)
    assert repr(s) == "compat.torch.OneCycleLR(0.1, total_steps=100)"
    doc = json.loads(sa.to_json(s))
    assert doc == {
        "schedalg": 1,
        "type": "compat",
        "call": "torch.OneCycleLR",
        "args": {"max_lr": 0.1, "total_steps": 100},
    }
    for back in (sa.from_json(sa.to_json(s)), sa.parse(repr(s))):
        assert back == s and repr(back) == repr(s)


def test_arguments_print_by_position_until_one_is_left_out_then_by_keyword():
    s = T.StepLR(0.1, 30, 0.5)
    assert repr(s) == "compat.torch.StepLR(0.1, 30, gamma=0.5)"
    assert repr(T.StepLR(0.1, 30)) == "compat.torch.StepLR(0.1, 30)"
    # schedules and lists as arguments
    seq = T.SequentialLR([T.ExponentialLR(0.1, 0.9), T.StepLR(0.1, 3)], [4])
    assert repr(seq) == (
        "compat.torch.SequentialLR([compat.torch.ExponentialLR(0.1, 0.9), "
        "compat.torch.StepLR(0.1, 3)], [4])"
    )
    assert sa.parse(repr(seq)) == seq and sa.from_json(sa.to_json(seq)) == seq


def test_it_is_the_same_schedule_as_its_expansion():
    s = H.get_linear_schedule_with_warmup(1.0, 10, 110)
    e = s.expand()
    assert type(e) is not type(s)
    assert s == e and e == s and hash(s) == hash(e)
    ts = np.arange(0, 130)
    np.testing.assert_array_equal(s(ts), e(ts))
    assert [s(int(t)) for t in ts] == [e(int(t)) for t in ts]
    # the formula (transformers): t / w during the warmup, then (n - t) / (n - w)
    assert s(5) == 0.5 and s(60) == 0.5 and s(110) == 0.0


def test_an_argument_without_a_plain_form_prints_the_algebra():
    s = T.StepLR(np.float32(0.5), 10)  # a NumPy scalar: no exact plain form as given
    assert not repr(s).startswith("compat.")
    assert sa.from_json(sa.to_json(s)) == s and s(10) == pytest.approx(0.05)


def test_jit_grad_and_a_batch_of_calls_with_different_arguments():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    s = T.StepLR(0.1, 10, 0.5)
    got = jax.jit(lambda s, t: s(t))(s, jnp.arange(25))
    np.testing.assert_allclose(np.asarray(got), s(np.arange(25)), rtol=1e-6)

    # the same leaves back: the call is kept
    leaves, tree = jax.tree.flatten(s)
    assert repr(jax.tree.unflatten(tree, leaves)) == repr(s)
    # other values: the rebuilt node does not pretend to be the call that made s
    other = jax.tree.unflatten(tree, [x * 2 for x in leaves])
    assert not repr(other).startswith("compat.")
    assert other(0) == pytest.approx(0.2)

    # a sweep: calls with different numbers stack into one batch
    batch = [T.StepLR(lr, 10, 0.5) for lr in (0.1, 0.2, 0.4)]
    stacked = jax.tree.map(lambda *x: jnp.stack(x), *batch)
    got = jax.vmap(lambda s: s(15))(stacked)
    np.testing.assert_allclose(np.asarray(got), [0.05, 0.1, 0.2], rtol=1e-6)
    assert "compat." not in repr(stacked)  # no single call made the batch

    # grad with respect to the value leaves: StepLR at t = 15 is base_lr * 0.5, and its
    # first leaf is base_lr
    g = jax.grad(lambda s: s(15))(s)
    assert float(jax.tree.leaves(g)[0]) == pytest.approx(0.5)


def test_bad_compat_documents_name_the_path():
    base = {"schedalg": 1, "type": "compat", "call": "torch.NoSuchLR", "args": {}}
    with pytest.raises(sa.FormatError, match=r"\$\.call: .*NoSuchLR"):
        sa.from_dict(base)
    with pytest.raises(sa.FormatError, match=r"\$\.args: expected an object of arguments"):
        sa.from_dict({**base, "call": "torch.StepLR", "args": [0.1, 3]})
    with pytest.raises(sa.FormatError, match=r"\$\.args\.base_lr: .*real number"):
        sa.from_dict({**base, "call": "torch.StepLR", "args": {"base_lr": "0.1", "step_size": 3}})
    with pytest.raises(sa.FormatError, match=r"\$\.args\.step_size: .*step_size"):
        sa.from_dict({**base, "call": "torch.StepLR", "args": {"base_lr": 0.1, "step_size": 0}})


def test_compat_is_not_a_function_in_expressions():
    with pytest.raises(sa.ParseError, match="unknown function"):
        sa.parse('compat("torch.StepLR")')
    assert O.cosine_decay_schedule(1.0, 10) == sa.parse(
        "compat.optax.cosine_decay_schedule(1.0, 10)"
    )
