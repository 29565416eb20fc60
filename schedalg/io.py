"""Schedules as plain JSON: exact, versioned, and safe to load.

A schedule is a tree of JSON objects, one per node: ``{"type": <constructor name>, <its
arguments>...}``; the root also carries the format version ``"schedalg": 1``::

    {"schedalg": 1, "type": "concat", "pieces": [
        {"type": "linear_ramp", "start": 0.0, "end": 0.0003, "steps": 2000},
        {"type": "cosine", "start": 0.0003, "end": 3e-05, "steps": 98000, "power": 1.0}]}

Field names are the public constructors' argument names (``exp`` holds either ``end`` or
``rate``; ``concat`` holds ``pieces``). ``to_dict`` writes every field; ``from_dict`` lets
fields with a default in the constructor be left out, and accepts a number wherever the
constructor accepts a number as a constant schedule. Floats round-trip exactly (JSON
numbers are written with Python's shortest repr), ints stay ints.

Loading builds every node through its public constructor, so it validates exactly what the
Python API validates, and never runs code. Every problem (bad JSON, unknown type, missing,
extra or wrongly typed field, out-of-range value) raises ``FormatError`` with the JSON path of
the offending field, e.g. ``$.pieces[2].steps``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _backend as B
from . import _clock, _pointwise, _recipes, _switch
from . import _combinators as C
from . import _fields as _F
from . import _primitives as P
from ._schedule import MAX_DEPTH as _MAX_NODE_DEPTH
from ._schedule import Schedule

__all__ = ["FORMAT_VERSION", "FormatError", "from_dict", "from_json", "to_dict", "to_json"]

FORMAT_VERSION = 1
#: Deepest accepted nesting of schedule nodes (the core's limit: the root is level 1).
MAX_DEPTH = _MAX_NODE_DEPTH


class FormatError(ValueError):
    """A JSON document or dict that is not a valid schedule; ``path`` locates the problem."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"from_dict(): at {path}: {reason}")


# -- the node table --------------------------------------------------------------------------------

# Field kinds: what a JSON value must look like before the constructor sees it.
NUM, NUM_OR_NULL, SCHED, SCHEDS, NUMS = (
    "a number",
    "a number or null",
    "schedule",
    "schedules",
    "list",
)

_REQUIRED = object()


class _Spec:
    """One JSON node type: its constructor and fields (name, kind, default or _REQUIRED)."""

    def __init__(self, build: Callable[..., Any], *fields: tuple[str, str, Any]) -> None:
        self.build = build
        self.fields = fields
        self.names = tuple(f[0] for f in fields)


_SCHED_FIELDS = ("schedule",)
# the fields of a segment from start to end over steps (linear_ramp, cosine, poly, tanh)
_SEGMENT = (("start", NUM, _REQUIRED), ("end", NUM, _REQUIRED), ("steps", NUM, _REQUIRED))

