"""One argument-checking vocabulary: the same mistake raises the same exception everywhere.

The rule (``schedalg/_checks.py``): a value of the wrong kind (a string or None where a
number is needed, a bool, a fractional count such as ``steps=1.5``, a non-string option) is a
``TypeError``; a value of the right kind outside its range (negative, NaN, infinite, an
unknown option) is a ``ValueError``; a call that leaves out a needed argument or gives two
that exclude each other is a ``TypeError``, as Python's own calls are. Every such error
carries the function, the argument, the index (for a list element) and the value as data.

The expected types below come from that rule, not from the code: the same table of
mistakes goes through core constructors, combinators, analysis, every compat peer and the
adapters.
"""

from __future__ import annotations

import math
import pickle

import pytest

import schedalg as sa

# each peer module, reached below as compat.<peer>
import schedalg.compat.classics
import schedalg.compat.fastai
import schedalg.compat.keras
import schedalg.compat.optax
import schedalg.compat.tf
import schedalg.compat.timm
import schedalg.compat.torch
import schedalg.compat.transformers
from schedalg import compat
from schedalg.plateau import reduce_on_plateau
from schedalg.range_test import range_test

NAN, INF = math.nan, math.inf

_RAMP = sa.linear_ramp(0.0, 1.0, 4)

# (function, argument, call with the bad value, None allowed): arguments that take a count
COUNTS = [
    ("cosine", "steps", lambda x: sa.cosine(1.0, 0.0, x), False),
    ("linear_ramp", "steps", lambda x: sa.linear_ramp(0.0, 1.0, x), False),
    ("hold", "steps", lambda x: sa.hold(1.0, x), True),
    ("triangle", "steps", lambda x: sa.triangle(0.0, 1.0, x), False),
    ("exp", "steps", lambda x: sa.exp(1.0, 0.5, x), False),
    ("repeat", "times", lambda x: sa.repeat(_RAMP, times=x), True),
    ("integral", "a", lambda x: _RAMP.integral(x), False),
    ("StepLR", "step_size", lambda x: compat.torch.StepLR(0.1, x), False),
    ("CosineDecay", "decay_steps", lambda x: compat.keras.CosineDecay(0.1, x), False),
    (
        "cosine_decay_schedule",
        "decay_steps",
        lambda x: compat.optax.cosine_decay_schedule(0.1, x),
        False,
    ),
    (
        "manual_stepping",
        "boundaries",
        lambda x: compat.tf.manual_stepping([3, x], [1.0, 0.5, 0.1]),
        False,
    ),
    ("CosineLRScheduler", "t_initial", lambda x: compat.timm.CosineLRScheduler(0.1, x), False),
    (
        "get_linear_schedule_with_warmup",
        "num_warmup_steps",
        lambda x: compat.transformers.get_linear_schedule_with_warmup(0.1, x, 100),
        False,
    ),
    ("fit_sgdr", "n_cycles", lambda x: compat.fastai.fit_sgdr(x, 1, 0.1, n_iter=10), False),
    ("noam", "warmup_steps", lambda x: compat.classics.noam(512, x), False),
    ("reduce_on_plateau", "patience", lambda x: reduce_on_plateau(patience=x), False),
    ("range_test", "steps", lambda x: range_test(1e-4, 1.0, x), False),
]

# (function, argument, index, call with the bad value, None allowed): value-like arguments
VALUES = [
    ("cosine", "start", None, lambda x: sa.cosine(x, 0.0, 10), False),
    ("hold", "value", None, lambda x: sa.hold(x), False),
    ("piecewise", "values", 1, lambda x: sa.piecewise([5], [1.0, x]), False),
    ("clip", "low", None, lambda x: sa.clip(_RAMP, low=x), True),
    ("scale_by_cycle", "factor", None, lambda x: sa.scale_by_cycle(sa.repeat(_RAMP), x), False),
    ("StepLR", "base_lr", None, lambda x: compat.torch.StepLR(x, 3), False),
    (
        "CosineDecay",
        "initial_learning_rate",
        None,
        lambda x: compat.keras.CosineDecay(x, 10),
        False,
    ),
    (
        "cosine_decay_schedule",
        "init_value",
        None,
        lambda x: compat.optax.cosine_decay_schedule(x, 10),
        False,
    ),
    (
        "natural_exp_decay",
        "learning_rate",
        None,
        lambda x: compat.tf.natural_exp_decay(x, 10, 0.5),
        False,
    ),
    ("CosineLRScheduler", "base_lr", None, lambda x: compat.timm.CosineLRScheduler(x, 10), False),
    (
        "get_constant_schedule",
        "base_lr",
        None,
        lambda x: compat.transformers.get_constant_schedule(x),
        False,
    ),
    ("SchedCos", "start", None, lambda x: compat.fastai.SchedCos(x, 0.0), False),
    ("noam", "factor", None, lambda x: compat.classics.noam(512, 4000, x), False),
    ("reduce_on_plateau", "threshold", None, lambda x: reduce_on_plateau(threshold=x), False),
    ("range_test", "start", None, lambda x: range_test(x, 1.0, 10), False),
]

