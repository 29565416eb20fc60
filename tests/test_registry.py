"""Every registered node type works everywhere: JSON, parse(repr), pickle, pytree, strategies.

The node types come from the registry (``schedalg._fields``), not from a list kept here: a node
type added to the library without JSON, parse or pytree support, or that the hypothesis
strategies never draw (so no property test sees it), fails these tests.
"""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest
import strategies
from hypothesis import HealthCheck, Phase, find, settings

import schedalg as sa
from schedalg import _fields as F
from schedalg._schedule import _post_order

BUILT_IN = sorted(
    name
    for name in F.node_names()
    if all(c.__module__.startswith("schedalg.") for c in F.node_classes(name))
)


def _types_in(s: sa.Schedule) -> set[str]:
    return {type(n)._fname for n in (s, *_post_order(s))}


@functools.cache
def _example(name: str) -> sa.Schedule:
    """A schedule drawn by the shared strategies that holds a node of this type."""
    return find(
        strategies.all_schedules(),
        lambda s: name in _types_in(s),
        settings=settings(
            max_examples=3000,
            phases=[Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_the_registry_holds_every_built_in_node_class():
    # every concrete class under Schedule with a public constructor name is registered
    from schedalg._pytree import _all_node_classes

    registered = set(F.node_classes())
    for cls in _all_node_classes():
        if (
            cls.__module__.startswith("schedalg.")
            and cls._fname
            and not cls.__name__.startswith("_")
        ):
            assert cls in registered, cls
    assert {"hold", "cosine", "concat", "repeat", "clip", "take", "sigmoid"} <= set(BUILT_IN)


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_node_type_round_trips_everywhere(name):
    s = _example(name)  # fails when the strategies never reach the type
    ts = np.arange(0, 80)
    want = s(ts)
    for back in (
        sa.from_json(sa.to_json(s)),
        sa.parse(repr(s)),
        pickle.loads(pickle.dumps(s)),
    ):
        assert back == s
        assert hash(back) == hash(s)
        np.testing.assert_array_equal(back(ts), want)


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_node_type_is_a_pytree_with_named_keys(name):
    jax = pytest.importorskip("jax")
    s = _example(name)
    leaves, treedef = jax.tree_util.tree_flatten(s)
    assert jax.tree_util.tree_unflatten(treedef, leaves) == s
    # key paths name the fields (``.start``), not positions
    for path, _ in jax.tree_util.tree_flatten_with_path(s)[0]:
        for key in path:
            assert isinstance(key, jax.tree_util.GetAttrKey), path
    if name not in ("concat", "piecewise"):  # (these pack their leaves into one vector)
        direct = next(n for n in (s, *_post_order(s)) if type(n)._fname == name)
        # (the attribute holding each field: a key path is read with getattr)
        fields = {f.attr or f.name for f in type(direct)._fields if f.role in (F.LEAF, F.CHILD)}
        names = {p[0].name for p, _ in jax.tree_util.tree_flatten_with_path(direct)[0]}
        assert names <= fields


@pytest.mark.parametrize("name", BUILT_IN)
def test_json_fields_match_the_public_constructor(name):
    """The JSON fields derived from the declarations are the builder's arguments."""
    import inspect

    spec = sa.io.SPECS[name]
    params = inspect.signature(F.builder(name) or F.node_classes(name)[0]).parameters
    var = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    named = [k for k, p in params.items() if p.kind not in var]
    assert set(named) <= set(spec.names), (named, spec.names)
    for k, _kind, default in spec.fields:
        if k in params and params[k].default is not inspect.Parameter.empty:
            assert default == params[k].default or (default is None and params[k].default is None)


def test_a_node_class_without_a_formula_is_refused():
    with pytest.raises(TypeError, match="formula"):

        class Nothing(sa.Primitive, name="nothing_registry_test"):
            v: float = sa.leaf()


def test_a_name_taken_by_another_class_is_refused():
    with pytest.raises(ValueError, match="already taken"):

        class Other(sa.Primitive, name="cosine"):
            v: float = sa.leaf()

            def formula(self, t, xp):
                return self.v + 0 * t


def test_an_unknown_type_in_json_names_it_and_says_how_to_fix():
    doc = '{"schedalg": 1, "type": "not_imported_here", "v": 1.0}'
    with pytest.raises(sa.FormatError, match=r"not_imported_here.*module that defines it"):
        sa.from_json(doc)
