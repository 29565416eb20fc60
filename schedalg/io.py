"""Schedules as plain JSON: exact, versioned, and safe to load.

A schedule is a tree of JSON objects, one per node: ``{"type": <constructor name>, <its
arguments>...}``; the root also carries the format version ``"schedalg": 1``::

    {"schedalg": 1, "type": "concat", "pieces": [
        {"type": "linear_ramp", "start": 0.0, "end": 0.0003, "steps": 2000},
        {"type": "cosine", "start": 0.0003, "end": 3e-05, "steps": 98000, "power": 1.0}]}

Field names are the public constructors' argument names (``exp`` holds either ``end`` or
``rate``; ``concat`` holds ``pieces``). ``to_dict`` writes every field and the version;
``from_dict`` lets fields with a default in the constructor be left out, accepts a number
wherever the constructor accepts a number as a constant schedule, and reads a root without
``"schedalg"`` as the current version (hand-written configs). Floats round-trip exactly (JSON
numbers are written with Python's shortest repr), ints stay ints.

Numbers must be numbers: a string such as ``"3e-4"`` is refused everywhere, with the fix in
the error. YAML 1.1 readers (PyYAML's ``safe_load``) read ``3e-4`` and ``1e5`` as strings,
because that YAML wants a dot in the mantissa; write ``3.0e-4`` or ``0.0003``, and ``100000``
for a step count. Accepting numeric strings would let a quoted ``"1e-3"`` meant as a comment
or a typo like ``"3e-4 "`` pass silently, and would make a file's meaning depend on the reader.

Loading builds every node through its public constructor, so it validates exactly what the
Python API validates, and never runs code. Every problem (bad JSON, unknown type, missing,
extra or wrongly typed field, out-of-range value) raises ``FormatError`` with the JSON path of
the offending field, e.g. ``$.pieces[2].steps``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import _checks as K
from . import _fields as F
from . import _peer
from ._concat import Concat
from ._schedule import MAX_DEPTH as _MAX_NODE_DEPTH
from ._schedule import Schedule, plain_number

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

STR, BOOL = "a string", "a boolean"
ARGS = _peer.ARGS
_REQUIRED = F.REQUIRED


class _Specs(Mapping[str, F.ArgSpec]):
    """Every registered node type's JSON fields, derived from the node classes' declared
    fields (``_fields``): a user's primitive is here once its module is imported."""

    def __init__(self) -> None:
        self._memo: dict[str, F.ArgSpec] = {}

    def __getitem__(self, name: str) -> F.ArgSpec:
        spec = self._memo.get(name)
        if spec is None or spec.classes != F.node_classes(name):
            spec = self._memo[name] = F.ArgSpec(name)
        return spec

    def get(self, name: str, default: Any = None) -> Any:  # (KeyError-free lookup)
        if not isinstance(name, str) or not F.node_classes(name):
            return default
        return self[name]

    def __iter__(self) -> Iterator[str]:
        return iter(F.node_names())

    def __len__(self) -> int:
        return len(F.node_names())


#: name -> its JSON fields: (field, kind, default) with kind one of NUM, NUM_OR_NULL, SCHED,
#: SCHEDS, NUMS.
SPECS = _Specs()


# -- dumping ---------------------------------------------------------------------------------------


def _dump(s: Any, path: str, depth: int) -> dict[str, Any]:
    if depth >= MAX_DEPTH:  # depth counts from 0 at the root
        raise ValueError(f"to_dict(): at {path}: schedule nested deeper than {MAX_DEPTH} levels")
    if isinstance(s, Schedule):
        s = s._stand_in()
    cls = type(s)
    if not isinstance(s, Schedule) or cls not in F.node_classes(cls._fname):
        raise TypeError(f"to_dict(): at {path}: not a schedalg schedule node: {cls.__name__}")
    out: dict[str, Any] = {"type": cls._fname}
    for key, v in s._args().items():
        sub = f"{path}.{key}"
        if isinstance(v, (list, tuple)):
            out[key] = [_value_out(x, f"{sub}[{i}]", depth) for i, x in enumerate(v)]
        else:
            out[key] = _value_out(v, sub, depth)
    return out


def _value_out(v: Any, path: str, depth: int) -> Any:
    if isinstance(v, (str, bool)) or v is None:  # (an option: a shape, a flag, none)
        return v
    if isinstance(v, dict):  # (a compat call's arguments)
        return {k: _value_out(x, f"{path}.{k}", depth) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_value_out(x, f"{path}[{i}]", depth) for i, x in enumerate(v)]
    return _dump(v, path, depth + 1) if isinstance(v, Schedule) else plain_number(v, path)


def to_dict(schedule: Schedule) -> dict[str, Any]:
    """The schedule as a tree of plain dicts, lists and numbers (JSON-ready).

    Args:
        schedule: any schedule with concrete values (not traced, not batched).

    Returns:
        ``{"schedalg": 1, "type": ..., <fields>...}``; ``from_dict`` reads it back to an
        equal schedule.

    Example:
        >>> from schedalg import cosine, to_dict
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
        >>> from schedalg import hold, to_json
        >>> to_json(hold(0.1, 10))
        '{"schedalg": 1, "type": "hold", "value": 0.1, "steps": 10}'
    """
    import json

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


_NUMERIC_STRING_RE = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*\Z")


