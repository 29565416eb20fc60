"""parse(): the repr language read back exactly, and hostile input refused quickly."""

from __future__ import annotations

import sys
import textwrap
import time
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import all_schedules

import schedalg as sa
import schedalg.compat
from schedalg import _parse
from schedalg._parse import ParseError, parse, register


@given(all_schedules())
def test_parse_reads_repr_back(s):
    back = parse(repr(s))
    assert back == s
    assert repr(back) == repr(s)


@given(all_schedules())
def test_parse_agrees_with_python_eval(s):
    # The law behind the grammar: parse gives what Python gives after `from schedalg import *`.
    namespace = {name: getattr(sa, name) for name in sa.__all__}
    namespace["compat"] = schedalg.compat  # (compat.<peer>.<Name>(...) calls)
    assert parse(repr(s)) == eval(repr(s), {"__builtins__": {}}, namespace)


def test_readme_expression():
    s = parse("linear_ramp(0, 3e-4, 2000) >> cosine(3e-4, 3e-5, 98000)")
    assert s == sa.linear_ramp(0.0, 3e-4, 2000) >> sa.cosine(3e-4, 3e-5, 98000)
    assert s.duration == 100_000


def test_number_arithmetic_is_python_arithmetic():
    assert parse("cosine(3e-4, 3e-4 / 10, 10 * 100)") == sa.cosine(3e-4, 3e-4 / 10, 1000)
    assert parse("0.5") == sa.hold(0.5)
    assert parse("-2") == sa.hold(-2.0)
    assert parse("hold(0.5) + 0.5") == sa.add(0.5, 0.5)
    assert parse("2 * cosine(1, 0, 10)") == sa.mul(2.0, sa.cosine(1.0, 0.0, 10))
    assert parse("-cosine(1, 0, 10)") == sa.neg(sa.cosine(1.0, 0.0, 10))
    assert parse("+cosine(1, 0, 10)") == sa.cosine(1.0, 0.0, 10)
    assert type(parse("hold(1, steps=2 * 5)").steps) is int


def test_keywords_lists_comments_and_line_breaks():
    text = textwrap.dedent(
        """\
        piecewise(  # per-epoch drops
            boundaries=[10, 20],
            values=(1.0, 0.1, 0.01),
        ) >> hold(0.001)
        """
    ).strip()
    assert parse(text) == sa.piecewise([10, 20], [1.0, 0.1, 0.01]) >> sa.hold(0.001)


def test_long_concat_chains_are_parsed_in_slices():
    pieces = [sa.linear_ramp(float(i), float(i + 1), i % 7 + 1) for i in range(4000)]
    s = sa.concat(*pieces)
    assert parse(repr(s)) == s


def test_large_piecewise():
    s = sa.piecewise(list(range(1, 25_001)), [1.0 / (i + 1) for i in range(25_001)])
    assert parse(repr(s)) == s


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize(
    "text, words, column",
    [
        ("__import__('os')", "unknown function '__import__'", 1),
        ("cosine(1, 0, 10) >> os.system('ls')", "attribute access", 21),
        ("hold(1.0).__class__", "attribute access", 1),
        ("cosine.__globals__", "attribute access", 1),
        ("lambda: hold(1.0)", "lambdas", 1),
        ("[hold(1.0) for _ in range(3)]", "comprehensions", 1),
        ("hold(1.0, 3)[0]", "subscripts", 1),
        ("hold(*[1.0])", "starred", 6),
        ("hold(**{'value': 1.0})", "keyword arguments", 6),
        ("10**10**10", "10 ** 10000000000: result out of range", 1),
        ("(-8) ** 0.5", "not real", 1),
        ("hold(1.0) @ 2", "operator @ is not part", 1),
        ("hold(1.0) // 2", "operator //", 1),
        ("hold(1.0) if 1 else hold(2.0)", "conditional", 1),
        ("hold(x)", "unknown name 'x'", 6),
        ("cosine", "call it", 1),
        ("foo(1)", "unknown function 'foo'", 1),
        ("cosine(1, 0, -5)", "steps must be a non-negative int", 1),
        ("linear_ramp(0, 1, 10) >> cosine(1, 0, 10, power=0)", "power must be > 0", 26),
        ("hold(1.0) >> hold(2.0)", "every piece but the last must be finite", 1),
        ("hold(1.0, 3) >>", "invalid syntax", 16),
        ("hold(1.0, 3) >> >> hold(1.0)", "invalid syntax", 17),
        ("hold(1.0, 3) >>   ", "invalid syntax", 19),
        ("[1] * 10", "needs numbers or schedules", 1),
        ("'abc'", "a string, not a schedule", 1),
        ("1e999", "not finite", 1),
        ("1e308 * 10", "not finite", 1),
        ("1e100", "value must be at most 1e+30", 1),
        ("1 / 0", "division by zero", 1),
        ("99999999999999999999", "integer too large", 1),
        ("1" * 5000, "too long", 1),
        ("hold(1, steps=2, steps=3)", "repeated", 18),
        ("hold(1.0, 3)\n  >> foo(1)", "unknown function", 6),
        ("(((1)", "never closed", 1),
        ("hold(1.0))", "unmatched ')'", 10),
        ("hold(1.0, 3) >> cosine(1, 0, 3) \u2192 1", "unexpected character", 33),
        ("hold({1.0})", "sets", 6),
        ("hold(1.0 < 2.0)", "comparisons", 6),
        ("compat.torch.NoSuchThing(1)", "unknown compat constructor", 1),
        ("compat.__init__.x(1)", "unknown compat constructor", 1),
        ("compat(1)", "unknown function", 1),
        ("", "empty", 1),
        ("1j", "complex", 1),
        ("b'x'", "bytes", 1),
    ],
)
def test_rejected_with_a_column(text, words, column):
    err = _error(text)
    assert words in str(err)
    assert err.column == column, str(err)
    assert "^" in str(err)


