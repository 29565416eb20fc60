"""Node fields, declared once per node class, and the registry of node types.

A node class lists its fields as class attributes::

    class LinearRamp(Segment, name="linear_ramp"):
        start: Any = leaf()
        end: Any = leaf()
        steps: int = static()

Each field is one of three roles:

* ``leaf()``: a value-like number (start, end, a factor). Leaves are the JAX pytree leaves:
  traced under ``jit``, differentiated by ``grad``, batched by ``vmap``.
* ``child()``: a sub-schedule.
* ``static()``: a number that shapes the computation (a step count, a power, boundaries). It
  is part of the pytree structure and of the hash.

Everything else derives from these declarations: the pytree flattening (with named key
paths), pickling, equality and hashing, the JSON format (``io``), the names ``parse`` knows,
the default repr, and the constructor of a user's own primitive (``Primitive``). A class
declared with ``name=...`` is registered under that name; several classes may share one name
when one public function builds them (``exp`` builds ``Exp`` and ``ExpRate``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

LEAF, CHILD, STATIC = "leaf", "child", "static"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a field that must be given.
REQUIRED: Any = _Required()


#: A field's argument check: a name ``Primitive`` knows (``"value"``, ``"number"``, ...) or a
#: function ``(function name, argument name, value) -> accepted value``.
Check = str | Callable[[str, str, Any], Any] | None


class Field:
    """One declared field of a node class (see the module docstring).

    Attributes:
        role: ``"leaf"``, ``"child"`` or ``"static"``.
        default: the value when the argument is left out, or ``REQUIRED``.
        optional: None is an accepted value (an absent bound, an infinite length).
        many: the value is a sequence (piecewise's values, concat's pieces).
        arg: the field is an argument of the public constructor (and a JSON field); False for
            a field computed from the arguments (``ExpRate.log_rate``).
        check: for a user's ``Primitive``: the argument check (see ``leaf``); None: the
            standard one for the role. Built-in nodes check in their public functions.
        doc: one line for ``schedalg list`` and the docs.
    """

    __slots__ = (
        "arg",
        "attr",
        "check",
        "default",
        "doc",
        "kind",
        "many",
        "name",
        "optional",
        "role",
    )

    def __init__(
        self,
        role: str,
        default: Any = REQUIRED,
        *,
        optional: bool = False,
        many: bool = False,
        arg: bool = True,
        check: Check = None,
        doc: str = "",
        kind: str | None = None,
        attr: str | None = None,
    ) -> None:
        if role not in (LEAF, CHILD, STATIC):
            raise ValueError(f"Field(): role must be 'leaf', 'child' or 'static', got {role!r}")
        self.role = role
        self.default = default
        self.optional = optional or default is None
        self.many = many
        self.arg = arg
        self.check = check
        self.doc = doc
        self.kind = kind  # the JSON kind, where the role does not say it (a string, a flag)
        self.attr = attr  # the attribute holding the value, where it is not ``name``
        self.name = ""

    def __repr__(self) -> str:
        extra = "" if self.default is REQUIRED else f", default={self.default!r}"
        return f"Field({self.name!r}, {self.role}{extra})"

    @property
    def json_kind(self) -> str:
        """What the field's JSON value must look like (``io`` checks it before building)."""
        if self.kind is not None:
            return self.kind
        if self.role == CHILD:
            return "schedules" if self.many else "schedule"
        if self.many:
            return "list"
        return "a number or null" if self.optional else "a number"


# -- the field declarations: one set, for the built-in nodes and for users' primitives ------------


