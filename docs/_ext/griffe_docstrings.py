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


class SchedalgDocstrings(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = split_shared_entries(text)