def test_hostile_sizes_and_depths():
    err = _error("x" * 10_000_000)
    assert "limit is MAX_LENGTH" in str(err)
    assert len(str(err)) < 300
    # At the limits, the densest inputs still get an answer quickly.
    assert "MAX_TOKENS" in str(_error(",".join(["1"] * 400_000)))
    assert "not a schedule" in str(_error(",".join(["1"] * 99_000)))
    assert "nested" in str(_error("+".join(["1"] * 99_000)))
    for depth in (10_000, 100_000):  # 10^5 may hit the token limit first
        for text in ("(" * depth + "1" + ")" * depth, "[" * depth + "]" * depth):
            message = str(_error(text))
            assert "nested deeper than 100" in message or "MAX_TOKENS" in message
        assert "nested deeper than 100" in str(_error("hold(" * 10_000 + "1" + ")" * 10_000))
    assert "unary operators" in str(_error("-" * 100_000 + "1"))
    assert "nested" in str(_error("+".join(["1"] * 90_000)))
    assert "nested" in str(_error("*".join(["hold(1.0)"] * 5_000)))
    assert "nested" in str(_error("+".join(["1"] * 1_000)))
    n = 20_000  # 40 slices of the >> chain
    big_chain = " >> ".join(["hold(1.0, 1)"] * n)
    assert parse(big_chain).duration == n


def test_non_string_input():
    with pytest.raises(TypeError, match="must be a str"):
        parse(b"hold(1.0)")  # type: ignore[arg-type]


ALPHABET = "hold(cosine, 0.5e-3)>>+-*/ []=x_.,'\"#\n\t\\1{}:lambda"


@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fuzz_random_text(text):
    try:
        s = parse(text)
    except ParseError:
        return
    assert isinstance(s, sa.Schedule)


@given(all_schedules(max_leaves=4), st.data())
def test_fuzz_mutated_expressions(s, data):
    text = repr(s)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        how = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if how == "delete":
            text = text[:i] + text[i + 1 :]
        elif how == "insert":
            text = text[:i] + data.draw(st.sampled_from(list("()[],.=-+*/>x0e_ '"))) + text[i:]
        else:
            text = text[:i] + text[i : i + 8] + text[i:]
    try:
        out = parse(text)
    except ParseError as e:
        assert e.column is None or 1 <= e.column
        return
    assert isinstance(out, sa.Schedule)


def test_register_extends_the_name_table(monkeypatch):
    monkeypatch.setattr(_parse, "_FUNCTIONS", {})  # a fresh table: core names only

    def warm_cos(peak, warmup, total):
        return sa.linear_ramp(0.0, peak, warmup) >> sa.cosine(peak, 0.0, total - warmup)

    register("warm_cos", warm_cos)
    assert parse("warm_cos(1.0, 10, 100)") == warm_cos(1.0, 10, 100)
    with pytest.raises(ValueError, match="already taken"):
        register("cosine", warm_cos)
    with pytest.raises(ValueError, match="lower-case identifier"):
        register("Bad Name", warm_cos)


