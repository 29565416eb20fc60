"""``parse``: read a schedule from the expression ``repr`` prints, without running any code.

The language is the small subset of Python that ``repr`` uses, with Python's meaning:

* numbers (``3e-4``, ``2000``, ``-1.5``), ``True``/``False``/``None`` and short strings as
  arguments, lists and tuples of those;
* calls of the schedalg constructors (``cosine(1.0, 0.0, 100, power=2)``), positional and
  keyword arguments, and of the public constructors of the compat modules, written
  ``compat.<peer>.<Name>(...)`` (e.g. ``compat.torch.OneCycleLR(...)``);
* the operators ``>>`` (concat), ``+ - * / **`` and unary ``-``/``+``. On two numbers they are
  number arithmetic (``3e-4 / 10``); with a schedule on either side they build the schedule,
  exactly as ``a * 0.1`` does in Python. ``>>`` is always ``concat``.

The text is parsed with Python's ``ast`` module and walked by a whitelisting interpreter:
any other syntax (attribute access outside ``compat.<peer>.<Name>``, subscripts, lambdas,
comprehensions, starred arguments, unknown names) is an error, and nothing is ever
passed to ``eval``, ``exec`` or ``compile``. Hostile input is bounded before ``ast.parse``
sees it: a length limit, a bracket-depth scan, a limit on runs of unary operators; long
``>>`` chains are parsed in slices so the parser's own recursion limit is never reached.
Every failure is one ``ParseError`` (a ``ValueError``) whose message shows the column.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import math
import operator
import re
import threading
import warnings
from collections.abc import Callable
from typing import Any

from ._schedule import Schedule

__all__ = ["MAX_LENGTH", "MAX_TOKENS", "ParseError", "parse", "register"]

#: Longest accepted expression, in characters, and in tokens (numbers, names, symbols): a
#: piecewise of 25_000 full-precision values fits; the densest input at the limits is
#: answered in about a second.
MAX_LENGTH = 1_000_000
MAX_TOKENS = 200_000
#: Deepest accepted bracket nesting, and expression nesting in the syntax tree.
MAX_BRACKETS = 100
MAX_DEPTH = 200
#: Longest accepted run of unary operators (``- - - x``).
MAX_UNARY_RUN = 32
#: ``>>`` operators per ``ast.parse`` call (the parser's recursion limit is near 3000).
_CHAIN_SLICE = 500
#: Longest accepted string argument, and integer magnitude.
_MAX_STR = 200
_MAX_INT = 2**63

_TOKEN_RE = re.compile(r"\d[\w.]*(?:[eE][-+]?\d+)?|[A-Za-z_]\w*|\S")
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
_SCAN_RE = re.compile(r"""'[^'\n]*'?|"[^"\n]*"?|#[^\n]*|>>|[()\[\]{}]""")
_UNARY_RE = re.compile(r"(?:[-+~]\s*){" + str(MAX_UNARY_RUN + 1) + ",}")
_OPENERS = {"(": ")", "[": "]", "{": "}"}


class ParseError(ValueError):
    """A schedule expression that ``parse`` rejects.

    Attributes:
        reason: what is wrong, without the position.
        line, column: 1-based position of the offending character (None if unknown).
        text: the whole expression (None if too long to keep).
    """

    def __init__(self, reason: str, text: str | None = None, offset: int | None = None) -> None:
        self.reason = reason
        self.line: int | None = None
        self.column: int | None = None
        self.text = text if text is not None and len(text) <= 10_000 else None
        message = f"parse(): {reason}"
        if text is not None and offset is not None:
            offset = max(0, min(offset, len(text)))
            line_start = text.rfind("\n", 0, offset) + 1
            line_end = text.find("\n", offset)
            line_end = len(text) if line_end < 0 else line_end
            self.line = text.count("\n", 0, offset) + 1
            self.column = offset - line_start + 1
            message += f" (line {self.line}, column {self.column})"
            shown, col = _excerpt(text[line_start:line_end], self.column - 1)
            message += f"\n    {shown}\n    {' ' * col}^"
        super().__init__(message)


