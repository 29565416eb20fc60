"""optax / Flax helpers: schedule any hyperparameter and read the values back for logging.

A schedalg schedule already is an optax schedule: it is called with the int32 update count
and returns a JAX scalar, inside or outside ``jit``::

    tx = optax.adamw(learning_rate=warmup >> decay)

The helpers here cover the rest: several hyperparameters at once through
``optax.inject_hyperparams``, and reading their current values from an optimizer state.
Time convention: the value at ``k`` is the one used by the ``k``-th update (0-based).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import optax

from . import _checks as K

__all__ = ["hyperparams", "scheduled"]


def scheduled(
    optimizer: Callable[..., optax.GradientTransformation], /, **hyperparams: Any
) -> optax.GradientTransformationExtraArgs:
    """``optimizer(**hyperparams)`` with every schedule among them evaluated at each update.

    Equivalent to ``optax.inject_hyperparams(optimizer)(**hyperparams)``: a schedule (any
    callable of the count) given for a hyperparameter is evaluated at the update count and the
    value is stored in the optimizer state, where :func:`hyperparams` reads it. Numbers stay
    constants but are stored too. Checks the names against the optimizer's signature first.

    Args:
        optimizer: an optax optimizer factory, e.g. ``optax.adamw``.
        **hyperparams: the factory's arguments; schedules or numbers.

    Returns:
        The optax gradient transformation.

    Example:
        >>> from schedalg.optax import hyperparams, scheduled
        >>> import jax.numpy as jnp, optax
        >>> from schedalg import linear_ramp
        >>> tx = scheduled(optax.adamw, learning_rate=linear_ramp(0.0, 1e-3, 10), b1=0.9)
        >>> state = tx.init({"w": jnp.zeros(3)})
        >>> float(hyperparams(state)["learning_rate"])
        0.0

    Reference:
        optax.inject_hyperparams.
    """
    import inspect

    if not callable(optimizer):
        raise K.ArgumentTypeError(
            "scheduled",
            "optimizer",
            optimizer,
            f"scheduled(): optimizer must be an optax factory, got {optimizer!r}",
        )
    try:
        params = inspect.signature(optimizer).parameters
    except (TypeError, ValueError):
        params = None
    if params is not None and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(hyperparams) - set(params))
        if unknown:
            raise K.ArgumentTypeError(
                "scheduled",
                None,
                None,
                f"scheduled(): {getattr(optimizer, '__name__', optimizer)!s} has no "
                f"hyperparameter(s) {unknown}; it takes {list(params)}",
            )
    return optax.inject_hyperparams(optimizer)(**hyperparams)


def _inject_states(tree: Any) -> list[Any]:
    found: list[Any] = []

    def visit(node: Any) -> bool:
        if isinstance(node, (optax.InjectHyperparamsState, optax.InjectStatefulHyperparamsState)):
            found.append(node)
            return True
        return False

    jax.tree_util.tree_map(lambda x: x, tree, is_leaf=visit)
    return found


def hyperparams(opt_state: Any) -> dict[str, Any]:
    """The hyperparameter values of the last update, read from an optimizer state.

    Looks through the whole state (chains, ``MultiSteps``, Flax ``TrainState.opt_state``) for
    the states made by ``optax.inject_hyperparams`` / :func:`scheduled`. Right after ``init``
    they hold the values for update 0; after the ``k``-th update, the values it used. Works
    inside ``jit`` (values are arrays); call ``float`` on them outside for logging.

    Args:
        opt_state: an optax optimizer state.

    Returns:
        ``{name: value}`` merged over all injected states found.

    Raises:
        ValueError: no injected state is found, or two of them share a name.

    Example:
        >>> from schedalg.optax import hyperparams, scheduled
        >>> import jax.numpy as jnp, optax
        >>> from schedalg import cosine
        >>> tx = scheduled(optax.sgd, learning_rate=cosine(0.1, 0.0, 10), momentum=0.9)
        >>> sorted(hyperparams(tx.init(jnp.zeros(2))))
        ['learning_rate', 'momentum']
    """
    states = _inject_states(opt_state)
    if not states:
        raise K.ArgumentValueError(
            "hyperparams",
            "opt_state",
            opt_state,
            "hyperparams(): the optimizer state holds no injected hyperparameters; build the "
            "optimizer with schedalg.optax.scheduled(...) or optax.inject_hyperparams(...)",
        )
    out: dict[str, Any] = {}
    for st in states:
        for k, v in st.hyperparams.items():
            if k in out:
                raise K.ArgumentValueError(
                    "hyperparams",
                    "opt_state",
                    opt_state,
                    f"hyperparams(): two injected states both hold {k!r}; read them from "
                    f"their states directly (state.hyperparams)",
                )
            out[k] = v
    return out