# the mistakes, each with the type the rule gives it
COUNT_MISTAKES = [
    (1.5, TypeError),  # a fractional count
    (-5, ValueError),  # a negative count
    (NAN, ValueError),
    (INF, ValueError),
    ("5", TypeError),
    (True, TypeError),
    (None, TypeError),
]
VALUE_MISTAKES = [
    (NAN, ValueError),
    (INF, ValueError),
    ("0.1", TypeError),
    (True, TypeError),
    (None, TypeError),
]


def _check(call, value, expected, function, argument, index=None):
    with pytest.raises(Exception) as info:
        call(value)
    err = info.value
    # exactly the rule's type: a ValueError is not also a TypeError, nor the reverse
    other = ValueError if expected is TypeError else TypeError
    assert isinstance(err, expected) and not isinstance(err, other), repr(err)
    assert (err.function, err.argument, err.index) == (function, argument, index)
    assert err.value is value
    assert str(err).startswith(f"{function}(): ")


def _cases(calls, mistakes):
    """Every call with every mistake, but None where the argument takes None."""
    return [
        pytest.param(*call[:-1], value, expected, id=f"{call[0]}-{value!r}")
        for call in calls
        for value, expected in mistakes
        if not (value is None and call[-1])
    ]


@pytest.mark.parametrize(
    ("function", "argument", "call", "value", "expected"), _cases(COUNTS, COUNT_MISTAKES)
)
def test_count_mistakes_raise_the_same_type_everywhere(function, argument, call, value, expected):
    index = 1 if function == "manual_stepping" else None
    _check(call, value, expected, function, argument, index)


@pytest.mark.parametrize(
    ("function", "argument", "index", "call", "value", "expected"), _cases(VALUES, VALUE_MISTAKES)
)
def test_value_mistakes_raise_the_same_type_everywhere(
    function, argument, index, call, value, expected
):
    _check(call, value, expected, function, argument, index)


def test_the_issue_s_example_raises_one_type():
    # a fractional step count: the core and the torch peer agree
    for call in (lambda: sa.cosine(1.0, 0.0, 1.5), lambda: compat.torch.StepLR(1.0, 1.5)):
        with pytest.raises(TypeError) as info:
            call()
        assert not isinstance(info.value, ValueError)
        assert info.value.value == 1.5


@pytest.mark.parametrize(
    ("call", "function", "argument"),
    [
        (lambda x: compat.torch.CyclicLR(0.1, 1.0, mode=x), "CyclicLR", "mode"),
        (
            lambda x: compat.optax.piecewise_interpolate_schedule(x, 1.0),
            "piecewise_interpolate_schedule",
            "interpolate_type",
        ),
        (lambda x: compat.classics.cyclical_lr(0.1, 1.0, 4, mode=x), "cyclical_lr", "mode"),
        (
            lambda x: compat.timm.WSDLRScheduler(0.1, 10, 5, stable_fn=x),
            "WSDLRScheduler",
            "stable_fn",
        ),
        (
            lambda x: compat.transformers.get_wsd_schedule(
                0.1, 1, 2, num_stable_steps=3, decay_type=x
            ),
            "get_wsd_schedule",
            "decay_type",
        ),
        (lambda x: reduce_on_plateau(mode=x), "reduce_on_plateau", "mode"),
        (lambda x: range_test(1e-4, 1.0, 10, mode=x), "range_test", "mode"),
    ],
)
def test_options_unknown_string_is_a_value_error_other_kinds_a_type_error(call, function, argument):
    _check(call, "no-such-option", ValueError, function, argument)
    _check(call, 3, TypeError, function, argument)