def _numeric_string(x: Any, path: str, expected: str) -> None:
    """Refuse a number written as a string, naming the fix (YAML 1.1 reads ``3e-4`` so)."""
    if not (isinstance(x, str) and _NUMERIC_STRING_RE.match(x)):
        return
    text = x.strip()
    value = float(text)
    if value.is_integer() and abs(value) < 2**63 and "e" in text.lower():
        fix = f"{int(value)}"
    else:
        mantissa, e, exponent = text.lower().partition("e")
        dotted = mantissa if "." in mantissa else mantissa + ".0"
        fix = f"{dotted}e{exponent} or {value!r}" if e else text
    raise FormatError(
        path,
        f"expected {expected}, got the string {x!r}: write it as a number, {fix} (without "
        "quotes; YAML 1.1 readers such as PyYAML read an exponent without a dot in the "
        "mantissa, like 3e-4, as a string)",
    )


def _check_num(x: Any, path: str, kind: str) -> Any:
    if x is None and kind == NUM_OR_NULL:
        return None
    if isinstance(x, float) and not math.isfinite(x):
        raise FormatError(path, f"expected a finite number, got {x!r}")
    if not _is_num(x):
        _numeric_string(x, path, kind)
        raise FormatError(path, f"expected {kind}, got {_json_kind(x)} ({_short(x)})")
    return x


def _short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def _error_path(
    path: str, spec_name: str, names: tuple[str, ...], e: Exception, pieces: Any
) -> str:
    """The path of the field a constructor's error names (else the node's path)."""
    if not isinstance(e, K.ArgumentError) or e.argument is None:
        return path
    name = e.argument
    if spec_name == "concat" and name == "schedules":
        name = "pieces"
        if any(isinstance(p, Concat) for p in pieces):
            return path  # a position among the flattened pieces: not a position in the file
    if spec_name == "compat" and name != "call":  # (the peer's argument, inside args)
        path, names = f"{path}.args", (name,)
    if name not in names:
        return path
    return f"{path}.{name}" if e.index is None else f"{path}.{name}[{e.index}]"


def _load(d: Any, path: str, depth: int, root: bool = False) -> Any:
    if depth >= MAX_DEPTH:  # depth counts from 0 at the root
        raise FormatError(path, f"schedule nested deeper than {MAX_DEPTH} levels")
    if not isinstance(d, dict):
        _numeric_string(d, path, "a schedule object or a number")
        raise FormatError(path, f"expected a schedule object, got {_json_kind(d)} ({_short(d)})")
    if "type" not in d:
        raise FormatError(path, "missing field 'type'")
    name = d["type"]
    if not isinstance(name, str):
        raise FormatError(f"{path}.type", f"expected a string, got {_json_kind(name)}")
    spec = SPECS.get(name)
    if spec is None:
        known = ", ".join(sorted(SPECS))
        raise FormatError(
            f"{path}.type",
            f"unknown schedule type {_short(name)} (known: {known}; a primitive of your own "
            "is known once the module that defines it is imported)",
        )
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
        elif kind == ARGS:
            kwargs[field] = _load_args(x, sub, depth)
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
        return spec.build(**kwargs)
    except Exception as e:  # any failure of a constructor is the document's error
        message = str(e) if isinstance(e, (TypeError, ValueError)) else f"{type(e).__name__}: {e}"
        where = _error_path(path, name, spec.names, e, kwargs.get("pieces", ()))
        raise FormatError(where, message) from None


def _load_args(x: Any, path: str, depth: int) -> tuple[tuple[str, Any], ...]:
    """A compat call's arguments: an object of numbers, null, strings, booleans, schedule
    objects and lists of those."""
    if not isinstance(x, dict):
        raise FormatError(path, f"expected {ARGS}, got {_json_kind(x)} ({_short(x)})")

    def value(v: Any, sub: str) -> Any:
        if isinstance(v, dict):
            return _load(v, sub, depth + 1)
        if isinstance(v, list):
            return tuple(value(e, f"{sub}[{i}]") for i, e in enumerate(v))
        if v is None or isinstance(v, (str, bool)):
            return v
        return _check_num(v, sub, NUM)

    return tuple((k, value(v, f"{path}.{k}")) for k, v in x.items())


def from_dict(d: Any) -> Schedule:
    """Rebuild a schedule from ``to_dict``'s output (or a hand-written equivalent).

    Args:
        d: a dict ``{"schedalg": 1, "type": ..., ...}``; without ``"schedalg"`` the current
            format version is assumed. Numbers must be numbers, not strings (see the module
            docstring: ``3e-4`` in YAML 1.1 is a string; write ``3.0e-4``).

    Returns:
        The schedule, built through the public constructors (all their checks apply).

    Raises:
        FormatError: (a ValueError) naming the JSON path of the first problem.

    Example:
        >>> from schedalg import from_dict
        >>> from_dict({"schedalg": 1, "type": "linear_ramp", "start": 0, "end": 1, "steps": 4})
        linear_ramp(0.0, 1.0, 4)
        >>> from_dict({"type": "cosine", "start": 3.0e-4, "end": 0.0, "steps": 100})
        cosine(0.0003, 0.0, 100)
    """
    if not isinstance(d, dict):
        raise FormatError("$", f"expected a JSON object, got {_json_kind(d)}")
    version = d.get("schedalg", FORMAT_VERSION)  # hand-written configs may leave it out
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
        >>> from schedalg import from_json
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
    import json

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
