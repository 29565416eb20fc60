"""Field declarations of the nodes added for issue 12 (switch, continuation, powers, clocks,
recipes), read by ``schedalg.io`` to save and load them.

Each such node class declares ``_params``: its constructor's arguments in order, as
``(name, kind, default)`` with ``kind`` one of ``"num"`` (a number), ``"num?"`` (a number or
None), ``"nums"`` (a list of numbers), ``"sched"`` (a schedule, or a number as a constant),
``"str"``, ``"bool"``, and ``default`` the constructor's default or ``REQUIRED``. Where a JSON
field is stored under another attribute, ``_attrs`` maps the field to it.
"""

from __future__ import annotations

from typing import Any


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an argument without one.
REQUIRED: Any = _Required()