SPECS: dict[str, _Spec] = {
    "hold": _Spec(P.hold, ("value", NUM, _REQUIRED), ("steps", NUM_OR_NULL, None)),
    "linear_ramp": _Spec(P.linear_ramp, *_SEGMENT),
    "cosine": _Spec(
        P.cosine,
        *_SEGMENT,
        ("power", NUM, 1.0),
    ),
    "exp": _Spec(
        P.exp,
        ("start", NUM, _REQUIRED),
        ("end", NUM_OR_NULL, None),
        ("rate", NUM_OR_NULL, None),
        ("steps", NUM_OR_NULL, None),
    ),
    "poly": _Spec(
        P.poly,
        *_SEGMENT,
        ("power", NUM, 1.0),
    ),
    "triangle": _Spec(
        P.triangle, ("low", NUM, _REQUIRED), ("high", NUM, _REQUIRED), ("steps", NUM, _REQUIRED)
    ),
    "tanh": _Spec(
        P.tanh,
        *_SEGMENT,
        ("lower", NUM, -7.0),
        ("upper", NUM, 3.0),
    ),
    "inverse": _Spec(
        P.inverse,
        ("start", NUM, _REQUIRED),
        ("scale", NUM, _REQUIRED),
        ("power", NUM, 1.0),
        ("steps", NUM_OR_NULL, None),
    ),
    "piecewise": _Spec(P.piecewise, ("boundaries", NUMS, _REQUIRED), ("values", NUMS, _REQUIRED)),
    "concat": _Spec(C.concat, ("pieces", SCHEDS, _REQUIRED)),
    "repeat": _Spec(
        C.repeat,
        ("schedule", SCHED, _REQUIRED),
        ("times", NUM_OR_NULL, None),
        ("stretch", NUM, 1.0),
    ),
    "scale_by_cycle": _Spec(
        C.scale_by_cycle,
        ("schedule", SCHED, _REQUIRED),
        ("factor", NUM, _REQUIRED),
        ("floor", NUM, 0.0),
    ),
    "neg": _Spec(C.neg, ("a", SCHED, _REQUIRED)),
    "clip": _Spec(
        C.clip,
        ("schedule", SCHED, _REQUIRED),
        ("low", NUM_OR_NULL, None),
        ("high", NUM_OR_NULL, None),
    ),
    "staircase": _Spec(C.staircase, ("schedule", SCHED, _REQUIRED), ("every", NUM, _REQUIRED)),
    "shift": _Spec(C.shift, ("schedule", SCHED, _REQUIRED), ("steps", NUM, _REQUIRED)),
    "scale_time": _Spec(C.scale_time, ("schedule", SCHED, _REQUIRED), ("factor", NUM, _REQUIRED)),
    "take": _Spec(C.take, ("schedule", SCHED, _REQUIRED), ("steps", NUM, _REQUIRED)),
    "warp": _Spec(C.warp, ("schedule", SCHED, _REQUIRED), ("power", NUM, _REQUIRED)),
}
for _name in ("add", "sub", "mul", "div", "minimum", "maximum"):
    SPECS[_name] = _Spec(getattr(C, _name), ("a", SCHED, _REQUIRED), ("b", SCHED, _REQUIRED))

# -- issue 12's nodes (switch, continuation, powers, clocks, recipes) ---------------------------
# Each class declares its JSON fields in ``_params`` (see schedalg._fields); both tables below
# derive from those declarations.
STR, BOOL = "a string", "a boolean"
_KINDS = {"num": NUM, "num?": NUM_OR_NULL, "nums": NUMS, "sched": SCHED, "str": STR, "bool": BOOL}
# Node class -> (type name, [(json field, attribute)]), for the nodes declaring _params.
_DUMP_DECLARED: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {}


def _declare(cls: Any, build: Any) -> None:
    attrs = getattr(cls, "_attrs", {})
    fields = tuple(
        (name, _KINDS[kind], _REQUIRED if default is _F.REQUIRED else default)
        for name, kind, default in cls._params
    )
    SPECS.setdefault(cls._fname, _Spec(build, *fields))
    _DUMP_DECLARED[cls] = (cls._fname, tuple((n, attrs.get(n, n)) for n, _, _ in cls._params))


for _cls, _build in (*_switch.NODES, *_pointwise.NODES, *_clock.NODES, *_recipes.RECIPES):
    _declare(_cls, _build)
# exp(..., every=n, staircase=...) is a recipe saved under "exp": two more optional fields.
SPECS["exp"] = _Spec(
    P.exp,
    *SPECS["exp"].fields,
    ("every", NUM_OR_NULL, None),
    ("staircase", BOOL, False),
)
_DUMP_DECLARED[_recipes.ExpEvery] = (
    "exp",
    tuple((n, n) for n in ("start", "rate", "steps", "every", "staircase")),
)

