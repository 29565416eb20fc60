"""The names a schedule expression may call, for people: listing, suggestions, own names.

Everything here reads the parser's name table (``_parse``: the core constructors and whatever
``schedalg.parse.register`` added, so recipes appear once they are registered there) and the
public constructors of the compat modules, ``compat.<peer>.<Name>``. It is used by the
``schedalg`` command (``schedalg list``, "did you mean" in parse errors, a compat schedule
shown under the call that built it) and imported only when one of those needs it.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from typing import Any

from . import _fields as F
from . import _parse

__all__ = ["Entry", "catalog", "hint", "own_name", "signature", "summary_line", "unknown_names"]


def _builds_a_node(fn: Callable[..., Any]) -> bool:
    """True for the function (or class) of a registered node type: its call is what ``repr``
    prints. A call of anything else (a compat constructor, a registered recipe) has a name of
    its own that ``repr`` may not show."""
    return any(F.public_function(n) is fn or fn in F.node_classes(n) for n in F.node_names())


@dataclasses.dataclass(frozen=True)
class Entry:
    """One callable name: as written in an expression, its group and the function."""

    name: str
    group: str
    function: Callable[..., Any]


def _core() -> list[Entry]:
    table = _parse._core_functions()
    return [
        Entry(name, "core" if fn.__module__.startswith("schedalg.") else "registered", fn)
        for name, fn in table.items()
    ]


def _peers() -> list[str]:
    try:
        package = importlib.import_module(_parse._COMPAT_PACKAGE)
    except ImportError:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name[0] != "_")


def _compat(peer: str) -> list[Entry]:
    try:
        module = importlib.import_module(f"{_parse._COMPAT_PACKAGE}.{peer}")
    except ImportError:
        return []
    names = getattr(module, "__all__", None) or [n for n in dir(module) if n[0] != "_"]
    out = []
    for name in sorted(names):
        fn, _ = _parse._compat_function(peer, name)
        if fn is not None:
            out.append(Entry(f"compat.{peer}.{name}", f"compat.{peer}", fn))
    return out


def catalog() -> list[Entry]:
    """Every callable name: the core (and registered names), then compat, peer by peer."""
    core = _core()
    order = {"core": 0, "registered": 1}
    core.sort(key=lambda e: order[e.group])
    return core + [e for peer in _peers() for e in _compat(peer)]


def signature(entry: Entry) -> str:
    """``name(arg, arg=default, *, kw=default)``, without type annotations."""
    try:
        sig = inspect.signature(entry.function)
    except (TypeError, ValueError):
        return f"{entry.name}(...)"
    parts: list[str] = []
    star = False
    for p in sig.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        elif p.default is p.empty:
            parts.append(p.name)
        else:
            parts.append(f"{p.name}={p.default!r}")
    return f"{entry.name}({', '.join(parts)})"


def summary_line(entry: Entry) -> str:
    """The first line of the docstring, without reStructuredText's double backquotes."""
    doc = inspect.getdoc(entry.function) or ""
    first = doc.strip().split("\n\n", 1)[0]
    return " ".join(first.replace("``", "").split())


# -- suggestions ---------------------------------------------------------------------------------


def _close(word: str, candidates: dict[str, str], n: int = 3) -> list[str]:
    """Names close to ``word``: an exact match ignoring case first, else difflib's best."""
    lowered: dict[str, list[str]] = {}
    for key, full in candidates.items():
        lowered.setdefault(key.lower(), []).append(full)
    if word.lower() in lowered:
        return lowered[word.lower()][:n]
    keys = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    return [full for k in keys for full in lowered[k]][:n]


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def hint(name: str) -> str:
    """``"; did you mean cosine?"`` for an unknown name (``""`` when nothing is close).

    ``name`` is a plain name (``cosin``, ``Cosine``, ``OneCycleLR``) or a compat call
    (``compat.torch.OneCycleLr``, ``compat.pytorch.OneCycleLR``). Core names are preferred;
    a compat constructor is suggested by its bare name too.

    Example:
        >>> from schedalg._names import hint
        >>> hint("Cosine")
        '; did you mean cosine?'
        >>> hint("OneCycleLR")
        '; did you mean compat.torch.OneCycleLR?'
    """
    if len(name) > 100:  # no typo of a name here: not worth comparing
        return ""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "compat":
        _, peer, bare = parts
        peers = _peers()
        if peer in peers:
            names = {e.name.rsplit(".", 1)[1]: e.name for e in _compat(peer)}
        else:
            near = _close(peer, {p: p for p in peers}, 1)
            if near:
                return f"; did you mean compat.{near[0]}? (the peers: {', '.join(peers)})"
            names = {e.name.rsplit(".", 1)[1]: e.name for p in peers for e in _compat(p)}
        found = _close(bare, names)
        return f"; did you mean {_or(found)}?" if found else ""
    core = {e.name: e.name for e in _core()}
    compat = {e.name.rsplit(".", 1)[1]: e.name for p in _peers() for e in _compat(p)}
    lowered = name.lower()
    exact = [n for n in core if n.lower() == lowered] or [
        full for bare, full in compat.items() if bare.lower() == lowered
    ]
    near = _close(name, core, 2)
    if near and difflib.SequenceMatcher(None, lowered, near[0].lower()).ratio() >= 0.8:
        found = exact or near  # a clear typo of a core name: no compat noise
    else:
        found = exact or (near + _close(name, compat, 2))[:3]
    return f"; did you mean {_or(found)}?" if found else ""


def unknown_names(text: str) -> list[str]:
    """The called names in an expression that the parser does not know (in order)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    table = _parse._core_functions()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id not in table and node.func.id not in out:
                out.append(node.func.id)
    return out


# -- own names -----------------------------------------------------------------------------------


def _callee(func: ast.expr) -> tuple[str, Callable[..., Any] | None]:
    if isinstance(func, ast.Name):
        return func.id, _parse._core_functions().get(func.id)
    dotted = []
    cur: ast.expr = func
    while isinstance(cur, ast.Attribute):
        dotted.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name) and cur.id == "compat" and len(dotted) == 2:
        fn, _ = _parse._compat_function(dotted[1], dotted[0])
        return f"compat.{dotted[1]}.{dotted[0]}", fn
    return "", None


_SPACES_RE = re.compile(r"\s+")


def own_name(text: str) -> str | None:
    """The call an expression's schedule is known by, when ``repr`` would not show it.

    ``compat.torch.OneCycleLR(max_lr=0.1, total_steps=1000)`` builds a ``take(...)`` of
    core pieces: its own name is the call as written (spacing normalized). So is a call of a
    registered function or recipe, unless the schedule prints as that call already (the
    caller compares with ``repr``). None for an expression whose top level is a core node
    constructor, an operator, or anything that is not a single call.

    Example:
        >>> from schedalg._names import own_name
        >>> own_name("compat.torch.OneCycleLR(max_lr=0.1,total_steps=1000)")
        'compat.torch.OneCycleLR(max_lr=0.1, total_steps=1000)'
        >>> own_name("cosine(1.0, 0.0, 100)") is None
        True
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body
    if not isinstance(body, ast.Call):
        return None
    _, fn = _callee(body.func)
    if fn is None or _builds_a_node(fn):
        return None
    try:
        return _SPACES_RE.sub(" ", ast.unparse(body))
    except (ValueError, RecursionError):  # pragma: no cover (parse succeeded already)
        return None
