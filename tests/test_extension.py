"""A primitive of one's own (``schedalg.Primitive``) works everywhere a built-in one does."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import schedalg as sa


class bump(sa.Primitive, name="bump_ext_test"):
    """A Gaussian bump: peak * exp(-((t - center) / width)**2 / 2) over ``steps`` steps."""

    peak: float = sa.leaf()
    center: float = sa.static(check="number")
    width: float = sa.static(check="positive")
    steps: int = sa.static(check="steps")

    def validate(self):
        if not 0 <= self.center <= self.steps:
            raise ValueError(
                f"bump_ext_test(): center must be within [0, steps], got center={self.center!r}"
            )

    def formula(self, t, xp):
        return self.peak * xp.exp(-0.5 * ((t - self.center) / self.width) ** 2)


def by_hand(peak, center, width, steps, t):
    t = min(t, steps)
    return peak * math.exp(-0.5 * ((t - center) / width) ** 2)


S = bump(2.0, 10.0, 4.0, 20)
TS = list(range(0, 40))


def test_values_follow_the_formula_on_python_and_numpy():
    want = [by_hand(2.0, 10.0, 4.0, 20, t) for t in TS]
    assert [S(t) for t in TS] == pytest.approx(want, rel=1e-15)
    np.testing.assert_allclose(S(np.asarray(TS)), want, rtol=1e-15)
    np.testing.assert_allclose(S(np.asarray(TS, dtype=np.int32)), want, rtol=1e-15)
    assert S.duration == 20 and S.end_value == pytest.approx(by_hand(2.0, 10.0, 4.0, 20, 20))


def test_arguments_are_checked_by_name_and_together():
    with pytest.raises(ValueError, match=r"bump_ext_test\(\): steps must be a non-negative int"):
        bump(1.0, 1.0, 1.0, -1)
    with pytest.raises(ValueError, match=r"width must be > 0"):
        bump(1.0, 1.0, 0.0, 10)
    with pytest.raises(ValueError, match=r"peak must be finite"):
        bump(math.nan, 1.0, 1.0, 10)
    with pytest.raises(ValueError, match=r"center must be within"):
        bump(1.0, 30.0, 1.0, 10)
    with pytest.raises(TypeError, match=r"missing argument 'steps'"):
        bump(1.0, 1.0, 1.0)
    with pytest.raises(TypeError, match=r"unexpected argument 'stepz'"):
        bump(1.0, 1.0, 1.0, stepz=3)
    with pytest.raises(TypeError, match=r"takes 4 arguments"):
        bump(1.0, 1.0, 1.0, 3, 4)


def test_it_composes_with_every_combinator():
    s = sa.linear_ramp(0.0, 2.0, 10) >> S >> sa.hold(0.1)
    assert s(10 + 10) == 2.0  # the bump's centre, 10 steps into it
    assert s(35) == 0.1
    r = sa.repeat(S, times=3)
    assert r(20 + 7) == pytest.approx(by_hand(2.0, 10.0, 4.0, 20, 7))
    m = S * 0.5 + 1.0
    assert m(10) == 2.0
    assert sa.staircase(S, 5)(13) == pytest.approx(by_hand(2.0, 10.0, 4.0, 20, 10))
    assert sa.shift(S, 5)(15) == 2.0


def test_json_parse_pickle_repr_and_hash():
    s = sa.linear_ramp(0.0, 2.0, 10) >> S
    assert repr(S) == "bump_ext_test(2.0, 10.0, 4.0, 20)"
    for back in (sa.from_json(sa.to_json(s)), sa.parse(repr(s)), pickle.loads(pickle.dumps(s))):
        assert back == s and hash(back) == hash(s)
    d = sa.to_dict(S)
    assert d == {
        "schedalg": 1,
        "type": "bump_ext_test",
        "peak": 2.0,
        "center": 10.0,
        "width": 4.0,
        "steps": 20,
    }
    bad = dict(d, steps=-3)
    with pytest.raises(sa.FormatError, match=r"\$\.steps"):
        sa.from_dict(bad)


def test_jax_jit_vmap_grad():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    s = sa.linear_ramp(0.0, 2.0, 10) >> S
    got = jax.jit(lambda sched, t: sched(t))(s, jnp.arange(40))
    np.testing.assert_allclose(got, s(np.arange(40)), rtol=1e-6, atol=1e-7)
    peaks = jnp.array([1.0, 3.0])
    v = jax.vmap(lambda p: bump(p, 10.0, 4.0, 20)(14))(peaks)
    np.testing.assert_allclose(v, [by_hand(p, 10.0, 4.0, 20, 14) for p in (1.0, 3.0)], rtol=1e-6)
    g = jax.grad(lambda p: bump(p, 10.0, 4.0, 20)(14.0))(2.0)
    assert float(g) == pytest.approx(math.exp(-0.5), rel=1e-6)  # d value / d peak
    paths = [p for p, _ in jax.tree_util.tree_flatten_with_path(S)[0]]
    assert [k.name for (k,) in paths] == ["peak"]


def test_torch_tensor_times():
    torch = pytest.importorskip("torch")
    got = S(torch.arange(30))
    assert isinstance(got, torch.Tensor)
    np.testing.assert_allclose(got.numpy(), [by_hand(2.0, 10.0, 4.0, 20, t) for t in range(30)])


def test_summary_and_plot_fall_back_to_numbers():
    summ = S.summary()
    assert summ.peak == pytest.approx(2.0) and summ.peak_step == 10
    budget = sum(by_hand(2.0, 10.0, 4.0, 20, t) for t in range(20))
    assert S.integral() == pytest.approx(budget, rel=1e-12)
    lo, hi = S._range()
    assert lo == pytest.approx(by_hand(2.0, 10.0, 4.0, 20, 0)) and hi == pytest.approx(2.0)


def test_an_unknown_name_in_a_fresh_process_says_what_to_import():
    code = textwrap.dedent(
        """
        import schedalg as sa
        try:
            sa.from_json('{"schedalg": 1, "type": "bump_ext_test", "peak": 1}')
        except sa.FormatError as e:
            print(e)
        try:
            sa.parse("bump_ext_test(1.0, 1.0, 1.0, 3)")
        except sa.ParseError as e:
            print(e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "unknown schedule type 'bump_ext_test'" in out.stdout
    assert "module that defines it" in out.stdout
    assert "bump_ext_test" in out.stdout.splitlines()[-3]


@pytest.mark.parametrize("jax_first", [True, False])
def test_a_class_is_a_pytree_whatever_the_import_order(jax_first):
    pytest.importorskip("jax")
    code = textwrap.dedent(
        f"""
        import sys
        if {jax_first}:
            import jax
        import schedalg as sa

        class late(sa.Primitive, name="late"):
            v: float = sa.leaf()
            def formula(self, t, xp):
                return self.v / (1.0 + t)

        import jax
        s = sa.hold(1.0, 2) >> late(2.0)
        leaves = jax.tree_util.tree_leaves(s)
        print(len(leaves), float(jax.jit(lambda q: q(3))(s)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", str(2.0 / 2.0)]


# -- one set of field declarations ---------------------------------------------------------------


def _all_node_classes():
    todo, out = [sa.Schedule], []
    while todo:
        for sub in todo.pop().__subclasses__():
            out.append(sub)
            todo.append(sub)
    return out


def test_built_in_nodes_declare_their_fields_with_the_public_helpers():
    """No private back door: ``schedalg.leaf``, ``static`` and ``child`` are the only field
    helpers (the ones ``_fields`` defines and the built-in nodes call as ``F.leaf``, ...)."""
    from schedalg import _extension, _fields

    assert (sa.leaf, sa.static, sa.child) == (_fields.leaf, _fields.static, _fields.child)
    assert not {"leaf", "static", "child"} & set(vars(_extension))  # no second set
    roles = {sa.leaf().role, sa.static().role, sa.child().role}
    declared = {f.role for cls in _all_node_classes() for f in cls._fields}
    assert declared == roles == {"leaf", "static", "child"}


def test_field_helpers_keep_their_public_signature():
    f = sa.child("the wrapped schedule")  # doc is positional, as before
    assert (f.role, f.doc, f.many, f.optional, f.arg) == (
        "child",
        "the wrapped schedule",
        False,
        False,
        True,
    )
    f = sa.leaf(0.5, check="positive", doc="a gain")
    assert (f.default, f.check, f.doc, f.optional) == (0.5, "positive", "a gain", False)
    assert sa.static(None).optional and sa.leaf(optional=True).optional
    assert sa.static(many=True).json_kind == "list" and not sa.leaf(arg=False).arg
    assert sa.child(many=True).json_kind == "schedules"
    assert sa.leaf(optional=True).json_kind == "a number or null"
    # built-in nodes use the same helpers: piecewise's sequences, concat's pieces
    assert [f.json_kind for f in sa.piecewise([5], [1.0, 0.5])._fields] == ["list", "list"]


@pytest.mark.parametrize(
    "declare",
    [lambda: sa.leaf(many=True), lambda: sa.static(arg=False), lambda: sa.child(many=True)],
)
def test_a_primitive_refuses_sequence_and_computed_fields_by_name(declare):
    with pytest.raises(TypeError, match=r"many_ext_test: field 'values': a Primitive's fields"):

        class many_ext_test(sa.Primitive, name="many_ext_test_name"):
            values: float = declare()

            def formula(self, t, xp):
                return t

    from schedalg import _fields

    assert _fields.node_classes("many_ext_test_name") == []  # refused, so not registered
    with pytest.raises(TypeError, match=r"no_formula_ext_test: a Primitive must define formula"):

        class no_formula_ext_test(sa.Primitive, name="no_formula_ext_test_name"):
            v: float = sa.leaf()

    assert _fields.node_classes("no_formula_ext_test_name") == []


def test_an_unknown_named_check_is_named_with_the_known_ones():
    class odd_check(sa.Primitive, name="odd_check_ext_test"):
        v: float = sa.leaf(check="finite")

        def formula(self, t, xp):
            return self.v + 0 * t

    with pytest.raises(ValueError, match=r"field 'v': unknown check 'finite' \(known: value, "):
        odd_check(1.0)


def test_a_primitive_has_the_signature_of_its_fields():
    """help(), IDEs and the API reference see the declared fields as the arguments (the
    constructor itself takes ``*args, **kwargs``)."""
    import inspect

    sig = inspect.signature(sa.sigmoid)
    assert list(sig.parameters) == ["start", "end", "steps", "steepness"]
    assert sig.parameters["start"].default is inspect.Parameter.empty
    assert sig.parameters["steepness"].default == 10.0


def test_a_signature_with_a_required_field_after_a_default_one():
    """The constructor takes ``wave(1.0, 0.5, 10)`` by position; Python's signatures cannot
    put a required argument after a default one, so those show as keyword arguments."""
    import inspect

    class wave(sa.Primitive, name="wave_signature_test"):
        mean: float = sa.leaf()
        amplitude: float = sa.leaf(0.0)
        period: float = sa.static(check="positive")

        def formula(self, t, xp):
            return self.mean + self.amplitude * xp.sin(t / self.period)

        def _duration(self):
            return None

    sig = inspect.signature(wave)
    kinds = [p.kind for p in sig.parameters.values()]
    assert list(sig.parameters) == ["mean", "amplitude", "period"]
    assert kinds == [
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.KEYWORD_ONLY,
    ]
    assert wave(1.0, 0.5, 10.0)(0) == 1.0
