import pytest
import torch

from dl_core import device
from dl_core.errors import InputError


def test_get_picks_a_real_device_once():
    d = device.get()
    assert d.type in ("cpu", "cuda", "mps")
    assert device.get() is d  # chosen once per process
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert d.type == expected


def test_env_override_is_validated(monkeypatch):
    device.get.cache_clear()
    try:
        monkeypatch.setenv(device.ENV_VAR, "tpu")
        with pytest.raises(InputError, match="not a device"):
            device.get()
        monkeypatch.setenv(device.ENV_VAR, "cpu")
        assert device.get().type == "cpu"
        if not torch.cuda.is_available():
            device.get.cache_clear()
            monkeypatch.setenv(device.ENV_VAR, "cuda")
            with pytest.raises(InputError, match="no CUDA GPU"):
                device.get()
    finally:
        device.get.cache_clear()


def test_autocast_only_on_gpu():
    cpu = torch.device("cpu")
    assert device.autocast_dtype(cpu) is None
    with device.autocast(cpu):
        y = torch.ones(2, 2) @ torch.ones(2, 2)
    assert y.dtype == torch.float32


def test_thread_cap_is_small_and_positive():
    n = device.cpu_threads()
    assert 1 <= n <= 8


def test_describe_has_a_label():
    info = device.describe(torch.device("cpu"))
    assert info.type == "cpu" and info.precision == "float32"
    assert "CPU" in info.label()


@pytest.mark.gpu
def test_cuda_autocast_uses_half_precision():
    cuda = torch.device("cuda")
    assert device.autocast_dtype(cuda) in (torch.bfloat16, torch.float16)
    with device.autocast(cuda):
        y = torch.ones(8, 8, device=cuda) @ torch.ones(8, 8, device=cuda)
    assert y.dtype in (torch.bfloat16, torch.float16)
