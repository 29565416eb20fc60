"""schedalg.keras: a schedule as a Keras 3 ``LearningRateSchedule``, and reduce on plateau.

The unit tests run in this process, on the Keras backend conftest picks (JAX). The end-to-end
tests train a tiny model with ``model.fit`` on the JAX and the torch backends, each in a fresh
interpreter (Keras reads ``KERAS_BACKEND`` once, at import). In those runs the model is one
bias-free ``Dense`` on inputs of ones with an MAE loss whose target lies far above the
prediction, so the gradient of every weight is exactly -1 at every batch and an SGD update
adds exactly the learning rate it used: the weights show the rate of each update, not just
what ``optimizer.learning_rate`` reports. Expected rates come from formulas written here and,
for plateaus, from torch's own ``ReduceLROnPlateau`` run on the same validation losses.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from schedalg import cosine, exp, fit, hold, linear_ramp, piecewise  # noqa: E402
from schedalg.keras import KerasSchedule, PlateauCallback, to_keras  # noqa: E402
from schedalg.plateau import reduce_on_plateau  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
F32 = 2e-6  # relative: float32 rounding as JAX computes (jit fuses), cf. conftest.rtol_for

WARM_COS = linear_ramp(0.0, 0.1, 10) >> cosine(0.1, 1e-3, 90)


def _f32_close(got, want) -> bool:
    return bool(np.allclose(np.float64(got), want, rtol=F32, atol=1e-12))


# -- in this process ---------------------------------------------------------------------------


def test_values_at_python_ints_and_at_the_iterations_variable():
    lr = to_keras(WARM_COS)
    for k in [0, 1, 9, 10, 11, 55, 99, 100, 101, 10_000]:
        step = keras.Variable(k, dtype="int32", trainable=False)
        for t in (k, step, keras.ops.convert_to_tensor(k, dtype="int32")):
            v = lr(t)
            assert keras.ops.is_tensor(v)
            assert keras.backend.standardize_dtype(v.dtype) == keras.backend.floatx()
            assert _f32_close(v, WARM_COS(k)), (k, t)


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="jit of the JAX backend")
def test_values_under_jax_jit():
    import jax
    import jax.numpy as jnp

    lr = to_keras(WARM_COS)
    ks = jnp.arange(0, 120, dtype=jnp.int32)
    got = jax.jit(jax.vmap(lambda k: lr(k)))(ks)
    want = [WARM_COS(int(k)) for k in ks]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=F32, atol=1e-12)


def test_gradient_accumulation_counts_updates_not_batches():
    # Keras calls the schedule with its batch counter; update j (batches 4j..4j+3) must run
    # at s(j).
    s = piecewise([1, 2, 3], [1.0, 2.0, 3.0, 4.0])
    lr = to_keras(s, gradient_accumulation_steps=4)
    got = [float(lr(b)) for b in range(16)]
    assert got == [1.0] * 4 + [2.0] * 4 + [3.0] * 4 + [4.0] * 4


def test_config_is_plain_json_and_round_trips():
    s = WARM_COS * 0.5 + exp(1e-4, 1e-6, 77)
    lr = to_keras(s, gradient_accumulation_steps=3)
    config = lr.get_config()
    assert json.loads(json.dumps(config)) == config
    back = KerasSchedule.from_config(config)
    assert back.schedule == s and back.gradient_accumulation_steps == 3
    assert back == lr and hash(back) == hash(lr)
    # through Keras' own serialization, by the registered name
    blob = json.dumps(keras.saving.serialize_keras_object(lr))
    assert "schedalg>KerasSchedule" in blob
    assert keras.saving.deserialize_keras_object(json.loads(blob)) == lr
    # as part of an optimizer's config
    opt = keras.optimizers.AdamW(learning_rate=lr)
    opt2 = keras.optimizers.AdamW.from_config(json.loads(json.dumps(opt.get_config())))
    assert isinstance(opt2.learning_rate, type(opt.learning_rate))
    assert opt2._learning_rate == lr


def test_repr():
    assert repr(to_keras(hold(0.1, 5))) == "to_keras(hold(0.1, 5))"
    assert repr(to_keras(hold(0.1), 2)) == "to_keras(hold(0.1), gradient_accumulation_steps=2)"


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: to_keras(0.1), TypeError, "KerasSchedule(): schedule must be a schedalg"),
        (lambda: to_keras(lambda k: 0.1), TypeError, "schedule must be a schedalg schedule"),
        (
            lambda: to_keras(WARM_COS, gradient_accumulation_steps=0),
            ValueError,
            "gradient_accumulation_steps must be an int >= 1, got gradient_accumulation_steps=0",
        ),
        (
            lambda: to_keras(WARM_COS, gradient_accumulation_steps=2.0),
            TypeError,
            "got gradient_accumulation_steps=2.0",
        ),
        (
            lambda: PlateauCallback(0.1, reduce_on_plateau()),
            TypeError,
            "PlateauCallback(): schedule must be a schedalg schedule, got schedule=0.1",
        ),
        (
            lambda: PlateauCallback(WARM_COS, "plateau"),
            TypeError,
            "PlateauCallback(): plateau must be a schedalg.plateau.Plateau",
        ),
        (
            lambda: PlateauCallback(WARM_COS, reduce_on_plateau(), state=[1.0, 0, 1.0]),
            TypeError,
            "PlateauCallback(): state must be a PlateauState (or a list of its 4 numbers)",
        ),
        (
            lambda: PlateauCallback(WARM_COS, reduce_on_plateau(), monitor=3),
            TypeError,
            "PlateauCallback(): monitor must be a str, got monitor=3",
        ),
    ],
)
def test_bad_arguments(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def _tiny_model(lr):
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
    )
    model.compile(keras.optimizers.SGD(learning_rate=lr), loss="mae")
    return model


def test_plateau_callback_refuses_a_constant_learning_rate():
    model = _tiny_model(0.1)
    cb = PlateauCallback(WARM_COS, reduce_on_plateau())
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(TypeError, match=r"learning_rate=schedalg\.keras\.to_keras"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])


def test_plateau_callback_refuses_a_missing_metric():
    model = _tiny_model(to_keras(WARM_COS))
    cb = PlateauCallback(WARM_COS, reduce_on_plateau(), monitor="val_loss")
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(KeyError, match="monitor='val_loss' is not in the logs of epoch 0"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])  # no validation data


def test_plateau_callback_resumes_from_a_state():
    s = hold(0.1, 3) >> hold(0.05)
    plateau = reduce_on_plateau(factor=0.5, patience=5)
    state = plateau.init()._replace(best=0.5, scale=0.25)
    model = _tiny_model(to_keras(s * 0.25))  # what a model saved after two reductions holds
    cb = PlateauCallback(s, plateau, monitor="loss", state=list(state))  # as read from JSON
    lrs = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            # self.model, not the closure's model: on JAX it syncs the state back first
            lrs.append(float(self.model.optimizer.learning_rate))

    record = Record()
    x, y = np.ones((8, 2), "float32"), np.full((8, 1), 1e6, "float32")
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[cb, record])
    assert lrs == [float(np.float32(v)) for v in [0.025, 0.025, 0.025, 0.0125]]  # s(k) * 0.25
    assert cb.state == state._replace(num_bad=1) and cb.scale == 0.25


@pytest.mark.parametrize(
    ("optimizer_schedule", "state_scale"),
    [
        (WARM_COS * 0.5, 1.0),  # a model saved after a reduction, resumed without its state
        (WARM_COS, 0.5),  # a state without the reduced schedule
        (cosine(0.1, 0.0, 100), 1.0),  # two different schedules
    ],
)
def test_plateau_callback_refuses_a_schedule_it_does_not_drive(optimizer_schedule, state_scale):
    model = _tiny_model(to_keras(optimizer_schedule))
    state = reduce_on_plateau().init()._replace(scale=state_scale)
    cb = PlateauCallback(WARM_COS, reduce_on_plateau(), monitor="loss", state=state)
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(ValueError, match="PlateauCallback: the optimizer runs") as info:
        model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])
    assert repr(optimizer_schedule) in str(info.value)
    assert "state=callback.state" in str(info.value)


def test_backend_other_than_jax_torch_numpy_is_refused(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "tensorflow")
    with pytest.raises(RuntimeError, match="the Keras backend is 'tensorflow'"):
        to_keras(WARM_COS)


# -- model.fit on both backends, each in a fresh interpreter -----------------------------------

FIT_SCRIPT = r"""
import math, sys
import numpy as np
import keras
import torch  # the reference ReduceLROnPlateau (its CPU build works beside either backend)