# Node class -> (type name, [(json field, attribute)]).
_DUMP: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {
    P.Hold: ("hold", (("value", "value"), ("steps", "steps"))),
    P.LinearRamp: ("linear_ramp", (("start", "start"), ("end", "end"), ("steps", "steps"))),
    P.Cosine: (
        "cosine",
        (("start", "start"), ("end", "end"), ("steps", "steps"), ("power", "power")),
    ),
    P.Exp: ("exp", (("start", "start"), ("end", "end"), ("steps", "steps"))),
    P.ExpRate: ("exp", (("start", "start"), ("rate", "rate"), ("steps", "steps"))),
    P.Poly: ("poly", (("start", "start"), ("end", "end"), ("steps", "steps"), ("power", "power"))),
    P.Triangle: ("triangle", (("low", "low"), ("high", "high"), ("steps", "steps"))),
    P.Tanh: (
        "tanh",
        (
            ("start", "start"),
            ("end", "end"),
            ("steps", "steps"),
            ("lower", "lower"),
            ("upper", "upper"),
        ),
    ),
    P.Inverse: (
        "inverse",
        (("start", "start"), ("scale", "scale"), ("power", "power"), ("steps", "steps")),
    ),
    C.Repeat: ("repeat", (("schedule", "schedule"), ("times", "times"), ("stretch", "stretch"))),
    C.ScaleByCycle: (
        "scale_by_cycle",
        (("schedule", "schedule"), ("factor", "factor"), ("floor", "floor")),
    ),
    C.Add: ("add", (("a", "a"), ("b", "b"))),
    C.Sub: ("sub", (("a", "a"), ("b", "b"))),
    C.Mul: ("mul", (("a", "a"), ("b", "b"))),
    C.Div: ("div", (("a", "a"), ("b", "b"))),
    C.Minimum: ("minimum", (("a", "a"), ("b", "b"))),
    C.Maximum: ("maximum", (("a", "a"), ("b", "b"))),
    C.Neg: ("neg", (("a", "a"),)),
    C.Clip: ("clip", (("schedule", "schedule"), ("low", "low"), ("high", "high"))),
    C.Staircase: ("staircase", (("schedule", "schedule"), ("every", "every"))),
    C.Shift: ("shift", (("schedule", "schedule"), ("steps", "steps"))),
    C.ScaleTime: ("scale_time", (("schedule", "schedule"), ("factor", "factor"))),
    C.Take: ("take", (("schedule", "schedule"), ("steps", "steps"))),
    C.Warp: ("warp", (("schedule", "schedule"), ("power", "power"))),
}


# -- dumping ---------------------------------------------------------------------------------------


def _number_out(x: Any, path: str) -> int | float | None:
    """A leaf or static number as a JSON number (ints stay ints)."""
    if x is None:
        return None
    if type(x) is int or type(x) is float:
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"to_dict(): at {path}: unexpected bool {x!r}")
    if B.is_tracer(x):
        raise TypeError(
            f"to_dict(): at {path}: the schedule holds a traced JAX value; "
            "serialize it outside jit/grad/vmap"
        )
    if isinstance(x, (int, np.integer)):
        return int(x)
    arr = np.asarray(x)
    if arr.ndim != 0:
        raise TypeError(
            f"to_dict(): at {path}: the schedule holds a batched array of shape {arr.shape}; "
            "serialize each schedule of the batch separately"
        )
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"to_dict(): at {path}: expected a number, got {x!r}")
    return float(arr)


def _dump(s: Any, path: str, depth: int) -> dict[str, Any]:
    if depth >= MAX_DEPTH:  # depth counts from 0 at the root
        raise ValueError(f"to_dict(): at {path}: schedule nested deeper than {MAX_DEPTH} levels")
    if isinstance(s, C.Concat):
        return {
            "type": "concat",
            "pieces": [_dump(p, f"{path}.pieces[{i}]", depth + 1) for i, p in enumerate(s.pieces)],
        }
    if isinstance(s, P.Piecewise):
        bounds: tuple[Any, ...] = s.boundaries  # type: ignore[attr-defined]
        return {
            "type": "piecewise",
            "boundaries": [_number_out(b, f"{path}.boundaries[{i}]") for i, b in enumerate(bounds)],
            "values": [
                _number_out(v, f"{path}.values[{i}]") for i, v in enumerate(s._value_list())
            ],
        }
    entry = _DUMP.get(type(s)) or _DUMP_DECLARED.get(type(s))
    if entry is None:
        raise TypeError(f"to_dict(): at {path}: not a schedalg schedule node: {type(s).__name__}")
    name, fields = entry
    out: dict[str, Any] = {"type": name}
    for key, attr in fields:
        v = getattr(s, attr)
        sub = f"{path}.{key}"
        if isinstance(v, Schedule):
            out[key] = _dump(v, sub, depth + 1)
        elif isinstance(v, (str, bool)):
            out[key] = v
        elif isinstance(v, tuple):
            out[key] = [_number_out(x, f"{sub}[{i}]") for i, x in enumerate(v)]
        else:
            out[key] = _number_out(v, sub)
    return out


