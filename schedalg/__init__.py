"""schedalg: learning-rate schedules as values.

A schedule is an immutable ``step -> value`` function built from a few primitives and
combinators. Evaluate it on a Python number, a NumPy array or a JAX array; hash it, print it,
hand it to optax or torch.
"""

from typing import TYPE_CHECKING

from ._arithmetic import add, clip, div, maximum, minimum, mul, neg, sub
from ._clock import compose, tokens
from ._concat import concat
from ._cycles import repeat, scale_by_cycle
from ._extension import Primitive
from ._fields import child, leaf, static
from ._parse import ParseError, parse
from ._peer import PeerCall as _PeerCall  # noqa: F401  (registers the "compat" node type)
from ._plot import plot
from ._plot_html import plot_html
from ._pointwise import exp_of, power
from ._primitives import (
    cosine,
    exp,
    hold,
    inverse,
    linear_ramp,
    piecewise,
    poly,
    tanh,
    triangle,
)
from ._pytree import install as _install_pytree
from ._recipes import (
    cooldown,
    inverse_sqrt,
    multistep,
    one_cycle,
    rewarm,
    rex,
    sgdr,
    step_decay,
    warmup_cosine,
    warmup_linear,
    wsd,
)
from ._schedule import Schedule
from ._sigmoid import sigmoid
from ._switch import switch, value_at
from ._termplot import termplot
from ._time_maps import fit, scale_time, shift, staircase, take, warp
from .io import FormatError, from_dict, from_json, to_dict, to_json

_install_pytree()

if TYPE_CHECKING:
    from ._analysis import Summary, tracker_dict
else:
    # The analysis layer loads on first use, not at ``import schedalg`` (tests/test_import.py):
    # ``Summary`` and ``tracker_dict`` are reached through ``__getattr__``. Type checkers and
    # the API reference (griffe reads the source) see the import above.
    _LAZY = ("Summary", "tracker_dict")

    def __getattr__(name: str) -> object:
        if name in _LAZY:
            from . import _analysis

            value = globals()[name] = getattr(_analysis, name)
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "FormatError",
    "ParseError",
    "Primitive",
    "Schedule",
    "Summary",
    "add",
    "child",
    "clip",
    "compose",
    "concat",
    "cooldown",
    "cosine",
    "div",
    "exp",
    "exp_of",
    "fit",
    "from_dict",
    "from_json",
    "hold",
    "inverse",
    "inverse_sqrt",
    "leaf",
    "linear_ramp",
    "maximum",
    "minimum",
    "mul",
    "multistep",
    "neg",
    "one_cycle",
    "parse",
    "piecewise",
    "plot",
    "plot_html",
    "poly",
    "power",
    "repeat",
    "rewarm",
    "rex",
    "scale_by_cycle",
    "scale_time",
    "sgdr",
    "shift",
    "sigmoid",
    "staircase",
    "static",
    "step_decay",
    "sub",
    "switch",
    "take",
    "tanh",
    "termplot",
    "to_dict",
    "to_json",
    "tokens",
    "tracker_dict",
    "triangle",
    "value_at",
    "warmup_cosine",
    "warmup_linear",
    "warp",
    "wsd",
]