from schedalg import cosine, fit, linear_ramp
from schedalg.keras import PlateauCallback, to_keras
from schedalg.plateau import reduce_on_plateau

backend, out_dir = sys.argv[1], sys.argv[2]
assert keras.backend.backend() == backend, keras.backend.backend()
F32 = 2e-6

N, BATCH = 16, 4                       # 4 updates per epoch
X = np.ones((N, 2), "float32")
Y = np.full((N, 1), 1e6, "float32")    # far above the prediction: d(mae)/dw = -1 exactly


class Record(keras.callbacks.Callback):
    # per update: the iteration counter and optimizer.learning_rate before it, and the
    # change of the weights it made (= the learning rate it used)
    def __init__(self):
        super().__init__()
        self.k, self.lr, self.used, self.w = [], [], [], []

    def on_train_batch_begin(self, batch, logs=None):
        opt = self.model.optimizer
        self.k.append(int(opt.iterations))
        self.lr.append(float(opt.learning_rate))
        self._w0 = np.asarray(self.model.get_weights()[0], np.float64)

    def on_train_batch_end(self, batch, logs=None):
        w1 = np.asarray(self.model.get_weights()[0], np.float64)
        d = w1 - self._w0
        assert np.all(d == d[0]), d
        self.used.append(float(d.flat[0]))
        self.w.append(float(np.max(np.abs(w1))))


