#!/usr/bin/env python3
"""Narrows a GPU/CPU difference down to a tensor: one and two training steps on the same
batches with the CUDA and the CPU executable, saved weights compared tensor by tensor, the
GPU run repeated (determinism), gradcheck on the GPU, compute-sanitizer on one step.
Run from a folder made by `gpu_check.py prepare`: ./gpu_debug.py MODEL..."""
import json
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gpu_check import npy_write  # noqa: E402

OUT = os.environ.get("OUT", HERE)


def log(*a):
    line = " ".join(str(x) for x in a)
    print(line, flush=True)
    with open(os.path.join(OUT, "gpu-debug.log"), "a") as f:
        f.write(line + "\n")


def sh(d, *cmd, timeout=120):
    env = dict(os.environ, LD_LIBRARY_PATH=HERE)
    try:
        r = subprocess.run(list(cmd), cwd=d, capture_output=True, text=True, env=env,
                           timeout=timeout)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return "timeout", ""


def safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        a, b = t["data_offsets"]
        out[name] = struct.unpack(f"<{(b - a) // 4}f", body[a:b])
    return out


def compare(a, b, what):
    A, B = safetensors(a), safetensors(b)
    for name in sorted(A):
        x, y = A[name], B.get(name, ())
        if len(x) != len(y):
            log(f"  {what} {name}: sizes {len(x)} {len(y)}")
            continue
        diff = max((abs(p - q) for p, q in zip(x, y)), default=0)
        scale = max((abs(q) for q in y), default=0)
        bad = sum(1 for p, q in zip(x, y) if abs(p - q) > 1e-5 * max(1, abs(q)))
        log(f"  {what} {name:28s} max|diff| {diff:.3g}  max|ref| {scale:.3g}  "
            f"elements off {bad}/{len(x)}")


def subset(d, rows, name):
    sub = os.path.join(d, name)
    os.makedirs(sub, exist_ok=True)
    for f in ("x.npy", "y.npy"):
        with open(os.path.join(d, f), "rb") as fh:
            raw = fh.read()
        n = struct.unpack("<H", raw[8:10])[0]
        header, payload = raw[10:10 + n].decode(), raw[10 + n:]
        shape = eval(header.split("'shape': ")[1].split(")")[0] + ")")
        per = len(payload) // shape[0]
        descr = header.split("'descr': '")[1].split("'")[0]
        npy_write(os.path.join(sub, f), descr, (rows,) + tuple(shape[1:]), payload[:rows * per])
    return sub


def main():
    for model in sys.argv[1:]:
        d = os.path.join(HERE, model)
        log(f"== {model}")
        for steps in (1, 2):
            sub = subset(d, 64 * steps, f"s{steps}")
            for exe, tag in (("cpu", "c"), ("gpu", "g"), ("gpu", "h")):
                rc, o = sh(d, f"./{exe}", "train", "--epochs", "1", "--quiet", "--data", sub,
                           "--save", f"{tag}{steps}.safetensors", "--log-steps",
                           f"{tag}{steps}.csv")
                if rc != 0:
                    log(f"  {exe} {steps} steps: exit {rc}: {o[-600:]}")
            try:
                compare(os.path.join(d, f"g{steps}.safetensors"),
                        os.path.join(d, f"c{steps}.safetensors"), f"{steps} step gpu-cpu")
                compare(os.path.join(d, f"h{steps}.safetensors"),
                        os.path.join(d, f"g{steps}.safetensors"), f"{steps} step gpu-gpu")
            except OSError as e:
                log("  compare:", e)
        for f in ("gpu-steps.csv", "cpu-steps.csv"):
            if os.path.exists(os.path.join(d, f)):
                shutil.copy(os.path.join(d, f), os.path.join(OUT, f"{model}-{f}"))
        rc, o = sh(d, "./gpu", "gradcheck", "--batch", "16", "--data", os.path.join(d, "s1"))
        log(f"  gpu gradcheck (exit {rc}):\n" + o[-2500:])
        san = shutil.which("compute-sanitizer") or "/usr/local/cuda/bin/compute-sanitizer"
        if os.path.exists(san):
            rc, o = sh(d, san, "--print-limit", "6", "./gpu", "train", "--epochs", "1",
                       "--quiet", "--data", os.path.join(d, "s2"), timeout=150)
            log(f"  compute-sanitizer memcheck, 2 steps (exit {rc}):\n" + o[-3000:])


if __name__ == "__main__":
    main()