def _excerpt(line: str, col: int, width: int = 76) -> tuple[str, int]:
    """At most ``width`` characters of ``line`` around column ``col`` (0-based)."""
    if len(line) <= width:
        return line, col
    lo = max(0, min(col - width // 2, len(line) - width))
    prefix = "..." if lo > 0 else ""
    suffix = "..." if lo + width < len(line) else ""
    return prefix + line[lo : lo + width] + suffix, col - lo + len(prefix)


# -- the names an expression may call -------------------------------------------------------------

_FUNCTIONS: dict[str, Callable[..., Any]] = {}
_COMPAT_PACKAGE = "schedalg.compat"
# Guards filling and extending the name table; _READY holds the table once it is complete, so
# a thread never reads a half-filled table (a second thread used to get "unknown function").
_LOCK = threading.Lock()
_READY: list[object] = []  # [the table, the number of node types it holds]


def _core_functions() -> dict[str, Callable[..., Any]]:
    """The callable names: every registered node type's public function (see ``_fields``),
    ``fit``, and the names given to ``register``. A node type registered later (a user's
    primitive whose module was imported after the first parse) joins on the next call."""
    from . import _fields as F

    table = _FUNCTIONS
    names = F.node_names()
    if _READY and _READY[0] is table and _READY[1] == len(names):
        return table
    with _LOCK:
        table = _FUNCTIONS
        names = F.node_names()
        if not (_READY and _READY[0] is table and _READY[1] == len(names)):
            from ._time_maps import fit

            for name in names:
                if not F.called_by_name(name):
                    continue
                fn = F.public_function(name) or F.node_classes(name)[0]
                if table.get(name) is not fn:
                    table[name] = fn
            table.setdefault("fit", fit)
            _READY[:] = [table, len(names)]
    return table


def register(name: str, function: Callable[..., Any]) -> None:
    """Let expressions call ``function`` as ``name(...)`` (recipes, project helpers).

    Args:
        name: a lower-case identifier, not already taken by a different function.
        function: a callable that builds schedules from numbers, lists and schedules.

    Example:
        >>> from schedalg import cosine, linear_ramp, parse
        >>> from schedalg._parse import register
        >>> def ramp_then_decay(peak, w, n):
        ...     "A ramp to peak over w steps, then a cosine to 0 over n."
        ...     return linear_ramp(0, peak, w) >> cosine(peak, 0, n)
        >>> register("ramp_then_decay", ramp_then_decay)
        >>> parse("ramp_then_decay(1.0, 10, 90)").duration
        100
    """
    table = _core_functions()
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"register(): name must be a lower-case identifier, got name={name!r}")
    if not callable(function):
        raise TypeError(f"register(): function must be callable, got function={function!r}")
    with _LOCK:
        if name in table and table[name] is not function:
            raise ValueError(f"register(): the name {name!r} is already taken by {table[name]!r}")
        table[name] = function


def _compat_function(peer: str, name: str) -> tuple[Callable[..., Any] | None, str]:
    """``schedalg.compat.<peer>.<name>`` if it is a public callable of that module.

    Returns (the function, "") or (None, why not).
    """
    unknown = f"unknown compat constructor 'compat.{peer}.{name}'"
    if not _NAME_RE.match(peer) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return None, unknown
    module_name = f"{_COMPAT_PACKAGE}.{peer}"
    try:
        if importlib.util.find_spec(_COMPAT_PACKAGE) is None:
            return None, unknown + " (no compat modules installed)"
        if importlib.util.find_spec(module_name) is None:
            return None, unknown + f" (no module {module_name})"
        module = importlib.import_module(module_name)
    except ImportError as e:
        return None, f"compat.{peer} could not be imported: {e}"
    public = getattr(module, "__all__", None)
    fn = getattr(module, name, None)
    if (
        fn is None
        or not callable(fn)
        or (public is not None and name not in public)
        or (public is None and getattr(fn, "__module__", None) != module_name)
    ):
        return None, unknown + f" ({module_name} has no public constructor {name!r})"
    return fn, ""


# -- the scan before ast.parse ---------------------------------------------------------------------


def _prescan(text: str) -> list[int]:
    """Check brackets and unary runs; return the offsets of the top-level ``>>`` operators."""
    bad = next((i for i, ch in enumerate(text) if ord(ch) > 126 or ch == "\0"), None)
    if bad is not None:
        raise ParseError(f"unexpected character {text[bad]!r}", text, bad)
    m = _UNARY_RE.search(text)
    if m is not None:
        raise ParseError(f"more than {MAX_UNARY_RUN} unary operators in a row", text, m.start())
    stack: list[tuple[str, int]] = []
    chain: list[int] = []
    for m in _SCAN_RE.finditer(text):
        tok = m.group()
        if tok in _OPENERS:
            stack.append((tok, m.start()))
            if len(stack) > MAX_BRACKETS:
                raise ParseError(f"brackets nested deeper than {MAX_BRACKETS}", text, m.start())
        elif tok in ")]}":
            if not stack or _OPENERS[stack[-1][0]] != tok:
                raise ParseError(f"unmatched {tok!r}", text, m.start())
            stack.pop()
        elif tok == ">>" and not stack:
            chain.append(m.start())
    if stack:
        raise ParseError(f"{stack[0][0]!r} is never closed", text, stack[0][1])
    return chain


# -- the interpreter -------------------------------------------------------------------------------

_BINOPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}


