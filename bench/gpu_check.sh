#!/usr/bin/env bash
# The GPU checks in one go, for a lent CUDA machine whose python3 already has PyTorch (cp312) but not
# our other packages: wheels from .whl/ (ctranslate2, stable-baselines3, gymnasium) go to /tmp/site.
#   bash bench/gpu_check.sh [REPEATS]     # logs to $OUT (or ./gpu-out)
# The wheels, fetched once where pip works (ignored by git, carried to the GPU machine):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .whl \
#     ctranslate2==4.8.5 stable-baselines3==2.9.2 gymnasium==1.3.0 farama-notifications
# Whisper tiny.en's weights (a 73 MB wheel) do not travel, so the test that transcribes with them is left
# out here; the cuBLAS check is tested with a tiny Whisper built from a config instead.
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:.
fi
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda)"
  ls /usr/lib/x86_64-linux-gnu /usr/local/cuda*/lib64 2>/dev/null | grep -E "^libcublas(Lt)?\.so\.[0-9]+$" | sort -u | tr '\n' ' '; echo
} 2>&1 | tee "$out/machine.txt"
python3 -m pytest -m gpu -p no:cacheprovider -q -rA tests/core/test_training.py tests/core/test_device.py \
  tests/speech/test_recognisers.py -k "not whisper_on_the_gpu" 2>&1 | tee "$out/pytest-gpu.txt"
python3 bench/bench_gpu.py --repeats "${1:-3}" --ppo-steps 10000 2>&1 | tee "$out/bench-gpu.txt"
