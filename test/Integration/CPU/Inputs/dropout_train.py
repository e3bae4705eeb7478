"""Dropout while training, end to end (docs/autodiff.md, "Dropout while training").

1. An MLP with `dropout(tanh(...), 0.5)` and a train block on a generated .npy data set
   (three Gaussian blobs): `gradcheck` passes (the @gradients mask is the same on every
   call), training lowers the epoch loss, and `predict` with the trained weights equals a
   NumPy forward pass in which dropout is the identity.
2. The mask itself: `y = dropout(x * p, 0.5) + dropout(x * q, 0.25)` with p = q = 1, one
   row x = 1, target 0, mse, plain SGD, one step. An element's gradient is zero exactly
   where its mask is, so the saved p and q show the masks: the elements that did not move
   must be those a NumPy implementation of nn.dropout_mask's recipe drops (seed 5, step 1,
   salt 0 for p and 1 for q), about half and a quarter of them, and the moved ones must
   have moved by the gradient of the scaled (1 / (1 - rate)) survivors. A second run of two
   steps checks that step 2 draws a new mask.

Usage: dropout_train.py WORKDIR
"""
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from check_primitive import safetensors  # noqa: E402

NNC = os.environ.get("NNC", "nnc")
M64 = (1 << 64) - 1


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], np.float32).reshape(info["shape"])
    return out


def run(*args, cwd=None):
    r = subprocess.run(list(args), capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r.stdout


# --- nn.dropout_mask's recipe (NNGradientOps.td) in Python integers ---

def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def keep_mask(seed, step, salt, count, rate):
    key = mix64(mix64(mix64(seed & M64) ^ step) ^ salt)
    bits = [mix64((key + (i + 1) * 0x9E3779B97F4A7C15) & M64) >> 40 for i in range(count)]
    u = np.array(bits, np.float32) * np.float32(2.0 ** -24)
    return u >= np.float32(rate)


def mlp(workdir):
    rng = np.random.default_rng(7)
    n, d, classes = 600, 8, 3
    centers = rng.normal(0, 2.0, (classes, d))
    y = rng.integers(0, classes, n).astype(np.int32)
    x = (centers[y] + rng.normal(0, 1.0, (n, d))).astype(np.float32)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "y.npy"), y)
    src = os.path.join(workdir, "mlp.nn")
    with open(src, "w") as f:
        f.write("""model Mlp(x: f32[N, 8]) -> f32[N, 3] {
  param w1: f32[8, 32] = glorot_uniform
  param b1: f32[32] = zeros
  param w2: f32[32, 3] = glorot_uniform
  param b2: f32[3] = zeros
  h = dropout(tanh(x @ w1 + b1), 0.5)
  return h @ w2 + b2
}

train Mlp {
  data = npy("x.npy", "y.npy")
  loss = cross_entropy
  optimizer = sgd(lr = 0.05, momentum = 0.9)
  batch = 32
  epochs = 8
  seed = 3
}
""")
    exe = os.path.join(workdir, "mlp")
    run(NNC, src, "-o", exe)

    out = run(exe, "gradcheck", cwd=workdir)
    print(out, end="")
    weights = os.path.join(workdir, "trained.safetensors")
    log = os.path.join(workdir, "log.csv")
    run(exe, "train", "--quiet", "--save", weights, "--log", log, cwd=workdir)
    losses = [float(l.split(",")[1]) for l in open(log).read().splitlines()[1:]]
    print("epoch losses: " + " ".join(f"{v:.4f}" for v in losses))
    if not losses[-1] < 0.8 * losses[0]:
        sys.exit(f"training did not lower the loss: {losses}")
    print("training lowers the loss: OK")

    out = run(exe, "gradcheck", "--load", weights, cwd=workdir)
    print(out, end="")
    print("gradcheck on the trained weights: OK")

    pred = os.path.join(workdir, "pred.npy")
    run(exe, "predict", "--load", weights, "--input", os.path.join(workdir, "x.npy"),
        "--output", pred)
    w = {k: v.astype(np.float64) for k, v in load_safetensors(weights).items()}
    want = np.tanh(x @ w["w1"] + w["b1"]) @ w["w2"] + w["b2"]
    got = np.load(pred)
    err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
    if not err <= 1e-5:
        sys.exit(f"predict differs from the NumPy forward (dropout = identity): {err:.3g}")
    print(f"predict == NumPy forward with dropout as identity: OK (max err {err:.2g})")