def _number_pow(a: Any, b: Any) -> Any:
    """``a ** b`` on two numbers, refusing what would not be a finite real number (a huge
    integer power is estimated in floating point first, never computed)."""
    try:
        f = float(a) ** float(b)
    except ZeroDivisionError:
        raise ValueError("0 to a negative power") from None
    except OverflowError:
        raise ValueError("result out of range (not finite)") from None
    if isinstance(f, complex):
        raise ValueError("a negative number to a fractional power is not real")
    if isinstance(a, int) and isinstance(b, int) and b >= 0 and abs(f) < _MAX_INT:
        return a**b
    return f


_WHY_NOT = {
    ast.Attribute: "attribute access (other than compat.<peer>.<Name>(...) calls)",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Starred: "starred arguments",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment expressions",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class _Interpreter:
    """Walks one ``ast`` tree; positions are mapped back into the whole text."""

    def __init__(self, text: str, base: int, wrapped: str) -> None:
        self.text = text
        self.base = base  # offset in ``text`` of wrapped[1]
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(wrapped) if ch == "\n"]

    def offset(self, node: ast.AST) -> int:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return self.base - 1 + self.line_starts[line - 1] + col

    def fail(self, reason: str, node: ast.AST) -> ParseError:
        return ParseError(reason, self.text, self.offset(node))

    def eval(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"expression nested deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.eval(e, depth + 1) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Name):
            if node.id in _core_functions():
                raise self.fail(f"{node.id} is a function: call it, {node.id}(...)", node)
            raise self.fail(f"unknown name {node.id!r}{_suggest(node.id)}", node)
        what = _WHY_NOT.get(type(node), type(node).__name__)
        raise self.fail(f"{what} not allowed in a schedule expression", node)

    def constant(self, node: ast.Constant) -> Any:
        v = node.value
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            if abs(v) >= _MAX_INT:
                raise self.fail(f"integer too large (limit {_MAX_INT})", node)
            return v
        if isinstance(v, float):
            if not math.isfinite(v):
                raise self.fail("number out of range (not finite)", node)
            return v
        if isinstance(v, str):
            if len(v) > _MAX_STR:
                raise self.fail(f"string longer than {_MAX_STR} characters", node)
            return v
        raise self.fail(f"{type(v).__name__} constants not allowed", node)

    def number_result(self, v: Any, node: ast.AST) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            raise self.fail("arithmetic result out of range (not finite)", node)
        if isinstance(v, int) and abs(v) >= _MAX_INT:
            raise self.fail(f"integer result too large (limit {_MAX_INT})", node)
        return v

    def operand(self, v: Any, node: ast.AST, symbol: str) -> Any:
        if isinstance(v, Schedule) or _is_number(v):
            return v
        raise self.fail(f"{symbol!r} needs numbers or schedules, got {_kind(v)}", node)

    def binop(self, node: ast.BinOp, depth: int) -> Any:
        if isinstance(node.op, ast.RShift):
            parts = self.chain(node, depth)
            return self.apply(_core_functions()["concat"], parts, {}, node, "concat")
        if type(node.op) not in _BINOPS:
            sym = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@"}.get(
                type(node.op), type(node.op).__name__
            )
            raise self.fail(f"the operator {sym} is not part of the language", node)
        symbol, fn = _BINOPS[type(node.op)]
        a = self.operand(self.eval(node.left, depth + 1), node.left, symbol)
        b = self.operand(self.eval(node.right, depth + 1), node.right, symbol)
        if _is_number(a) and _is_number(b):
            if symbol == "**":
                fn = _number_pow
            try:
                v = fn(a, b)
            except (ArithmeticError, ValueError) as e:
                raise self.fail(f"{a!r} {symbol} {b!r}: {e}", node) from None
            return self.number_result(v, node)
        return self.apply(fn, [a, b], {}, node, symbol)

    def chain(self, node: ast.BinOp, depth: int) -> list[Any]:
        """The operands of a left-nested ``a >> b >> c`` chain, walked without recursion."""
        rights: list[ast.AST] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.RShift):
            rights.append(cur.right)
            cur = cur.left
        rights.append(cur)
        return [self.eval(n, depth + 1) for n in reversed(rights)]

    def unary(self, node: ast.UnaryOp, depth: int) -> Any:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.fail("only unary - and + are allowed", node)
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        v = self.operand(self.eval(node.operand, depth + 1), node.operand, symbol)
        if symbol == "+":
            return v
        if _is_number(v):
            return -v
        return self.apply(operator.neg, [v], {}, node, "-")

    def call(self, node: ast.Call, depth: int) -> Any:
        fn, name = self.callee(node.func)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.fail("starred arguments not allowed in a schedule expression", a)
            args.append(self.eval(a, depth + 1))
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail("**keyword arguments not allowed in a schedule expression", kw)
            if kw.arg in kwargs:
                raise self.fail(f"keyword argument {kw.arg!r} repeated", kw)
            kwargs[kw.arg] = self.eval(kw.value, depth + 1)
        return self.apply(fn, args, kwargs, node, name)

    def callee(self, func: ast.expr) -> tuple[Callable[..., Any], str]:
        if not isinstance(func, (ast.Name, ast.Attribute)):
            raise self.fail(
                "only named functions can be called in a schedule expression (schedalg "
                f"constructors and compat.<peer>.<Name>), got a call of {_describe(func)}",
                func,
            )
        if isinstance(func, ast.Name):
            fn = _core_functions().get(func.id)
            if fn is None:
                raise self.fail(f"unknown function {func.id!r}{_suggest(func.id)}", func)
            return fn, func.id
        parts: list[str] = []
        cur: ast.expr = func
        while isinstance(cur, ast.Attribute) and len(parts) < 3:
            parts.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name):
            parts.append(cur.id)
        dotted = ".".join(reversed(parts))
        if len(parts) == 3 and parts[2] == "compat" and isinstance(cur, ast.Name):
            fn, why = _compat_function(parts[1], parts[0])
            if fn is not None:
                return fn, dotted
            raise self.fail(why + (_suggest(dotted) if why.startswith("unknown") else ""), func)
        raise self.fail(
            "attribute access not allowed in a schedule expression "
            f"(only compat.<peer>.<Name>(...) calls), got {dotted or type(func).__name__!r}",
            func,
        )

    def apply(
        self,
        fn: Callable[..., Any],
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
        name: str,
    ) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # any failure of a constructor is the expression's error
            msg = str(e) if isinstance(e, (TypeError, ValueError)) else f"{type(e).__name__}: {e}"
            if not re.match(r"[\w.]+\(\)", msg):
                msg = f"{name}: {msg}"
            raise self.fail(msg, node) from None


