"""Checks the GPU-mapped module numerically on the CPU: an .nn model is compiled for the CPU
and for --target=cuda-emulated (the CUDA pipeline's module, every kernel run as host loops),
and both executables must agree on
  - training: every step's loss and the final weights and optimizer state (the train_step
    entry, which holds the gradients), 37 samples in batches of 13 (a partial last batch),
  - predict on the trained weights, 37 rows and a single row (the forward entry),
within TOLERANCE relative to the tensor's scale. Predict runs both builds on the same
(CPU-trained) weights. Training runs twice: with plain SGD (every tensor within TOLERANCE),
and with the model's own optimizer, where trained weights get one allowance: Adam divides
each gradient element by its own magnitude, so an element whose gradient is a cancellation
near zero moves by a visible fraction of lr under different (correct) rounding; they may
differ by WEIGHT_LR_FRACTION of lr per step. The optimizer state and the step losses of that
run have no allowance, except that Adam's second moment (exp_avg_sq, a running mean of the
squared gradient) gets twice TOLERANCE: squaring doubles the gradient's relative rounding
difference.

Usage: check_emulated.py MODEL.nn WORKDIR [extra nnc flags for the emulated build...]
Prints `NAME: OK ...` or exits non-zero naming the first difference.
"""
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np

ROWS, BATCH = 37, 13
# Both builds sum in a different order (the CPU build's reductions in vector lanes, 16 on
# AVX-512 and 8 on AVX2; the emulated kernels' in their blocks' order). LeNet's momentum
# after 3 steps, a sum over 13x24x24 terms per element, differs by 1.01e-6 of its scale on
# an AVX2 machine (AMD EPYC) and stayed under 1e-6 on AVX-512; a wrong kernel is off by far
# more (emulated-mutant.test).
TOLERANCE = 4e-6
WEIGHT_LR_FRACTION = 0.05


def info_text(exe):
    return subprocess.run([exe, "info"], check=True, capture_output=True, text=True).stdout


def info(exe):
    out = info_text(exe)
    shape = lambda s: tuple(int(d) for d in s.split(",")[1:])  # drop N
    inputs = [shape(m) for m in re.findall(r"^input\s+\S+\s+f32\[([^\]]*)\]", out, re.M)]
    output = shape(re.search(r"^output\s+f32\[([^\]]*)\]", out, re.M).group(1))
    loss = re.search(r"^train: loss (\S+),", out, re.M).group(1)
    return inputs, output, loss