def masks(workdir):
    size, seed, lr = 4096, 5, 1.0
    np.save(os.path.join(workdir, "mx.npy"), np.ones((1, size), np.float32))
    np.save(os.path.join(workdir, "my.npy"), np.zeros((1, size), np.float32))
    src = os.path.join(workdir, "masks.nn")
    with open(src, "w") as f:
        f.write(f"""model Masks(x: f32[N, {size}]) -> f32[N, {size}] {{
  param p: f32[{size}] = ones
  param q: f32[{size}] = ones
  return dropout(x * p, 0.5) + dropout(x * q, 0.25)
}}

train Masks {{
  data = npy("mx.npy", "my.npy")
  loss = mse
  optimizer = sgd(lr = {lr})
  batch = 1
  epochs = 1
  shuffle = false
  seed = {seed}
}}
""")
    exe = os.path.join(workdir, "masks")
    run(NNC, src, "-o", exe)
    weights = os.path.join(workdir, "masks.safetensors")
    run(exe, "train", "--quiet", "--save", weights, cwd=workdir)
    w = load_safetensors(weights)

    keep_p = keep_mask(seed, 1, 0, size, 0.5)
    keep_q = keep_mask(seed, 1, 1, size, 0.25)
    sp, sq = np.float32(1) / np.float32(0.5), np.float32(1) / np.float32(0.75)
    # y = sp*kp + sq*kq (kept elements of each), loss = mean(y^2): dL/dp = 2/size * y * sp*kp.
    yv = sp * keep_p + sq * keep_q
    for name, keep, scale, rate in (("p", keep_p, sp, 0.5), ("q", keep_q, sq, 0.25)):
        moved = w[name] != 1.0
        if not np.array_equal(moved, keep):
            bad = np.flatnonzero(moved != keep)
            sys.exit(f"{name}: the dropped elements differ from the recipe's at {bad[:10]}")
        want = 1.0 - lr * 2.0 / size * yv * scale
        err = np.abs(w[name][keep] - want[keep]).max()
        if not err <= 1e-6:
            sys.exit(f"{name}: kept elements moved by the wrong amount (err {err:.3g})")
        frac = 1.0 - keep.mean()
        if abs(frac - rate) > 0.03:
            sys.exit(f"{name}: dropped fraction {frac:.4f}, expected about {rate}")
        print(f"{name}: dropped fraction {frac:.4f} (rate {rate}), mask == recipe: OK")
    overlap = np.mean(keep_p == keep_q)
    print(f"the two dropouts' masks agree on {overlap:.3f} of the elements")

    # Two steps (two epochs of the one row): each step draws a new mask, so p has moved
    # wherever step 1's or step 2's mask kept it.
    run(exe, "train", "--quiet", "--epochs", "2", "--save", weights, cwd=workdir)
    moved = load_safetensors(weights)["p"] != 1.0
    keep_2 = keep_mask(seed, 2, 0, size, 0.5)
    if not np.array_equal(moved, keep_p | keep_2):
        sys.exit("p after two steps: the moved elements differ from steps 1 and 2's masks")
    print(f"step 2 draws a new mask (agrees with step 1's on "
          f"{np.mean(keep_p == keep_2):.3f}): OK")


def main():
    workdir = sys.argv[1]
    os.makedirs(workdir, exist_ok=True)
    mlp(workdir)
    masks(workdir)
    print("dropout training: OK")


if __name__ == "__main__":
    main()