_WHAT = {
    ast.Lambda: "a lambda",
    ast.Subscript: "a subscript",
    ast.Call: "a call's result",
    ast.BinOp: "an operator expression",
    ast.UnaryOp: "an operator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "an 'and'/'or' expression",
    ast.IfExp: "a conditional expression",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment expression",
}


def _suggest(name: str) -> str:
    """"; did you mean ...?" for an unknown name (``_names`` is loaded only on this path)."""
    from . import _names

    return _names.hint(name)


def _describe(node: ast.AST) -> str:
    """What a syntax node is, in words (for "got ..." in a message)."""
    if isinstance(node, ast.Constant):
        v = node.value
        return "a string" if isinstance(v, str) else f"the constant {v!r}"
    return _WHAT.get(type(node), f"a {type(node).__name__} expression")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _kind(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, tuple):
        return "a tuple" if v else "an empty tuple ()"
    if isinstance(v, str):
        return "a string"
    return repr(v)


def parse(text: str) -> Schedule:
    """Read a schedule from the expression ``repr`` prints; never runs code.

    Grammar (a subset of Python, with Python's meaning): numbers; ``True``, ``False``,
    ``None``, short strings and lists as arguments; calls of the schedalg constructors and of
    ``compat.<peer>.<Name>``; ``>>`` (concat), ``+ - * /``, unary ``-``. A bare number is the
    constant schedule. ``parse(repr(s)) == s`` for every schedule with concrete values.

    Args:
        text: the expression, at most ``MAX_LENGTH`` characters and ``MAX_TOKENS`` tokens;
            ``#`` comments and line breaks inside brackets are allowed.

    Returns:
        The schedule.

    Raises:
        ParseError: (a ValueError) for anything else, naming the line and column.

    Example:
        >>> from schedalg import parse
        >>> s = parse("linear_ramp(0, 3e-4, 2000) >> cosine(3e-4, 3e-5, 98000)")
        >>> s.duration, s(2000)
        (100000, 0.0003)
        >>> parse(repr(s)) == s
        True
    """
    if not isinstance(text, str):
        raise TypeError(f"parse(): text must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"expression is {len(text)} characters long; the limit is MAX_LENGTH={MAX_LENGTH}",
            None,
        )
    n_tokens = len(_TOKEN_RE.findall(text))
    if n_tokens > MAX_TOKENS:
        raise ParseError(
            f"expression has {n_tokens} tokens; the limit is MAX_TOKENS={MAX_TOKENS}", None
        )
    chain = _prescan(text)
    if not text.strip():
        raise ParseError("empty expression", text, 0)
    if not _SCAN_RE.sub(lambda m: "" if m.group().startswith("#") else m.group(), text).strip():
        raise ParseError("empty expression (only a comment)", text, 0)
    # Cut the top-level >> chain into slices the ast parser handles in one call each.
    cuts = chain[_CHAIN_SLICE - 1 :: _CHAIN_SLICE]
    bounds = [0, *cuts, len(text)]
    pieces: list[Any] = []
    for i in range(len(bounds) - 1):
        lo = bounds[i] + (2 if i > 0 else 0)
        hi = bounds[i + 1]
        pieces.extend(_parse_slice(text, lo, hi, many=len(bounds) > 2))
    if len(pieces) == 1:
        value = pieces[0]
    else:
        try:
            value = _core_functions()["concat"](*pieces)
        except (TypeError, ValueError) as e:
            raise ParseError(str(e), text, chain[0]) from None
    if _is_number(value):
        try:
            value = _core_functions()["hold"](value)
        except (TypeError, ValueError) as e:  # a bare number beyond the value range
            raise ParseError(str(e), text, 0) from None
    if not isinstance(value, Schedule):
        raise ParseError(f"the expression is {_kind(value)}, not a schedule", text, 0)
    return value


