"""schedalg.plot (matplotlib): the drawn lines hold the schedule's values; options work;
matplotlib is imported only when a plot is made, with a clear error when it is missing."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import schedalg
from schedalg import cosine, exp, hold, inverse, linear_ramp, piecewise, repeat, triangle

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402


def new_ax():
    return Figure().add_subplot()


def test_line_holds_the_formula_values():
    s = linear_ramp(0.0, 1.0, 100) >> cosine(1.0, 0.0, 300)
    ax = schedalg.plot(s, ax=new_ax())
    line, mark = ax.get_lines()
    assert list(mark.get_xdata()) == [100, 100]  # the breakpoint, a vertical line
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    assert x.min() == 0 and x.max() == 400
    assert set(range(401)) <= set(x.tolist())  # every whole step is drawn
    want = np.where(x < 100, x / 100, (1 + np.cos(np.pi * np.clip(x - 100, 0, 300) / 300)) / 2)
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-15)
    assert ax.get_xlim() == (0.0, 400.0)
    assert ax.get_legend() is None  # one schedule, no labels: no legend


def test_long_schedule_keeps_its_jump():
    s = piecewise([123_457], [1.0, 0.5]) >> hold(0.5, 76_543)
    ax = schedalg.plot(s, ax=new_ax(), breakpoints=False)
    (line,) = ax.get_lines()
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    assert x.size <= 2 * schedalg._plot.MAX_POINTS + 10
    np.testing.assert_array_equal(y, np.where(x < 123_457, 1.0, 0.5))
    assert {123_456.0, 123_457.0} <= set(x.tolist())  # the jump is sampled on both sides


def test_overlay_labels_and_legend():
    a, b = cosine(1.0, 0.0, 100), exp(1.0, 0.01, 100)
    ax = schedalg.plot(a, b, ax=new_ax(), labels=["cos", "exp"])
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cos", "exp"]
    ax = schedalg.plot(a, b, ax=new_ax())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [repr(a), repr(b)]


def test_log_scale_leaves_out_nonpositive_values():
    s = linear_ramp(0.0, 1.0, 10)
    ax = schedalg.plot(s, ax=new_ax(), log=True)
    assert ax.get_yscale() == "log"
    x, y = (np.asarray(v, dtype=float) for v in ax.get_lines()[0].get_data())
    assert math.isnan(y[x == 0][0])
    np.testing.assert_allclose(y[x > 0], x[x > 0] / 10)


def test_breakpoints_are_marked():
    s = linear_ramp(0.0, 1.0, 100) >> hold(1.0, 200) >> cosine(1.0, 0.0, 700)
    ax = schedalg.plot(s, ax=new_ax())
    marks = sorted(line.get_xdata()[0] for line in ax.get_lines()[1:])
    assert marks == [100, 300]  # where the hold and the cosine begin
    ax = schedalg.plot(s, ax=new_ax(), breakpoints=False)
    assert len(ax.get_lines()) == 1
    # SGDR restarts at 1000 * (2 ** k - 1) within 0 .. 20000
    sgdr = repeat(cosine(1.0, 0.0, 1000), stretch=2.0)
    ax = schedalg.plot(sgdr, ax=new_ax(), steps=20_000)
    assert sorted(line.get_xdata()[0] for line in ax.get_lines()[1:]) == [1000, 3000, 7000, 15000]
    # too many to read: not marked
    ax = schedalg.plot(repeat(triangle(0.0, 1.0, 10)), ax=new_ax(), steps=10_000)
    assert len(ax.get_lines()) == 1


def test_steps_and_infinite_schedules():
    ax = schedalg.plot(inverse(1.0, 10.0), ax=new_ax(), steps=50)
    x, y = (np.asarray(v, dtype=float) for v in ax.get_lines()[0].get_data())
    assert x.max() == 50
    np.testing.assert_allclose(y, 1 / (1 + x / 10))
    with pytest.raises(TypeError, match=r"plot\(\): the schedule never ends .* steps="):
        schedalg.plot(inverse(1.0, 10.0), ax=new_ax())
    with pytest.raises(ValueError, match=r"plot\(\): labels must have one entry per schedule"):
        schedalg.plot(hold(1.0, 5), ax=new_ax(), labels=["a", "b"])
    with pytest.raises(TypeError, match=r"plot\(\): schedules must be schedules"):
        schedalg.plot([hold(1.0, 5)], ax=new_ax())


def test_default_axes_come_from_pyplot():
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    ax = schedalg.plot(hold(1.0, 5))
    try:
        assert set(plt.get_fignums()) - before == {ax.figure.number}
    finally:
        plt.close(ax.figure)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r"pip install 'schedalg\[plot\]'"):
        schedalg.plot(hold(1.0, 5))


def test_import_schedalg_does_not_import_matplotlib():
    code = (
        "import sys, schedalg; schedalg.termplot(schedalg.hold(1.0, 5)); "
        "bad = [m for m in ('matplotlib', 'jax', 'torch') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