@pytest.mark.parametrize(
    ("call", "function"),
    [
        (lambda: sa.exp(1.0), "exp"),  # neither end nor rate
        (lambda: sa.exp(1.0, 0.5, rate=0.5), "exp"),  # both
        (lambda: sa.exp(1.0, 0.5), "exp"),  # the geometric form without steps
        (lambda: compat.torch.OneCycleLR(0.1), "OneCycleLR"),  # no length at all
        (lambda: compat.transformers.get_scheduler("linear", 0.1), "get_scheduler"),
        (
            lambda: compat.transformers.get_cosine_with_min_lr_schedule_with_warmup(0.1, 1, 10),
            "get_cosine_with_min_lr_schedule_with_warmup",
        ),
        (lambda: sa.exp(1.0, rate=0.5).integral(), "integral"),  # an infinite sum needs b
    ],
)
def test_missing_or_excluding_arguments_are_type_errors(call, function):
    with pytest.raises(TypeError) as info:
        call()
    assert not isinstance(info.value, ValueError)
    assert info.value.function == function


def test_list_elements_carry_their_index():
    with pytest.raises(TypeError) as info:
        sa.concat(_RAMP, "x")
    assert (info.value.function, info.value.argument, info.value.index) == (
        "concat",
        "schedules",
        1,
    )
    assert info.value.value == "x"
    with pytest.raises(ValueError) as info:
        sa.piecewise([1, 5, 3], [1.0, 2.0, 3.0, 4.0])
    assert (info.value.argument, info.value.index, info.value.value) == ("boundaries", 2, 3)
    with pytest.raises(ValueError) as info:
        compat.torch.MultiStepLR(0.1, [3, -1])
    assert (info.value.function, info.value.argument, info.value.index) == (
        "MultiStepLR",
        "milestones",
        1,
    )


def test_the_errors_pickle_with_their_data():
    with pytest.raises(ValueError) as info:
        sa.cosine(1.0, 0.0, -5)
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is type(info.value)
    assert (back.function, back.argument, back.index, back.value) == ("cosine", "steps", None, -5)
    assert (
        str(back) == str(info.value) == "cosine(): steps must be a non-negative int, got steps=-5"
    )


def test_one_helper_builds_both_kinds_of_error():
    """``bad_type`` (wrong kind) and ``bad_value`` (out of range) are one message builder,
    ``ArgumentError.about``, on the two classes of the rule."""
    from schedalg import _checks as K

    assert K.bad_type.__func__ is K.bad_value.__func__ is K.ArgumentError.about.__func__
    e = K.bad_type("warp", "power", "2", "must be a real number")
    assert type(e) is K.ArgumentTypeError and isinstance(e, TypeError)
    assert not isinstance(e, ValueError)
    assert str(e) == "warp(): power must be a real number, got power='2'"
    assert (e.function, e.argument, e.index, e.value) == ("warp", "power", None, "2")
    e = K.bad_value("piecewise", "values", -1.5, "must be >= 0", index=3, note=" (a rate)")
    assert type(e) is K.ArgumentValueError and isinstance(e, ValueError)
    assert not isinstance(e, TypeError)
    assert str(e) == "piecewise(): values[3] must be >= 0, got values[3]=-1.5 (a rate)"
    assert (e.function, e.argument, e.index, e.value, e.label) == (
        "piecewise",
        "values",
        3,
        -1.5,
        "values[3]",
    )


def test_from_dict_paths_come_from_the_error_data():
    # the message names no field first ("the geometric form needs steps"): the data does
    doc = {"schedalg": 1, "type": "exp", "start": 1.0, "end": 0.5, "steps": None}
    with pytest.raises(sa.FormatError) as info:
        sa.from_dict(doc)
    assert info.value.path == "$.steps"
    # the arguments refused together point at the node
    doc = {"schedalg": 1, "type": "exp", "start": 1.0, "rate": 1e20, "steps": 10}
    with pytest.raises(sa.FormatError) as info:
        sa.from_dict(doc)
    assert info.value.path == "$"


def test_adapters_use_the_same_rule():
    torch = pytest.importorskip("torch")
    from schedalg.torch import ParamScheduler, to_lambda_lr

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    _check(
        lambda x: to_lambda_lr(opt, _RAMP, relative=x), "yes", TypeError, "to_lambda_lr", "relative"
    )
    _check(
        lambda x: to_lambda_lr(opt, _RAMP, negative=x),
        "never",
        ValueError,
        "to_lambda_lr",
        "negative",
    )
    _check(lambda x: to_lambda_lr(x, _RAMP), "opt", TypeError, "to_lambda_lr", "optimizer")
    with pytest.raises(TypeError) as info:
        ParamScheduler(opt, {"lr": "0.1"})
    err = info.value
    assert (err.function, err.argument, err.index, err.value) == (
        "ParamScheduler",
        "schedules",
        "lr",
        "0.1",
    )