def leaf(
    default: Any = REQUIRED,
    *,
    check: Check = None,
    optional: bool = False,
    many: bool = False,
    arg: bool = True,
    doc: str = "",
    kind: str | None = None,
    attr: str | None = None,
) -> Any:
    """A value field: traced by ``jit``, differentiated by ``grad``, batched by ``vmap``.

    Args:
        default: the value when the argument is left out (none: required).
        check: the argument check of a ``Primitive``: ``"value"`` (the default: a finite
            number within 1e30), ``"number"``, ``"positive"``, ``"steps"``,
            ``"optional_steps"``, ``"length"``, or a function
            ``(function, argument, value) -> value`` that raises for a bad value.
        optional: None is accepted.
        many: the value is a sequence of values (piecewise's ``values``), for a node that
            flattens it itself.
        arg: False for a value the node computes from its arguments (``exp``'s log-rate):
            not a constructor argument, not in JSON.
        doc: one line describing the field.
        kind: the JSON kind where the role does not say it (see ``static``).
        attr: the attribute holding the value where it is not the argument's name (see
            ``static``).

    A ``Primitive``'s fields are its arguments and hold one value each: it refuses
    ``many=True`` and ``arg=False``, which are for built-in nodes that handle them.

    Example:
        >>> import schedalg as sa
        >>> class floor_ramp(sa.Primitive, name="floor_ramp_doc"):
        ...     end: float = sa.leaf(doc="the value at t = steps")
        ...     floor: float = sa.leaf(0.0, check="value", doc="the value at t = 0")
        ...     steps: int = sa.static(check="steps")
        ...     def formula(self, t, xp):
        ...         return self.floor + (self.end - self.floor) * t / self.steps
        >>> floor_ramp(1.0, steps=4)(2), floor_ramp(1.0, 0.5, 4)
        (0.5, floor_ramp_doc(1.0, floor=0.5, steps=4))
        >>> floor_ramp(1.0, steps=-1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        schedalg._checks.ArgumentValueError: floor_ramp_doc(): steps must be a non-negative ...
    """
    return Field(
        LEAF,
        default,
        check=check,
        optional=optional,
        many=many,
        arg=arg,
        doc=doc,
        kind=kind,
        attr=attr,
    )


def static(
    default: Any = REQUIRED,
    *,
    check: Check = None,
    optional: bool = False,
    many: bool = False,
    arg: bool = True,
    doc: str = "",
    kind: str | None = None,
    attr: str | None = None,
) -> Any:
    """A static field (a length, a power): part of the structure, hashed, never traced.

    Args:
        default: the value when the argument is left out (none: required).
        check: the argument check of a ``Primitive`` (as for ``leaf``; the default is
            ``"number"``: a finite real number).
        optional: None is accepted.
        many: the value is a sequence (piecewise's ``boundaries``), for a node that handles
            it itself.
        arg: False for a number the node computes from its arguments: not a constructor
            argument, not in JSON.
        doc: one line describing the field.
        kind: the JSON kind where the value is not a number: ``"a string"``, ``"a boolean"``,
            or ``"schedule"`` for an argument that may be a schedule or a number (``power``).
        attr: the attribute holding the value where it is not the argument's name (``at``,
            which would hide the method ``Schedule.at``, is held as ``at_step``).

    A ``Primitive`` refuses ``many=True`` and ``arg=False`` (see ``leaf``).
    """
    return Field(
        STATIC,
        default,
        check=check,
        optional=optional,
        many=many,
        arg=arg,
        doc=doc,
        kind=kind,
        attr=attr,
    )


def child(
    doc: str = "",
    *,
    optional: bool = False,
    many: bool = False,
    arg: bool = True,
    attr: str | None = None,
) -> Any:
    """A sub-schedule field (in a ``Primitive``, a number becomes a constant schedule).

    Args:
        doc: one line describing the field.
        optional: None is accepted.
        many: a tuple of schedules (concat's pieces), for a node that handles it itself.
        arg: False for a schedule the node builds from its arguments: not a constructor
            argument, not in JSON.
        attr: the attribute holding the value where it is not the argument's name.

    A ``Primitive`` refuses ``many=True`` and ``arg=False`` (see ``leaf``).
    """
    return Field(CHILD, optional=optional, many=many, arg=arg, doc=doc, attr=attr)


def named(name: str, field: Any) -> Field:
    """A field declared outside a class body (an argument a node stores differently)."""
    field.name = name
    return field  # type: ignore[no-any-return]


def collect(cls: type, namespace: dict[str, Any]) -> tuple[Field, ...]:
    """The fields of ``cls``: its bases' fields, then the ones its own body declares (a
    redeclared name keeps its place). Removes the declarations from the class, so the
    values a node stores on itself are read directly."""
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "_fields", ()):
            inherited[f.name] = f
    own = [(k, v) for k, v in namespace.items() if isinstance(v, Field)]
    for k, f in own:
        f.name = k
        inherited[k] = f
        delattr(cls, k)
    return tuple(inherited.values())


# -- the registry ---------------------------------------------------------------------------------

_LOCK = threading.Lock()
#: name -> the node classes registered under it, in definition order.
_NODES: dict[str, list[type]] = {}
#: name -> the public function (or class) that builds nodes of that name (``parse`` calls it).
_PUBLIC: dict[str, Callable[..., Any]] = {}
#: name -> the function ``io`` calls with the JSON fields as keywords, where that is not the
#: public function (``concat(*schedules)`` loads from ``pieces``).
_BUILDERS: dict[str, Callable[..., Any]] = {}
#: names that are not called by name in an expression (see ``set_builder``).
_UNCALLED: set[str] = set()


