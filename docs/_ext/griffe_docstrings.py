"""A griffe extension for the API reference: read schedalg's docstrings as they are written.

schedalg's docstrings use Google sections with two habits griffe's parser does not know:
``Example:`` (singular) heads the doctest examples, and one ``Args:`` entry may document
several arguments (``start, end: the values at ...``, the names possibly running over two
lines). This rewrites both before parsing (into ``Examples:`` and one entry per argument, each
with the shared description), so the examples render as code and every argument is still
checked against the signature.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", flags=re.M)
NAMES = re.compile(r"^(?P<indent>\s+)(?P<names>\w+(?:,\s*\w+)+):(?P<desc>.*)$")
MORE_NAMES = re.compile(r"^\s+\w+(?:,\s*\w+)*,\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def split_shared_entries(text: str) -> str:
    """``a, b: text`` (names possibly over several lines) as ``a: text`` and ``b: text``."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and MORE_NAMES.match(lines[j]):
            j += 1
        m = NAMES.match(" ".join([lines[i]] + [x.strip() for x in lines[i + 1 : j + 1]]))
        if m is None or (j > i and not MORE_NAMES.match(lines[i])):
            out.append(lines[i])
            i += 1
            continue
        k = j + 1
        while k < len(lines) and lines[k].strip() and _indent(lines[k]) > len(m["indent"]):
            k += 1
        for name in re.split(r",\s*", m["names"]):
            out.append(f"{m['indent']}{name}:{m['desc']}")
            out.extend(lines[j + 1 : k])
        i = k
    return "\n".join(out)


def _runtime_signature(cls: griffe.Class) -> Any:
    """The signature a class has at run time, where its source does not show it: a
    ``Primitive`` takes its declared fields as arguments (its ``__new__`` takes ``*args``)."""
    import importlib
    import inspect

    try:
        module = importlib.import_module(cls.module.path)
        runtime = getattr(module, cls.name)
    except (ImportError, AttributeError):
        return None
    if not isinstance(runtime, type):
        return None
    sig = getattr(runtime, "__signature__", None)
    return sig if isinstance(sig, inspect.Signature) else None


class SchedalgDocstrings(griffe.Extension):
    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Give a class whose signature is derived at run time an ``__init__`` that shows it."""
        sig = _runtime_signature(cls)
        if sig is None or "__init__" in cls.members:
            return
        params = griffe.Parameters(
            griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword),
            *(
                griffe.Parameter(
                    p.name,
                    kind=griffe.ParameterKind.positional_or_keyword,
                    annotation=None
                    if p.annotation is p.empty
                    else (p.annotation if isinstance(p.annotation, str) else p.annotation.__name__),
                    default=None if p.default is p.empty else repr(p.default),
                )
                for p in sig.parameters.values()
            ),
        )
        init = griffe.Function("__init__", parameters=params, parent=cls)
        cls.set_member("__init__", init)

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = split_shared_entries(text)