def test_compat_constructors_resolve_lazily_and_only_public(tmp_path, monkeypatch):
    pkg = tmp_path / "fakecompat"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "torchish.py").write_text(
        textwrap.dedent(
            """\
            import os
            import schedalg as _sa
            __all__ = ["StepLR"]
            def StepLR(lr, step_size, gamma=0.1):
                return _sa.staircase(_sa.exp(lr, rate=gamma ** (1 / step_size)), step_size)
            def helper():
                raise AssertionError("not public")
            LOADED = True
            """
        )
    )
    (pkg / "noall.py").write_text(
        "from os import getcwd\nimport schedalg as _sa\ndef Const(v):\n    return _sa.hold(v)\n"
    )
    (pkg / "broken.py").write_text("import no_such_module_for_schedalg_tests\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_parse, "_COMPAT_PACKAGE", "fakecompat")
    assert "fakecompat.torchish" not in sys.modules
    got = parse("compat.torchish.StepLR(0.1, step_size=30, gamma=0.5) * 2")
    assert got == sa.staircase(sa.exp(0.1, rate=0.5 ** (1 / 30)), 30) * 2
    assert sys.modules["fakecompat.torchish"].LOADED
    assert parse("compat.noall.Const(0.5)") == sa.hold(0.5)
    for bad in (
        "compat.torchish.helper()",
        "compat.torchish.os(1)",
        "compat.torchish.LOADED(1)",
        "compat.noall.getcwd()",
        "compat.nosuchpeer.StepLR(1)",
        "compat.torchish.StepLR.__globals__(1)",
        "compat.Torchish.StepLR(1)",
    ):
        err = _error(bad)
        assert "compat" in str(err) or "attribute" in str(err), bad
    assert "could not be imported: No module named" in str(_error("compat.broken.StepLR(1)"))
    assert "has no public constructor 'helper'" in str(_error("compat.torchish.helper()"))


def test_real_compat_constructors():
    from schedalg.compat import torch as ctorch
    from schedalg.compat import transformers as ctf

    got = parse("compat.torch.OneCycleLR(max_lr=1e-3, total_steps=1000, anneal_strategy='linear')")
    assert got == ctorch.OneCycleLR(max_lr=1e-3, total_steps=1000, anneal_strategy="linear")
    assert parse(repr(got)) == got
    text = "compat.transformers.get_cosine_schedule_with_warmup(3e-4, 100, 1000) * 0.5"
    assert parse(text) == ctf.get_cosine_schedule_with_warmup(3e-4, 100, 1000) * 0.5
    err = _error("compat.torch.StepLR(0.1, step_size=-3)")
    assert "StepLR" in str(err) and err.column == 1
    assert "not a schedule" in str(_error("compat.fastai.fit_one_cycle(10, 1e-3, n_iter=5)"))


@pytest.mark.parametrize(
    "text, words, wrong",
    [
        ("(lambda: 1)()", "got a call of a lambda", "attribute"),
        ("(1)(2)", "got a call of the constant 1", "attribute"),
        ("hold(1.0, 3)[0](1)", "got a call of a subscript", "attribute"),
        ("cosine(1, 0, 10)(3)", "got a call of a call's result", "attribute"),
        ("# only a comment", "empty expression (only a comment)", "list"),
        ("  # one\n# two\n", "empty expression (only a comment)", "list"),
        ("()", "an empty tuple ()", "list"),
        ("(1, 2)", "the expression is a tuple", "list"),
    ],
)
def test_messages_say_what_was_found(text, words, wrong):
    message = str(_error(text))
    assert words in message
    assert wrong not in message


def test_name_table_is_filled_once_for_racing_threads(monkeypatch):
    # A table that fills slowly widens the window in which a second thread used to see a
    # half-filled table ("unknown function 'warp'").
    import threading

    class SlowTable(dict):
        def setdefault(self, key, default=None):
            time.sleep(0.002)
            return super().setdefault(key, default)

        def __setitem__(self, key, value):
            time.sleep(0.002)
            super().__setitem__(key, value)

    monkeypatch.setattr(_parse, "_FUNCTIONS", SlowTable())
    start = threading.Barrier(8)
    results: list = []

    def work():
        start.wait()
        try:
            results.append(parse("warp(linear_ramp(1.0, 0.0, 10), 0.5) >> hold(0.0)"))
        except ParseError as e:
            results.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    want = sa.warp(sa.linear_ramp(1.0, 0.0, 10), 0.5) >> sa.hold(0.0)
    assert results == [want] * 8


@pytest.fixture
def deep_stack():
    """Room for the expressions nested 200 levels deep under a tool that wraps every call
    (mutmut's trampolines add two frames per call); the default limit suffices otherwise."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10_000))
    yield
    sys.setrecursionlimit(old)


# -- exact messages and positions -----------------------------------------------------------------
# The layout of a ParseError, written out by hand: "parse(): REASON (line L, column C)", then
# the offending line indented by 4 and a caret under column C. A line longer than 76
# characters is cut to a 76-character window that starts 38 characters before the column
# (kept inside the line), with "..." on each side that was cut.


def _caret(col0: int) -> str:
    """The caret line under 0-based column ``col0`` of the shown excerpt."""
    return "    " + " " * col0 + "^"


def test_error_on_a_middle_line_shows_that_line_only():
    text = "hold(1.0, 3)\n>> hold(2.0, 3)\n>> (lambda: 1)\n>> hold(1.0)"
    err = _error(text)
    reason = "lambdas not allowed in a schedule expression"
    assert (err.reason, err.line, err.column, err.text) == (reason, 3, 5, text)
    assert str(err) == f"parse(): {reason} (line 3, column 5)\n    >> (lambda: 1)\n{_caret(4)}"


def test_error_on_the_second_of_four_lines_shows_that_line_only():
    err = _error("hold(1.0, 3)\n>> (lambda: 1)\n>> hold(2.0, 3)\n>> hold(1.0)")
    assert (err.line, err.column) == (2, 5)
    assert str(err).endswith("(line 2, column 5)\n    >> (lambda: 1)\n        ^")


def test_error_on_the_last_line_keeps_its_last_character():
    err = _error("hold(1.0, 3) >>\n  foo")
    assert (err.line, err.column) == (2, 3)
    assert str(err).endswith("\n      foo\n      ^")


def test_error_after_a_leading_line_break():
    err = _error("\n(lambda: 1)")
    assert (err.line, err.column) == (2, 2)
    assert str(err).endswith("\n    (lambda: 1)\n     ^")


def test_an_empty_line_is_shown_empty():
    err = _error("\n")
    assert (err.reason, err.line, err.column) == ("empty expression", 1, 1)
    assert str(err) == "parse(): empty expression (line 1, column 1)\n    \n    ^"


def test_text_is_kept_up_to_10000_characters():
    lam = "(lambda: 1)"
    assert _error(lam + " " * (10_000 - len(lam))).text == lam + " " * (10_000 - len(lam))
    assert _error(lam + " " * (10_001 - len(lam))).text is None


def test_an_error_without_a_position():
    err = _error("x" * (_parse.MAX_LENGTH + 1))
    assert (err.line, err.column, err.text) == (None, None, None)
    assert str(err) == (
        f"parse(): expression is {_parse.MAX_LENGTH + 1} characters long; "
        f"the limit is MAX_LENGTH={_parse.MAX_LENGTH}"
    )
    # built by hand with a text but no offset: no position either
    err = ParseError("bad input", "hold(1.0)")
    assert (err.reason, err.line, err.column, err.text) == ("bad input", None, None, "hold(1.0)")
    assert str(err) == "parse(): bad input"


def _long_line(spaces: int, before: int, after: int) -> str:
    """A line with the bad lambda after ``spaces`` blanks and ``before`` "1 + " terms."""
    return " " * spaces + "1 + " * before + "(lambda: 1)" + " + 1" * after


@pytest.mark.parametrize(
    "spaces, before, after, column, shown",
    [
        # 131 characters, error at 0-based 1: the window is [0, 76), cut on the right
        (0, 0, 30, 2, lambda t: t[0:76] + "..."),
        # 159 characters, error at 0-based 39: the window starts at 1, cut on both sides
        (2, 9, 28, 40, lambda t: "..." + t[1:77] + "..."),
        # 231 characters, error at 0-based 101: the window is [63, 139)
        (0, 25, 30, 102, lambda t: "..." + t[63:139] + "..."),
        # 215 characters, error at 0-based 201: the window ends at the line's end, [139, 215)
        (0, 50, 1, 202, lambda t: "..." + t[139:215]),
    ],
)
def test_a_long_line_is_shown_around_the_column(spaces, before, after, column, shown):
    text = _long_line(spaces, before, after)
    err = _error(text)
    assert err.column == column
    lo = {2: 0, 40: 1, 102: 63, 202: 139}[column]
    caret = column - 1 - lo + (3 if lo > 0 else 0)
    assert str(err).endswith(f"\n    {shown(text)}\n{_caret(caret)}"), str(err)


@pytest.mark.parametrize(
    "text, reason, column",
    [
        # arithmetic on numbers: one message, at the operator expression (was nested twice)
        (
            "hold(1.0, 3) >> hold(1e308 * 10)",
            "arithmetic result out of range (not finite)",
            22,
        ),
        (
            "hold(1.0, 3) >> hold(4611686018427387904 * 2)",
            f"integer result too large (limit {2**63})",
            22,
        ),
        ("hold(1.0, 3) >> hold(1 / 0)", "1 / 0: division by zero", 22),
        ("hold(1.0, 3) >> ~hold(1.0)", "only unary - and + are allowed", 17),
        ("hold(1.0, 3) >> (not hold(1.0))", "only unary - and + are allowed", 18),
        ("hold(1.0, 3) >> -[1]", "'-' needs numbers or schedules, got a list", 18),
        ("hold(1.0, 3) >> +'a'", "'+' needs numbers or schedules, got a string", 18),
        ("hold(1.0, 3) >> [1] * 10", "'*' needs numbers or schedules, got a list", 17),
        ("hold(1.0, 3) >> True * hold(1.0)", "'*' needs numbers or schedules, got True", 17),
        ("hold(1.0, 3) >> hold(1.0) - None", "'-' needs numbers or schedules, got None", 29),
        ("()", "the expression is an empty tuple (), not a schedule", 1),
        ("(1, 2)", "the expression is a tuple, not a schedule", 1),
        ("[hold(1.0)]", "the expression is a list, not a schedule", 1),
        ("None", "the expression is None, not a schedule", 1),
        (
            "hold(1.0, 3) >> 'abc'(1)",
            "only named functions can be called in a schedule expression (schedalg "
            "constructors and compat.<peer>.<Name>), got a call of a string",
            17,
        ),
        (
            "hold(1.0, 3) >> ((yield))(1)",
            "only named functions can be called in a schedule expression (schedalg "
            "constructors and compat.<peer>.<Name>), got a call of a Yield expression",
            19,
        ),
    ],
)
def test_exact_reasons_and_columns(text, reason, column):
    err = _error(text)
    assert err.reason == reason
    assert err.column == column
    assert str(err).startswith(f"parse(): {reason} (line 1, column {column})\n")


def test_an_exact_power_of_two_integer_result_is_refused():
    # the limit is |n| < 2**63: 2**63 itself is refused, 2**63 - 1 is a number
    assert "integer result too large" in _error("4611686018427387904 * 2").reason
    assert parse("hold(1.0, steps=4611686018427387903 * 2 + 1 - 9223372036854775806)") == (
        sa.hold(1.0, 1)
    )


@pytest.mark.usefixtures("deep_stack")
def test_expression_depth_limit_is_200_levels():
    # 150 nested + then n unary minus (two runs, bracketed): the number 1 sits n + 150 deep.
    def text(n):
        return "-" * (n // 2) + "(" + "-" * (n - n // 2) + "1)" + " + 1" * 150

    assert parse(text(50)) == sa.hold(151.0)  # 200 levels: (-1)**50 * 1 + 150
    err = _error(text(51))
    assert err.reason == "expression nested deeper than 200 levels"
    assert err.column == 25 + 1 + 26 + 1  # at the 1, the first node below the limit


def test_register_refuses_what_is_not_callable():
    with pytest.raises(TypeError) as info:
        register("not_callable_thing", 3)  # type: ignore[arg-type]
    assert str(info.value) == "register(): function must be callable, got function=3"


def test_compat_names_resolve_by_all_or_by_defining_module(tmp_path, monkeypatch):
    # A fake compat package with a fresh name on every call, so the test holds when run twice
    # in one process (mutation testing does): a name is public if listed in __all__, or, in
    # a module without __all__, if the module itself defines it.
    import uuid

    package = f"fakecompat_{uuid.uuid4().hex}"
    root = tmp_path / package
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "withall.py").write_text(
        textwrap.dedent(
            """\
            from os import getcwd
            import schedalg as _sa
            __all__ = ["Const", "getcwd", "RATE", "Missing"]
            RATE = 0.5
            def Const(v):
                return _sa.hold(v)
            def helper(v):
                return _sa.hold(v)
            """
        )
    )
    (root / "noall.py").write_text(
        "from os import getcwd\nimport schedalg as _sa\nRATE = 0.5\n"
        "def Const(v):\n    return _sa.hold(v)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_parse, "_COMPAT_PACKAGE", package)

    def why(peer, name):
        fn, reason = _parse._compat_function(peer, name)
        assert fn is None
        return reason

    unknown = "unknown compat constructor 'compat.{}.{}'"
    assert parse("compat.withall.Const(0.25)") == sa.hold(0.25)
    assert parse("compat.noall.Const(0.25)") == sa.hold(0.25)
    # listed in __all__ though imported: public (its call fails as getcwd's own error)
    assert _parse._compat_function("withall", "getcwd")[0] is __import__("os").getcwd
    assert _parse._compat_function("withall", "Const")[1] == ""
    for peer, name in [("withall", "helper"), ("withall", "RATE"), ("withall", "Missing")]:
        assert why(peer, name) == (
            unknown.format(peer, name) + f" ({package}.{peer} has no public constructor {name!r})"
        )
    for name in ("getcwd", "RATE", "helper"):
        assert why("noall", name) == (
            unknown.format("noall", name) + f" ({package}.noall has no public constructor {name!r})"
        )
    assert why("nosuchpeer", "Const") == (
        unknown.format("nosuchpeer", "Const") + f" (no module {package}.nosuchpeer)"
    )
    # names that are not identifiers of the right case are refused before any import
    assert why("WithAll", "Const") == unknown.format("WithAll", "Const")
    assert why("withall", "_Const") == unknown.format("withall", "_Const")
    monkeypatch.setattr(_parse, "_COMPAT_PACKAGE", f"{package}_absent")
    assert why("withall", "Const") == (
        unknown.format("withall", "Const") + " (no compat modules installed)"
    )


@pytest.mark.parametrize(
    "text, reason, column",
    [
        ("hold(1.0, 3) >> hold(9223372036854775808)", f"integer too large (limit {2**63})", 22),
        ("hold(1.0, 3) >> hold(1e999)", "number out of range (not finite)", 22),
        ("hold(1.0, 3) >> hold(b'x')", "bytes constants not allowed", 22),
        ("hold(1.0, 3) >> hold('" + "a" * 201 + "')", "string longer than 200 characters", 22),
        ("hold(1.0, 3) >> 10 * [1]", "'*' needs numbers or schedules, got a list", 22),
        ("hold(1.0, 3) >> (hold(1.0) | 2)", "the operator BitOr is not part of the language", 18),
        ("hold(1.0, 3) >> (hold(1.0) & 2)", "the operator BitAnd is not part of the language", 18),
        ("hold(1.0, 3) >> hold(1.0) % 2", "the operator % is not part of the language", 17),
        ("hold(1.0, 3) >> hold(1.0) @ 2", "the operator @ is not part of the language", 17),
        (
            "hold(1.0, 3) >> hold(*[1])",
            "starred arguments not allowed in a schedule expression",
            22,
        ),
        (
            "hold(1.0, 3) >> hold(**{})",
            "**keyword arguments not allowed in a schedule expression",
            22,
        ),
        (
            "hold(1.0, 3) >> os.system(1)",
            "attribute access not allowed in a schedule expression (only "
            "compat.<peer>.<Name>(...) calls), got 'os.system'",
            17,
        ),
        (
            "hold(1.0, 3) >> hold(1.0).x(1)",
            "attribute access not allowed in a schedule expression (only "
            "compat.<peer>.<Name>(...) calls), got 'x'",
            17,
        ),
        # the walk stops after three names: a long chain is named by its last three
        (
            "hold(1.0, 3) >> x.y.compat.torch.StepLR(1)",
            "attribute access not allowed in a schedule expression (only "
            "compat.<peer>.<Name>(...) calls), got 'compat.torch.StepLR'",
            17,
        ),
        # a concat inside brackets fails at its own operator, with concat's message
        (
            "hold(1.0, 3) >> (hold(1.0) >> hold(2.0))",
            "concat(): every piece but the last must be finite, got the infinite piece "
            "hold(1.0) at position 0",
            18,
        ),
        # a schedule operator fails with the operator function's message, at the operator
        (
            "hold(1.0, 3) >> hold(1.0) / 0",
            "div(): the divisor's values span [0.0, 0.0], which includes 0 (or numbers "
            "below 2**-63, whose square, in the gradient a / b**2, is below float32's "
            "smallest normal 1.1754943508222875e-38), got b=hold(0.0)",
            17,
        ),
        (
            "hold(1.0, 3) >> cosine(1, 0, -5)",
            "cosine(): steps must be a non-negative int, got steps=-5",
            17,
        ),
    ],
)
def test_exact_reasons_and_columns_of_refused_syntax(text, reason, column):
    err = _error(text)
    assert (err.reason, err.column) == (reason, column)


def test_a_200_character_string_is_an_argument():
    # 200 characters are read (hold then refuses a string), 201 are not
    err = _error("hold('" + "a" * 200 + "')")
    assert err.reason.startswith("hold(): ")


def test_a_suggestion_follows_an_unknown_compat_name_only():
    err = _error("hold(1.0, 3) >> compat.torch.StepLr(1)")
    assert err.reason == (
        "unknown compat constructor 'compat.torch.StepLr' (schedalg.compat.torch has no "
        "public constructor 'StepLr'); did you mean compat.torch.StepLR?"
    )
    assert err.column == 17


def test_a_compat_module_that_fails_to_import_gets_no_suggestion(tmp_path, monkeypatch):
    import uuid

    package = f"fakecompat_{uuid.uuid4().hex}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "torch.py").write_text("import no_such_module_for_schedalg_tests\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_parse, "_COMPAT_PACKAGE", package)
    err = _error("compat.torch.StepLr(1)")
    assert err.reason == (
        "compat.torch could not be imported: No module named 'no_such_module_for_schedalg_tests'"
    )


def test_a_constructor_error_without_its_name_gets_the_called_name(monkeypatch):
    monkeypatch.setattr(_parse, "_FUNCTIONS", {})  # a fresh table: core names only

    def picky(peak):
        if peak > 1:
            raise ValueError(f"peak must be at most 1, got peak={peak}")
        if peak < 0:
            raise RuntimeError("no negative peaks")
        return sa.hold(peak)

    register("picky", picky)
    assert parse("picky(0.5)") == sa.hold(0.5)
    err = _error("hold(1.0, 3) >> picky(2)")
    assert (err.reason, err.column) == ("picky: peak must be at most 1, got peak=2", 17)
    assert _error("picky(-1)").reason == "picky: RuntimeError: no negative peaks"


def test_fit_and_sigmoid_are_callable_by_name(monkeypatch):
    # fit is not a node type, and sigmoid is a node type without a separate public function;
    # a fresh table (core names only) is filled on this first call
    monkeypatch.setattr(_parse, "_FUNCTIONS", {})
    assert parse("fit(cosine(1.0, 0.0, 10), 20)") == sa.fit(sa.cosine(1.0, 0.0, 10), 20)
    got = parse("sigmoid(0.0, 1.0, 100)")
    assert type(got) is sa.sigmoid and got == sa.sigmoid(0.0, 1.0, 100)


def test_a_node_type_defined_after_the_first_parse_is_callable():
    import uuid

    parse("hold(1.0)")  # the name table is filled now
    name = f"late_{uuid.uuid4().hex}"  # a fresh name: the test may run twice in a process
    late = type(
        name,
        (sa.Primitive,),
        {
            "__annotations__": {"v": float},
            "v": sa.leaf(),
            "formula": lambda self, t, xp: self.v + 0 * t,
        },
        name=name,
    )
    got = parse(f"{name}(2.5)")
    assert type(got) is late and got(3) == 2.5


def _depth_text(right_steps: int, left_binops: int) -> str:
    """1 + (1 + (... X)) with ``right_steps`` brackets; X = 1 + 1 + ... left-nested."""
    inner = "1" + " + 1" * left_binops
    return "1 + (" * right_steps + inner + ")" * right_steps


@pytest.mark.usefixtures("deep_stack")
def test_depth_counts_right_operands_and_chains_and_calls():
    # right operands: 99 right steps + 101 left ones put a 1 at depth 200, one more refused
    assert parse(_depth_text(99, 101)) == sa.hold(201.0)
    assert _error(_depth_text(99, 102)).reason == "expression nested deeper than 200 levels"

    # >> pieces and call arguments: 99 bracketed chains, 32 unary minus, m products, then
    # the arguments of hold(...) one level below the call
    def chain(m, call):
        inner = "-" * 32 + call + " * 1" * m
        return "hold(1.0, 1) >> (" * 99 + inner + ")" * 99

    for call in ("hold(1.0, 1)", "hold(value=1.0, steps=1)"):
        assert parse(chain(68, call)).duration == 100
        err = _error(chain(69, call))
        assert err.reason == "expression nested deeper than 200 levels", call

    # list elements: one level below the list, two below the call (98 chains this time)
    def in_list(m):
        inner = "-" * 32 + "piecewise([1], [1.0, 2.0])" + " * 1" * m
        return "hold(1.0, 1) >> (" * 98 + inner + ")" * 98

    assert parse(in_list(68)).duration == 99  # 98 holds and the piecewise up to step 1
    assert _error(in_list(69)).reason == "expression nested deeper than 200 levels"


@pytest.mark.parametrize(
    "text, reason, line, column",
    [
        ("hold(1.0)\x7f", "unexpected character '\\x7f'", 1, 10),
        ("hold(1.0)\x00", "unexpected character '\\x00'", 1, 10),
        ("hold(1.0, 3) >> cosine", "cosine is a function: call it, cosine(...)", 1, 17),
        ("hold(1.0, 3)\n>> >> hold(1.0)", "invalid syntax", 2, 4),
        ("hold(" + "-" * 33 + "1)", "more than 32 unary operators in a row", 1, 6),
        ("1 + " + "(" * 101 + "1" + ")" * 101, "brackets nested deeper than 100", 1, 105),
        ("1" * 5000, "number literal too long", 1, 1),
        ("1 + " + "+".join(["1"] * 5000), "expression nested too deeply", 1, 1),
        # a >> chain cut in slices of 500: an empty last slice is an empty operand
        ("hold(1.0, 1) >> " * 500, "expected an expression", 1, 8000),
    ],
)
def test_exact_reasons_and_positions_before_the_interpreter(text, reason, line, column):
    err = _error(text)
    assert (err.reason, err.line, err.column) == (reason, line, column)


@pytest.mark.usefixtures("deep_stack")
def test_the_limits_admit_their_last_value():
    assert parse("-" * 32 + "1") == sa.hold(1.0)  # 32 unary operators in a row
    assert parse("(" * 100 + "1" + ")" * 100) == sa.hold(1.0)  # 100 brackets deep


def test_an_invalid_escape_is_a_parse_error_whatever_the_warning_filters():
    # "invalid escape sequence" is a DeprecationWarning before Python 3.12, a SyntaxWarning
    # from 3.12: either way parse() answers with a ParseError, not a warning, even where
    # warnings are ignored
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = _error("compat.torch.OneCycleLR(1e-3, 100, anneal_strategy='\\d')")
    assert err.reason == "invalid escape sequence '\\d'"


def _nested_piece(m: int) -> str:
    """A finite piece whose innermost numbers sit ``m + 33`` levels below it."""
    return "-" * 32 + "hold(1.0, 1)" + " * 1" * m


@pytest.mark.usefixtures("deep_stack")
@pytest.mark.parametrize("n", [2, 501, 1001])
def test_the_depth_limit_does_not_depend_on_where_a_long_chain_is_cut(n):
    # a piece of a >> chain is one level below it, whether the chain is parsed whole or in
    # slices of 500 (a piece alone in its slice, or among others)
    other = " >> hold(1.0, 1)" * (n - 1)
    last = "hold(1.0, 1) >> " * (n - 1)
    for m, ok in ((166, True), (167, False)):
        for text in (_nested_piece(m) + other, last + _nested_piece(m)):
            if ok:
                assert parse(text).duration == n
            else:
                assert _error(text).reason == "expression nested deeper than 200 levels"


def test_the_size_limits_admit_their_last_value():
    assert parse("hold(1.0)" + " " * (_parse.MAX_LENGTH - 9)) == sa.hold(1.0)
    # the tokens of a comment count: hold ( 1.0 ) # and then the x's
    text = "hold(1.0) #" + " x" * (_parse.MAX_TOKENS - 5)
    assert parse(text) == sa.hold(1.0)
    err = _error(text + " x")
    assert str(err) == (
        f"parse(): expression has {_parse.MAX_TOKENS + 1} tokens; "
        f"the limit is MAX_TOKENS={_parse.MAX_TOKENS}"
    )


def test_comments_between_the_pieces_of_a_long_chain():
    # 600 pieces, each with a comment: the chain is cut in slices at its 500th >>, never at
    # a comment
    text = "".join(f"hold({i}.0, 1) >>  # piece {i}\n" for i in range(600)) + "hold(0.5)"
    s = parse(text)
    assert s.duration is None and [s(k) for k in (0, 499, 500, 599, 600)] == [
        0.0,
        499.0,
        500.0,
        599.0,
        0.5,
    ]


def test_an_unclosed_bracket_is_named():
    err = _error("hold(1.0, 3) >> (hold(1.0)")
    assert (err.reason, err.column) == ("'(' is never closed", 17)
    assert _error("hold(1.0, 3) >> [1.0").reason == "'[' is never closed"


def test_a_text_that_is_not_a_string_is_named_by_its_type():
    with pytest.raises(TypeError) as info:
        parse(b"hold(1.0)")  # type: ignore[arg-type]
    assert str(info.value) == "parse(): text must be a str, got bytes"


def test_an_expression_of_only_a_comment_is_empty_at_its_start():
    err = _error("   # nothing here")
    assert (err.reason, err.line, err.column, err.text) == (
        "empty expression (only a comment)",
        1,
        1,
        "   # nothing here",
    )


def test_a_refused_piece_of_a_long_chain_is_reported_at_the_first_operator():
    # 502 pieces (cut in two slices); the infinite first one makes concat refuse the chain
    text = "hold(1.0) >> " + "hold(1.0, 1) >> " * 500 + "hold(1.0)"
    err = _error(text)
    assert err.reason == (
        "concat(): every piece but the last must be finite, got the infinite piece "
        "hold(1.0) at position 0"
    )
    assert (err.line, err.column) == (1, 11)