def _parse_slice(text: str, lo: int, hi: int, many: bool) -> list[Any]:
    """Parse ``text[lo:hi]``; with ``many``, return its top-level ``>>`` operands."""
    src = text[lo:hi]
    if not src.strip():
        raise ParseError("expected an expression", text, lo)
    wrapped = "(" + src + "\n)"
    try:
        with warnings.catch_warnings():
            # "invalid decimal literal", "invalid escape sequence" and the like: errors here,
            # not warnings (a SyntaxWarning from Python 3.12, some a DeprecationWarning before).
            warnings.simplefilter("error")
            tree = ast.parse(wrapped, mode="eval")
    except SyntaxError as e:
        line, col = e.lineno or 1, (e.offset or 1) - 1
        starts = [0] + [i + 1 for i, ch in enumerate(wrapped) if ch == "\n"]
        pos = lo - 1 + starts[min(line, len(starts)) - 1] + col
        reason = e.msg or "invalid syntax"
        if "Exceeds the limit" in reason:
            reason = "number literal too long"
        raise ParseError(reason, text, min(max(pos, lo), hi)) from None
    except (RecursionError, MemoryError):
        raise ParseError("expression nested too deeply", text, lo) from None
    except ValueError:  # an integer literal beyond Python's digit limit
        raise ParseError("number literal too long", text, lo) from None
    interp = _Interpreter(text, lo, wrapped)
    body = tree.body
    if many and isinstance(body, ast.BinOp) and isinstance(body.op, ast.RShift):
        return interp.chain(body, 0)
    # a piece of a cut chain (alone in its slice) is one level below the chain, as when whole
    return [interp.eval(body, 1 if many else 0)]