def tiny_model(lr):
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
    )
    model.compile(keras.optimizers.SGD(learning_rate=lr), loss="mae")
    return model


def check(rec, want):
    want = np.asarray(want, np.float64)
    assert rec.k == list(range(len(want))), rec.k
    np.testing.assert_allclose(rec.lr, want, rtol=F32, atol=1e-12)
    # the weight change of an update has the rounding of the weight's magnitude
    atol = 4 * np.finfo(np.float32).eps * np.maximum(np.asarray(rec.w), 1.0)
    np.testing.assert_array_less(np.abs(np.asarray(rec.used) - want), atol + F32 * want)


# 1. warmup + cosine, past its end: 7 epochs x 4 updates = 28 updates, schedule of 20
def warm_cos(k):
    if k < 4:
        return 0.5 * k / 4
    if k < 20:
        return 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * (k - 4) / 16)) / 2
    return 0.01


s = linear_ramp(0.0, 0.5, 4) >> cosine(0.5, 0.01, 16)
rec = Record()
tiny_model(to_keras(s)).fit(X, Y, batch_size=BATCH, epochs=7, shuffle=False, verbose=0,
                            callbacks=[rec])
check(rec, [warm_cos(k) for k in range(28)])

# 2. a shape in fractions of the run, fitted to a total known only at run time:
# warm up over the first 10% of the run, then cosine to 0 at the end.
epochs, steps_per_epoch = 5, N // BATCH
total = epochs * steps_per_epoch       # 20 updates: the warmup ends at update 2
shape = linear_ramp(0.0, 0.5, 1) >> cosine(0.5, 0.0, 9)
s = fit(shape, total)


def fractions(k):
    u = k / total
    if u < 0.1:
        return 0.5 * u / 0.1
    return 0.5 * (1 + math.cos(math.pi * (u - 0.1) / 0.9)) / 2


assert s.duration == total and s(total) == 0.0
rec = Record()
tiny_model(to_keras(s)).fit(X, Y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0,
                            callbacks=[rec])
want = [fractions(k) for k in range(total)]
check(rec, want)
assert rec.used[-1] > 0.0 and want[-1] > 0.0    # the last update is not at the end value

# 3. warmup, then plateaus: the validation loss is |2w - 9| (w grows by lr per update), it
# falls, passes 0, then rises: with patience=0 every epoch after the best one reduces.
s = linear_ramp(0.0, 0.5, 4) >> cosine(0.5, 0.05, 36)
plateau = reduce_on_plateau(factor=0.5, patience=0)
X_VAL, Y_VAL = np.ones((4, 2), "float32"), np.full((4, 1), 9.0, "float32")
rec = Record()
model = tiny_model(to_keras(s))
cb = PlateauCallback(s, plateau, monitor="val_loss")
history = model.fit(X, Y, batch_size=BATCH, epochs=8, shuffle=False, verbose=0,
                    validation_data=(X_VAL, Y_VAL), callbacks=[cb, rec])
val = history.history["val_loss"]

# reference: torch's ReduceLROnPlateau at lr 1.0 on the same metrics gives the scale per epoch
param = torch.nn.Parameter(torch.zeros(1))
ref_opt = torch.optim.SGD([param], lr=1.0)
ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, factor=0.5, patience=0)
scales = [1.0]
for m in val:
    ref.step(m)
    scales.append(ref_opt.param_groups[0]["lr"])