def with_npy_data(source):
    """The model's source with its data source replaced by x.npy/y.npy and no test source."""
    out, i = [], 0
    lines = source.splitlines()
    while i < len(lines):
        m = re.match(r"^(\s*)(data|test)\s*=", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        depth, j = 0, i
        while True:  # skip to the line closing the call's parenthesis
            depth += lines[j].count("(") - lines[j].count(")")
            if depth <= 0:
                break
            j += 1
        if m.group(2) == "data":
            out.append(f'{m.group(1)}data = npy("x.npy", "y.npy")')
        i = j + 1
    return "\n".join(out) + "\n"


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    dtypes = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    return {k: np.frombuffer(blob[v["data_offsets"][0]:v["data_offsets"][1]],
                             dtypes[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


def compare(what, got, want, allowance=0.0, tolerance=TOLERANCE):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        sys.exit(f"{what}: shape {got.shape}, CPU build {want.shape}")
    if not np.all(np.isfinite(got)):
        sys.exit(f"{what}: non-finite values")
    scale = max(np.abs(want).max(initial=0.0), 1e-30)
    diff = np.abs(got - want).max(initial=0.0)
    err = diff / scale
    if err > tolerance and diff > allowance:
        i = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
        sys.exit(f"{what}: {got[i]} at {i}, CPU build {want[i]} (max diff {err:.3g} of the "
                 f"tensor's scale {scale:.3g})")
    return err


def run(exe, *args, cwd):
    r = subprocess.run([exe, *args, "--threads", "1"], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{os.path.basename(exe)} {args[0]} exited {r.returncode}: {r.stderr}")


def check_training(name, source_text, workdir, extra, nnc, tight):
    """Trains both builds of `source_text` and compares; returns the worst relative diff."""
    os.makedirs(workdir, exist_ok=True)
    source = os.path.join(workdir, name + ".nn")
    with open(source, "w") as g:
        g.write(source_text)
    cpu, emu = os.path.join(workdir, "cpu"), os.path.join(workdir, "emulated")
    subprocess.run([nnc, source, "-o", cpu], check=True)
    subprocess.run([nnc, source, "--target=cuda-emulated", "-o", emu, *extra], check=True)

    inputs, output, loss = info(cpu)
    if len(inputs) != 1:
        sys.exit(f"{name}: expected one input, info lists {len(inputs)}")
    rng = np.random.default_rng(sum(map(ord, name)))
    x = rng.uniform(0, 1, (ROWS,) + inputs[0]).astype(np.float32)
    if loss == "cross_entropy":
        y = rng.integers(0, output[-1], ROWS).astype(np.int32)
    else:
        y = rng.uniform(0, 1, (ROWS,) + output).astype(np.float32)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "y.npy"), y)
    np.save(os.path.join(workdir, "x1.npy"), x[:1])

    for exe in (cpu, emu):
        tag = os.path.basename(exe)
        run(exe, "train", "--epochs", "1", "--batch", str(BATCH), "--quiet",
            "--log-steps", f"{tag}-steps.csv", "--save", f"{tag}.safetensors", cwd=workdir)
        for rows in ("x", "x1"):
            run(exe, "predict", "--load", "cpu.safetensors", "--input", f"{rows}.npy",
                "--output", f"{tag}-{rows}-out.npy", cwd=workdir)
    load = lambda f: os.path.join(workdir, f)
    steps = [np.loadtxt(load(f"{t}-steps.csv"), delimiter=",", skiprows=1, ndmin=2)[:, 1]
             for t in ("emulated", "cpu")]
    worst = compare(f"{name}: step losses", *steps)
    got, want = (read_safetensors(load(f"{t}.safetensors")) for t in ("emulated", "cpu"))
    if sorted(got) != sorted(want):
        sys.exit(f"{name}: checkpoint tensors {sorted(got)}, CPU build {sorted(want)}")
    lr = float(re.search(r"\blr=([0-9.eE+-]+)", info_text(cpu)).group(1))
    for k in want:
        weight = not k.startswith("optimizer.")
        allowance = 0.0 if tight or not weight else WEIGHT_LR_FRACTION * lr * len(steps[0])
        tolerance = 2 * TOLERANCE if k.endswith(".exp_avg_sq") else TOLERANCE
        worst = max(worst, compare(f"{name}: trained '{k}'", got[k], want[k], allowance,
                                   tolerance))
    for rows in ("x", "x1"):
        worst = max(worst, compare(f"{name}: predict on {rows}.npy",
                                   np.load(load(f"emulated-{rows}-out.npy")),
                                   np.load(load(f"cpu-{rows}-out.npy"))))
    return worst, len(steps[0]), len(want)


def main():
    model, workdir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    name = os.path.splitext(os.path.basename(model))[0]
    nnc = os.environ.get("NNC", "nnc")
    with open(model) as f:
        text = with_npy_data(f.read())
    sgd = re.sub(r"(?m)^(\s*)optimizer\s*=.*$", r"\1optimizer = sgd(lr = 0.1)", text)
    worst, steps, tensors = check_training(name, sgd, os.path.join(workdir, "sgd"), extra,
                                           nnc, tight=True)
    own = 0.0
    if sgd != text:
        own, _, _ = check_training(name, text, os.path.join(workdir, "own"), extra, nnc,
                                   tight=False)
    print(f"{name}: OK, {steps} steps, {tensors} tensors (sgd), predict on {ROWS} and 1 "
          f"rows, max diff {worst:.3g} of scale (sgd), {own:.3g} (own optimizer)")


if __name__ == "__main__":
    main()
