"""Registers every schedule node class as a JAX pytree, whenever JAX gets imported.

``import schedalg`` must not import JAX, yet a schedule built before JAX is first imported
must still be a pytree afterwards. If JAX is already imported, registration happens now;
otherwise a one-shot import hook registers the classes right after ``jax`` finishes loading.
"""

from __future__ import annotations

import importlib.machinery
import sys
import threading
from typing import Any

_lock = threading.Lock()
_registered = False


def _all_node_classes() -> list[type]:
    from ._schedule import Schedule

    out: list[type] = []
    todo = [Schedule]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            out.append(sub)
            todo.append(sub)
    return out


_done: set[type] = set()


def _register_one(cls: type) -> None:
    from jax import tree_util

    if cls in _done:
        return

    def flatten_with_keys(s: Any) -> tuple[list[tuple[Any, Any]], Any]:
        children, aux = s._tree_flatten()
        keys = s._tree_keys()
        return [(tree_util.GetAttrKey(k), c) for k, c in zip(keys, children, strict=True)], aux

    tree_util.register_pytree_with_keys(
        cls,
        flatten_with_keys,
        cls._tree_unflatten,  # type: ignore[attr-defined]
        flatten_func=lambda s: s._tree_flatten(),
    )
    _done.add(cls)


def register() -> None:
    """Register all node classes with ``jax.tree_util`` (idempotent)."""
    global _registered
    with _lock:
        if _registered:
            return
        for cls in _all_node_classes():
            _register_one(cls)
        _registered = True


def register_class(cls: type) -> None:
    """Register a node class defined after JAX was imported (a user's primitive); before
    that, ``register`` finds it among the subclasses when JAX loads."""
    with _lock:
        if _registered:
            _register_one(cls)


# The hook's finder and loader are plain classes: the import system calls only the methods
# below, and ``importlib.abc`` would load ``importlib.resources`` (tempfile, shutil, bz2, lzma,
# random) at ``import schedalg``.


class _Loader:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        register()


class _Finder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "jax":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        for finder in sys.meta_path:
            found = (
                finder.find_spec(fullname, path, target) if hasattr(finder, "find_spec") else None
            )
            if found is not None:
                spec = found
                break
        loader: Any = _Loader(spec.loader)  # a loader by protocol, not an importlib.abc subclass
        spec.loader = loader
        return spec


def install() -> None:
    if "jax" in sys.modules:
        register()
    elif not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