n_reductions = sum(a != b for a, b in zip(scales, scales[1:]))
assert n_reductions >= 2, (val, scales)
assert cb.scale == scales[-1] == 0.5 ** n_reductions
want = [s(k) * scales[k // steps_per_epoch] for k in range(8 * steps_per_epoch)]
check(rec, want)
model.save(f"{out_dir}/plateau.keras")
with open(f"{out_dir}/plateau.txt", "w") as f:
    f.write(f"{len(rec.k)} {scales[-1]!r}")

# 4. gradient accumulation: Keras hands the schedule its batch counter; update j, made at the
# second batch of each pair, runs at s(j) and the first batch of a pair changes nothing.
s = linear_ramp(0.0, 0.5, 4) >> cosine(0.5, 0.01, 6)
model = keras.Sequential(
    [keras.Input((2,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
)
opt = keras.optimizers.SGD(learning_rate=to_keras(s, 2), gradient_accumulation_steps=2)
model.compile(opt, loss="mae")
rec = Record()
model.fit(X, Y, batch_size=BATCH, epochs=4, shuffle=False, verbose=0, callbacks=[rec])
assert rec.k == [b // 2 for b in range(16)], rec.k          # opt.iterations counts updates
want = [s(j) for j in range(8)]
np.testing.assert_allclose(rec.lr, np.repeat(want, 2), rtol=F32, atol=1e-12)
assert rec.used[0::2] == [0.0] * 8, rec.used
atol = 4 * np.finfo(np.float32).eps * np.maximum(np.asarray(rec.w[1::2]), 1.0)
np.testing.assert_array_less(np.abs(np.asarray(rec.used[1::2]) - want), atol + F32 * 1.0)
print("ok")
"""

LOAD_SCRIPT = r"""
import sys
import numpy as np
import keras
import schedalg.keras  # registers KerasSchedule with Keras (a no-op after FIT_SCRIPT)

from schedalg import cosine, linear_ramp

backend, out_dir = sys.argv[1], sys.argv[2]
assert keras.backend.backend() == backend
with open(f"{out_dir}/plateau.txt") as f:
    steps, scale = f.read().split()
steps, scale = int(steps), float(scale)
s = linear_ramp(0.0, 0.5, 4) >> cosine(0.5, 0.05, 36)

model = keras.models.load_model(f"{out_dir}/plateau.keras")
opt = model.optimizer
assert isinstance(opt._learning_rate, schedalg.keras.KerasSchedule)
assert opt._learning_rate.schedule == s * scale, opt._learning_rate.schedule   # exact
assert int(opt.iterations) == steps
np.testing.assert_allclose(float(opt.learning_rate), s(steps) * scale, rtol=2e-6)
# training goes on from there at the same rate
w0 = np.asarray(model.get_weights()[0], np.float64)
model.fit(np.ones((4, 2), "float32"), np.full((4, 1), 1e6, "float32"), batch_size=4, epochs=1,
          verbose=0)
w1 = np.asarray(model.get_weights()[0], np.float64)
# the weight change has the rounding of the weight's magnitude
atol = 4 * np.finfo(np.float32).eps * max(float(np.max(np.abs(w1))), 1.0)
np.testing.assert_allclose(float((w1 - w0).flat[0]), s(steps) * scale, rtol=0, atol=atol)
print("ok")
"""


# Warnings are errors here too, with pyproject's exceptions (a -W filter's message is literal).
WARNINGS = [
    "-W",
    "error",
    "-W",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
]


def _run(script: str, backend: str, out_dir: Path) -> None:
    env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, *WARNINGS, "-c", textwrap.dedent(script), backend, str(out_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("ok"), out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_fit_uses_the_schedule_at_every_update_and_saves_it(backend, tmp_path):
    # one interpreter per backend (Keras' import dominates the cost): train, save, load, go on
    _run(FIT_SCRIPT + LOAD_SCRIPT, backend, tmp_path)


@pytest.mark.slow
def test_load_model_in_a_fresh_interpreter(tmp_path):
    # saved here, loaded where nothing but `import schedalg.keras` has made the class known
    s = linear_ramp(0.0, 0.5, 4) >> cosine(0.5, 0.05, 36)
    model = _tiny_model(to_keras(s * 0.25))
    x, y = np.ones((8, 2), "float32"), np.full((8, 1), 1e6, "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "plateau.keras")
    (tmp_path / "plateau.txt").write_text("2 0.25")
    _run(LOAD_SCRIPT, keras.backend.backend(), tmp_path)


def test_fit_and_fractions_of_the_run():
    # the total is a fit-time quantity: epochs * steps_per_epoch
    total = 7 * 13
    s = fit(linear_ramp(0.0, 1.0, 1) >> cosine(1.0, 0.0, 9), total)
    assert s.duration == total
    for k in range(total + 2):
        u = k / total
        want = u / 0.1 if u < 0.1 else (1 + math.cos(math.pi * min(u - 0.1, 0.9) / 0.9)) / 2
        assert math.isclose(s(k), want, rel_tol=1e-12, abs_tol=1e-15), k
    assert s(total - 1) > 0.0 and s(total) == 0.0
