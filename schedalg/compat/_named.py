"""Each compat constructor returns a schedule that keeps its peer's name (``schedalg._peer``)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .._peer import named_call


def _named(peer: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    sig = inspect.signature(fn)
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()):
        return fn
    call = f"{peer}.{fn.__name__}"

    @functools.wraps(fn)
    def build(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        return named_call(call, sig.bind(*args, **kwargs).arguments, out)

    return build


def keep_names(namespace: dict[str, Any], peer: str) -> None:
    """Replace each public function of a compat module (its ``__all__``) by one whose
    schedule prints, saves and parses as ``compat.<peer>.<Name>(...)``."""
    for name in namespace["__all__"]:
        fn = namespace[name]
        if inspect.isfunction(fn):
            namespace[name] = _named(peer, fn)