def register_node(cls: type, name: str) -> None:
    with _LOCK:
        classes = _NODES.setdefault(name, [])
        if any(
            c.__qualname__ == cls.__qualname__ and c.__module__ == cls.__module__ for c in classes
        ):
            # a module reloaded, or a class redefined in a notebook cell: the new one wins
            classes[:] = [c for c in classes if c.__qualname__ != cls.__qualname__]
        elif classes and name not in _SHARED_OK:
            owner = classes[0]
            raise ValueError(
                f"the schedule type name {name!r} is already taken by "
                f"{owner.__module__}.{owner.__qualname__}; give {cls.__qualname__} another name"
            )
        classes.append(cls)


# Names that more than one built-in class answers to (one public function builds each).
_SHARED_OK = frozenset({"exp", "power"})


def set_builder(
    name: str, public: Callable[..., Any] | None, loader: Callable[..., Any] | None = None
) -> None:
    """``public``: the function users call (None: the type is not called by its name, as
    ``compat``, written ``compat.<peer>.<Name>(...)``); ``loader``: what ``io`` calls with
    the JSON fields as keywords, where that is not ``public``."""
    with _LOCK:
        if public is None:
            _UNCALLED.add(name)
        else:
            _PUBLIC[name] = public
        _BUILDERS[name] = loader or public  # type: ignore[assignment]


def called_by_name(name: str) -> bool:
    """False for a node type that expressions do not call by its type name."""
    return name not in _UNCALLED


def builder(name: str) -> Callable[..., Any] | None:
    """The function that builds a node of this name from keyword arguments (JSON fields)."""
    return _BUILDERS.get(name)


def public_function(name: str) -> Callable[..., Any] | None:
    """The public function (or class) users call to build a node of this name."""
    return _PUBLIC.get(name)


def node_names() -> list[str]:
    """Every registered node type name, in registration order."""
    with _LOCK:
        return [n for n, classes in _NODES.items() if classes]


def node_classes(name: str | None = None) -> list[type]:
    with _LOCK:
        if name is not None:
            return list(_NODES.get(name, ()))
        return [c for classes in _NODES.values() for c in classes]


_Fn = TypeVar("_Fn", bound=Callable[..., Any])


def constructs(cls: type, loader: Callable[..., Any] | None = None) -> Callable[[_Fn], _Fn]:
    """Decorator: the public function that builds nodes of ``cls`` (and of every class that
    shares its name). ``parse`` calls it; ``io`` loads through it (or through ``loader``,
    which takes the JSON fields as keywords)."""

    def mark(fn: _Fn) -> _Fn:
        set_builder(cls._fname, fn, loader)  # type: ignore[attr-defined]
        return fn

    return mark


class ArgSpec:
    """The arguments of one node type name, derived from its classes' fields and its builder:
    ``(name, json kind, default)`` in the builder's order."""

    def __init__(self, name: str) -> None:
        classes = node_classes(name)
        build = builder(name) or (classes[0] if classes else None)
        if build is None:
            raise KeyError(name)
        self.name = name
        self.build = build
        self.classes = classes
        fields: dict[str, Field] = {}
        for cls in classes:
            for f in cls._arg_fields():  # type: ignore[attr-defined]
                fields.setdefault(f.name, f)
        import inspect  # (here, not at ``import schedalg``: NumPy 1.x does not load it)

        try:
            params = inspect.signature(build).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            params = {}  # type: ignore[assignment]
        defaults = {
            k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty
        }
        order = [k for k in params if k in fields] + [k for k in fields if k not in params]
        # A field that some of the classes lack (exp's end and rate) is optional.
        have = [{f.name: f for f in c._arg_fields()} for c in classes]  # type: ignore[attr-defined]

        def kind(k: str) -> str:
            f = fields[k]
            if f.kind in ("a string", "a boolean"):
                return f.kind
            if f.role != CHILD and any(k not in h or h[k].optional for h in have):
                return "a number or null"
            return f.json_kind

        def default(k: str) -> Any:
            if k in defaults:
                return defaults[k]
            if any(k not in h for h in have):
                return None
            return fields[k].default

        self.fields: tuple[tuple[str, str, Any], ...] = tuple(
            (k, kind(k), default(k)) for k in order
        )
        self.names = tuple(k for k, _, _ in self.fields)
