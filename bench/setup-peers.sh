#!/usr/bin/env bash
# Installs the peers that bench/run.py compares nnc against, besides Debian's PyTorch 1.13:
# PyTorch 2 (eager and torch.compile) and JAX, CPU use, from PyPI into a venv.
# Usage: bench/setup-peers.sh [VENV]   (default: $NNC_PEERS_VENV or .cache/peers-venv, git-ignored;
# bench/run.py looks in the same place). Re-running with everything present installs nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-${NNC_PEERS_VENV:-$ROOT/.cache/peers-venv}}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --quiet --no-input)

has() { "$PY" -c "import $1" 2>/dev/null; }

if [[ -x "$PY" ]]; then
  echo "venv: $VENV (exists)"
else
  echo "venv: creating $VENV"
  /usr/bin/python3 -m venv "$VENV"
fi

if has torch; then
  echo "torch: already installed"
else
  # The PyPI wheel is a CUDA build whose libraries need some NVIDIA wheels just to be imported.
  # Installing with its dependencies pulls ~6 GB (triton, cusolver, ... are unused on CPU), so:
  # torch alone, its other dependencies (pure Python, and in CUDA 13 builds the cuda-toolkit
  # meta-package less its unused extras), then --no-deps the NVIDIA libraries that import needs.
  echo "torch: installing (~4.7 GB, about a minute or two)"
  start=$SECONDS
  # Conflict warnings would list what is left out on purpose; the import below is the check.
  PIP+=(--no-warn-conflicts)
  "${PIP[@]}" --no-deps torch
  # Sort torch's requirements (markers evaluated for this machine) into the two groups.
  mapfile -t deps < <("$PY" - <<'EOF'
import importlib.metadata as md
import re
from pip._vendor.packaging.requirements import Requirement

needed = re.compile(r"nvidia-(cuda-runtime|cuda-cupti|cuda-nvrtc|cublas|cufft|cufile|cusparse"
                    r"|nvjitlink|cudnn|cusparselt|nccl|nvshmem)")
unused = {"cusolver", "nvtx"}  # in CUDA 13 builds, extras of the cuda-toolkit meta-package
for line in md.requires("torch") or []:
    req = Requirement(line)
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue
    if req.name.startswith("nvidia-"):
        if needed.match(req.name):
            print("nodeps", f"{req.name}{req.specifier}")
    elif req.name == "cuda-toolkit":
        extras = ",".join(sorted(req.extras - unused))
        print("deps", f"{req.name}[{extras}]{req.specifier}")
    elif req.name != "triton":
        print("deps", f"{req.name}{req.specifier}")
EOF
  )
  pure=() nvidia=()
  for d in "${deps[@]}"; do
    case "$d" in
      deps\ *) pure+=("${d#deps }") ;;
      nodeps\ *) nvidia+=("${d#nodeps }") ;;
    esac
  done
  echo "torch: dependencies: ${pure[*]:-none}"
  if [[ ${#pure[@]} -gt 0 ]]; then "${PIP[@]}" "${pure[@]}"; fi
  echo "torch: NVIDIA libraries needed to import it: ${nvidia[*]:-none}"
  if [[ ${#nvidia[@]} -gt 0 ]]; then "${PIP[@]}" --no-deps "${nvidia[@]}"; fi
  has torch || { echo "torch: installed but 'import torch' fails" >&2; exit 1; }
  echo "torch: done in $((SECONDS - start)) s"
fi

if has jax && has numpy; then
  echo "jax: already installed"
else
  echo "jax: installing jax, jaxlib (CPU) and numpy (~0.5 GB)"
  start=$SECONDS
  "${PIP[@]}" jax jaxlib numpy
  echo "jax: done in $((SECONDS - start)) s"
fi

"$PY" - <<'EOF'
import importlib.metadata as md
print("installed:", ", ".join(f"{p} {md.version(p)}" for p in ("torch", "jax", "jaxlib", "numpy")))
EOF
echo "size: $(du -sh "$VENV" | cut -f1)"
# torch.compile's Inductor builds C++ on CPU: it needs a compiler and Python's headers.
include="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
if ! command -v g++ >/dev/null || [[ ! -f "$include/Python.h" ]]; then
  echo "note: torch.compile needs g++ and $include/Python.h (apt-get install g++ python3-dev)"
fi