def to_dict(schedule: Schedule) -> dict[str, Any]:
    """The schedule as a tree of plain dicts, lists and numbers (JSON-ready).

    Args:
        schedule: any schedule with concrete values (not traced, not batched).

    Returns:
        ``{"schedalg": 1, "type": ..., <fields>...}``; ``from_dict`` reads it back to an
        equal schedule.

    Example:
        >>> from schedalg import cosine
        >>> to_dict(cosine(1.0, 0.0, 100))
        {'schedalg': 1, 'type': 'cosine', 'start': 1.0, 'end': 0.0, 'steps': 100, 'power': 1.0}
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"to_dict(): schedule must be a schedule, got schedule={schedule!r}")
    return {"schedalg": FORMAT_VERSION, **_dump(schedule, "$", 0)}


def to_json(schedule: Schedule, indent: int | None = None) -> str:
    """The schedule as a JSON document (strict JSON: no NaN or Infinity).

    Args:
        schedule: any schedule with concrete values.
        indent: passed to ``json.dumps`` (None: one line).

    Returns:
        The JSON text; ``from_json(to_json(s)) == s``, floats bit for bit.

    Example:
        >>> from schedalg import hold
        >>> to_json(hold(0.1, 10))
        '{"schedalg": 1, "type": "hold", "value": 0.1, "steps": 10}'
    """
    return json.dumps(to_dict(schedule), indent=indent, allow_nan=False)


# -- loading ---------------------------------------------------------------------------------------


def _json_kind(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "a boolean"
    if isinstance(x, (int, float)):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, (list, tuple)):
        return "a list"
    if isinstance(x, dict):
        return "an object"
    return type(x).__name__


def _is_num(x: Any) -> bool:
    # (math.isfinite of an int beyond float64 raises OverflowError; every int is finite)
    return type(x) is int or (type(x) is float and math.isfinite(x))


def _check_num(x: Any, path: str, kind: str) -> Any:
    if x is None and kind == NUM_OR_NULL:
        return None
    if isinstance(x, float) and not math.isfinite(x):
        raise FormatError(path, f"expected a finite number, got {x!r}")
    if not _is_num(x):
        raise FormatError(path, f"expected {kind}, got {_json_kind(x)} ({_short(x)})")
    return x


def _short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


_ARG_RE = re.compile(r"\w+\(\): (\w+)")
_INDEXED_RE = re.compile(r"(\w+)\[(\d+)\]")


def _error_path(path: str, spec_name: str, names: tuple[str, ...], message: str) -> str:
    """The path of the field a constructor's error message names (else the node's path)."""
    aliases = {"schedules": "pieces"} if spec_name == "concat" else {}
    indexed = [
        (aliases.get(n, n), i)
        for n, i in _INDEXED_RE.findall(message)
        if aliases.get(n, n) in names
    ]
    if indexed:
        name, i = indexed[-1]
        return f"{path}.{name}[{i}]"
    m = _ARG_RE.match(message)
    if m and aliases.get(m.group(1), m.group(1)) in names:
        return f"{path}.{aliases.get(m.group(1), m.group(1))}"
    if spec_name == "div" and "divisor" in message:
        return f"{path}.b"
    return path


def _load(d: Any, path: str, depth: int, root: bool = False) -> Any:
    if depth >= MAX_DEPTH:  # depth counts from 0 at the root
        raise FormatError(path, f"schedule nested deeper than {MAX_DEPTH} levels")
    if not isinstance(d, dict):
        raise FormatError(path, f"expected a schedule object, got {_json_kind(d)} ({_short(d)})")
    if "type" not in d:
        raise FormatError(path, "missing field 'type'")
    name = d["type"]
    if not isinstance(name, str):
        raise FormatError(f"{path}.type", f"expected a string, got {_json_kind(name)}")
    spec = SPECS.get(name)
    if spec is None:
        known = ", ".join(sorted(SPECS))
        raise FormatError(f"{path}.type", f"unknown schedule type {_short(name)} (known: {known})")
    allowed = {"type", *spec.names} | ({"schedalg"} if root else set())
    for key in d:
        if key not in allowed:
            raise FormatError(
                f"{path}.{key}" if isinstance(key, str) else path,
                f"unknown field {_short(key)} for type {name!r} "
                f"(expected: {', '.join(spec.names)})",
            )
    kwargs: dict[str, Any] = {}
    for field, kind, default in spec.fields:
        sub = f"{path}.{field}"
        if field not in d:
            if default is _REQUIRED:
                raise FormatError(sub, f"missing field {field!r} for type {name!r}")
            continue
        x = d[field]
        if kind in (NUM, NUM_OR_NULL):
            kwargs[field] = _check_num(x, sub, kind)
        elif kind == NUMS:
            if not isinstance(x, list):
                raise FormatError(sub, f"expected a list of numbers, got {_json_kind(x)}")
            kwargs[field] = [_check_num(v, f"{sub}[{i}]", NUM) for i, v in enumerate(x)]
        elif kind == SCHED:
            kwargs[field] = x if _is_num(x) else _load(x, sub, depth + 1)
        elif kind in (STR, BOOL):
            if not isinstance(x, str if kind == STR else bool):
                raise FormatError(sub, f"expected {kind}, got {_json_kind(x)} ({_short(x)})")
            kwargs[field] = x
        else:  # SCHEDS
            if not isinstance(x, list):
                raise FormatError(sub, f"expected a list of schedules, got {_json_kind(x)}")
            if not x:
                raise FormatError(sub, "expected at least one schedule, got an empty list")
            kwargs[field] = [
                v if _is_num(v) else _load(v, f"{sub}[{i}]", depth + 1) for i, v in enumerate(x)
            ]
    try:
        if name == "concat":
            return spec.build(*kwargs["pieces"])
        return spec.build(**kwargs)
    except Exception as e:  # any failure of a constructor is the document's error
        message = str(e) if isinstance(e, (TypeError, ValueError)) else f"{type(e).__name__}: {e}"
        where = _error_path(path, name, spec.names, message)
        m = re.search(r"at position (\d+)", message)
        if name == "concat" and m and not any(isinstance(p, C.Concat) for p in kwargs["pieces"]):
            where = f"{path}.pieces[{m.group(1)}]"
        raise FormatError(where, message) from None


def from_dict(d: Any) -> Schedule:
    """Rebuild a schedule from ``to_dict``'s output (or a hand-written equivalent).

    Args:
        d: a dict ``{"schedalg": 1, "type": ..., ...}``.

    Returns:
        The schedule, built through the public constructors (all their checks apply).

    Raises:
        FormatError: (a ValueError) naming the JSON path of the first problem.

    Example:
        >>> from_dict({"schedalg": 1, "type": "linear_ramp", "start": 0, "end": 1, "steps": 4})
        linear_ramp(0.0, 1.0, 4)
    """
    if not isinstance(d, dict):
        raise FormatError("$", f"expected a JSON object, got {_json_kind(d)}")
    if "schedalg" not in d:
        raise FormatError("$.schedalg", 'missing format version ("schedalg": 1)')
    version = d["schedalg"]
    if version != FORMAT_VERSION or not isinstance(version, int) or isinstance(version, bool):
        raise FormatError(
            "$.schedalg",
            f"unsupported format version {_short(version)} (this schedalg reads version "
            f"{FORMAT_VERSION})",
        )
    try:
        return _load(d, "$", 0, root=True)  # type: ignore[no-any-return]
    except RecursionError:
        raise FormatError("$", "schedule nested too deeply") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def from_json(text: str | bytes) -> Schedule:
    """Read a schedule from ``to_json``'s output.

    Args:
        text: the JSON document (str or UTF-8 bytes).

    Returns:
        The schedule.

    Raises:
        FormatError: (a ValueError) for invalid JSON or an invalid schedule, with its path.

    Example:
        >>> from_json('{"schedalg": 1, "type": "hold", "value": 0.1, "steps": null}')
        hold(0.1)
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise FormatError("$", f"not UTF-8 text: {e}") from None
    if not isinstance(text, str):
        raise TypeError(f"from_json(): text must be str or bytes, got {type(text).__name__}")
    try:
        d = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise FormatError(
            "$", f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
        ) from None
    except RecursionError:
        raise FormatError("$", "JSON nested too deeply") from None
    except ValueError as e:
        raise FormatError("$", f"invalid JSON: {e}") from None
    return from_dict(d)
