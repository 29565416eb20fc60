"""A torch tensor as the time: evaluated through NumPy, handed back as a float64 tensor.

schedalg has no torch evaluation path of its own (the README says so): ``s(tensor)`` detaches
the tensor, moves it to the CPU, evaluates it as the NumPy array of the same dtype and returns
a float64 tensor of the same shape on the input's device, with no autograd history. These
tests pin that conversion: values against the pure-Python path at the same times, the dtype,
the shape, the device, and the refusals.
"""

from __future__ import annotations

import numpy as np
import pytest

import schedalg as sa

torch = pytest.importorskip("torch")

S = sa.linear_ramp(0.0, 1.0, 10) >> sa.cosine(1.0, 0.1, 20) >> sa.exp(0.1, rate=0.9)

INT_DTYPES = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
FLOAT_DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16]


def python_path(times) -> np.ndarray:
    return np.array([S(t) for t in times], dtype=np.float64)


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
def test_integer_tensors_give_the_python_values(dtype):
    t = torch.arange(0, 100).to(dtype)
    out = S(t)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.shape == t.shape
    times = [int(x) for x in t.tolist()]  # uint8/int8 wrap as their dtype does
    np.testing.assert_allclose(out.numpy(), python_path(times), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_float_tensors_are_read_at_their_own_rounded_times(dtype):
    t = (torch.arange(0, 80, dtype=torch.float64) * 0.37).to(dtype)
    out = S(t)
    assert out.dtype == torch.float64 and out.shape == t.shape
    # The times the tensor holds (rounded to its dtype), as Python floats.
    times = [float(x) for x in t.to(torch.float64).tolist()]
    np.testing.assert_allclose(out.numpy(), python_path(times), rtol=1e-12, atol=1e-300)


def test_shapes_are_kept():
    for t in (torch.tensor(7), torch.arange(12).reshape(3, 4), torch.zeros(0, dtype=torch.int64)):
        out = S(t)
        assert out.shape == t.shape and out.dtype == torch.float64
    assert S(torch.tensor(7)).item() == S(7)


def test_a_tensor_with_grad_is_read_without_its_history():
    t = torch.arange(5.0, requires_grad=True)
    out = S(t)
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_allclose(out.numpy(), python_path([0.0, 1.0, 2.0, 3.0, 4.0]), rtol=1e-12)


def test_the_result_is_a_fresh_writable_tensor():
    t = torch.arange(5)
    out = sa.hold(0.5)(t)  # a constant broadcast to t's shape
    out += 1.0
    assert out.tolist() == [1.5] * 5 and t.tolist() == [0, 1, 2, 3, 4]


def test_negative_times_read_as_zero():
    assert S(torch.tensor([-5, -1, 0])).tolist() == [S(0)] * 3


def test_bad_tensors_are_refused():
    with pytest.raises(TypeError, match="real numbers"):
        S(torch.tensor([True, False]))
    with pytest.raises(ValueError, match="NaN"):
        S(torch.tensor([1.0, float("nan")]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_the_result_is_on_the_input_device():
    t = torch.arange(0, 50, device="cuda")
    out = S(t)
    assert out.device == t.device and out.dtype == torch.float64
    np.testing.assert_allclose(out.cpu().numpy(), python_path(range(50)), rtol=1e-12)


def test_the_result_is_on_the_input_device_cpu():
    t = torch.arange(0, 5, device="cpu")
    assert S(t).device == t.device
