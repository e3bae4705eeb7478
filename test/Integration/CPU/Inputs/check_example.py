"""Compiles one of examples/*.nn with nnc, writes random weights to safetensors, runs
`predict` on random inputs (293 rows: full batches and a partial last one for every batch
size the examples use) and compares with an independent float64 NumPy forward pass written
here from the .nn source (and stdlib/*.nn for dense, conv, layer_norm, residual).

Usage: check_example.py EXAMPLE WORKDIR   (EXAMPLE: a key of EXAMPLES)
Prints `EXAMPLE: OK, ...` or exits non-zero with the first mismatch.

Parameter names are written here from LANGUAGE.md §5, and checked against `./model info`
(names, order and shapes), so a naming change shows up as a failure here too.
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from check_primitive import conv2d, pool, safetensors  # noqa: E402

ROWS = 293  # odd; > 2 batches of 128, so full batches and a partial last one
TOLERANCE = 1e-5
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 4))


def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def dense(p, name, x):
    return x @ p[name + ".w"] + p[name + ".b"]


def conv(p, name, x):
    return conv2d(x, p[name + ".w"]) + p[name + ".b"][:, None, None]


def layer_norm(p, name, x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * p[name + ".gamma"] + p[name + ".beta"]


def max_pool(x):
    return pool(x, 2, 2, np.max)


def dense_params(name, i, o):
    return [(name + ".w", (i, o), "glorot"), (name + ".b", (o,), "bias")]


def conv_params(name, f, c, k):
    return [(name + ".w", (f, c, k, k), "he"), (name + ".b", (f,), "bias")]


def ln_params(name, d):
    return [(name + ".gamma", (d,), "gamma"), (name + ".beta", (d,), "bias")]


# --- the examples, written from their .nn sources ---------------------------------------

def mlp_forward(p, x):
    h1 = relu(dense(p, "dense", x))
    h2 = relu(dense(p, "dense_1", h1))
    return dense(p, "dense_2", h2)


def lenet_forward(p, x):
    c1 = max_pool(relu(conv(p, "conv", x)))
    c2 = max_pool(relu(conv(p, "conv_1", c1)))
    h = c2.reshape(len(c2), -1)
    h = relu(dense(p, "dense", h))
    h = relu(dense(p, "dense_1", h))
    return dense(p, "dense_2", h)


def resmlp_forward(p, x):
    h = dense(p, "h", x)
    for name in ["h_1", "h_2", "h_3", "h_4"]:
        # stdlib residual: x + dense(relu(dense(layer_norm(x), hidden)), D)
        t = relu(dense(p, name + ".dense", layer_norm(p, name + ".layer_norm", h)))
        h = h + dense(p, name + ".dense_1", t)
    return dense(p, "head", layer_norm(p, "layer_norm", h))


def autoencoder_forward(p, x):
    # encoder: relu(dense(relu(dense(x, 256)), 32)); the inner dense runs first.
    z = relu(dense(p, "z.dense_1", relu(dense(p, "z.dense", x))))
    return sigmoid(dense(p, "decoder.dense_1", relu(dense(p, "decoder.dense", z))))


def digits_forward(p, x):
    h = np.tanh(dense(p, "dense", x / 16.0))
    return dense(p, "dense_1", h)


def unit(*shape):
    return np.random.uniform(0, 1, shape)


EXAMPLES = {
    "fashion_mnist_mlp": ((784,), unit, mlp_forward,
                          dense_params("dense", 784, 128) + dense_params("dense_1", 128, 64)
                          + dense_params("dense_2", 64, 10), (10,)),
    "lenet": ((1, 28, 28), unit, lenet_forward,
              conv_params("conv", 6, 1, 5) + conv_params("conv_1", 16, 6, 5)
              + dense_params("dense", 256, 120) + dense_params("dense_1", 120, 84)
              + dense_params("dense_2", 84, 10), (10,)),
    "resnet_mlp": ((784,), unit, resmlp_forward,
                   dense_params("h", 784, 128)
                   + sum([ln_params(f"h_{i}.layer_norm", 128)
                          + dense_params(f"h_{i}.dense", 128, 256)
                          + dense_params(f"h_{i}.dense_1", 256, 128) for i in range(1, 5)], [])
                   + ln_params("layer_norm", 128) + dense_params("head", 128, 10), (10,)),
    "autoencoder": ((784,), unit, autoencoder_forward,
                    dense_params("z.dense", 784, 256) + dense_params("z.dense_1", 256, 32)
                    + dense_params("decoder.dense", 32, 256)
                    + dense_params("decoder.dense_1", 256, 784), (784,)),
    # digits: pixel values 0..16, integers as in the data set
    "digits_csv": ((64,), lambda *s: np.random.randint(0, 17, s).astype(np.float64),
                   digits_forward,
                   dense_params("dense", 64, 32) + dense_params("dense_1", 32, 10), (10,)),
}


def random_param(shape, kind):
    if kind == "glorot":
        limit = np.sqrt(6 / (shape[0] + shape[1]))
        return np.random.uniform(-limit, limit, shape)
    if kind == "he":
        limit = np.sqrt(6 / np.prod(shape[1:]))
        return np.random.uniform(-limit, limit, shape)
    if kind == "gamma":
        return np.random.uniform(0.5, 1.5, shape)
    return np.random.uniform(-0.5, 0.5, shape)  # biases and betas: not zero, so they count


def info_params(exe):
    out = subprocess.run([exe, "info"], check=True, capture_output=True, text=True).stdout
    params = []
    for line in out.splitlines():
        m = re.match(r"^\s+(\S+)\s+f32\[([0-9,]*)\]\s", line)
        if m:
            params.append((m.group(1), tuple(int(d) for d in m.group(2).split(",") if d)))
    return params


def main():
    example, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    in_shape, sampler, forward, param_table, out_shape = EXAMPLES[example]
    np.random.seed(sum(map(ord, example)))

    exe = os.path.join(workdir, example)
    subprocess.run([os.environ.get("NNC", "nnc"),
                    os.path.join(ROOT, "examples", example + ".nn"), "-o", exe], check=True)
    want_names = [(n, s) for n, s, _ in param_table]
    got_names = info_params(exe)
    if got_names != want_names:
        sys.exit(f"{example}: `info` lists parameters\n  {got_names}\nexpected\n  {want_names}")

    params = {n: random_param(s, k).astype(np.float32) for n, s, k in param_table}
    weights = os.path.join(workdir, "w.safetensors")
    safetensors(weights, params)
    x = sampler(ROWS, *in_shape).astype(np.float32)
    xpath, ypath = os.path.join(workdir, "x.npy"), os.path.join(workdir, "y.npy")
    np.save(xpath, x)
    subprocess.run([exe, "predict", "--load", weights, "--input", xpath, "--output", ypath],
                   check=True)

    got = np.load(ypath)
    want = forward({n: v.astype(np.float64) for n, v in params.items()}, x.astype(np.float64))
    if got.shape != (ROWS,) + out_shape or want.shape != got.shape:
        sys.exit(f"{example}: output shape {got.shape}, expected {want.shape}")
    if got.dtype != np.float32:
        sys.exit(f"{example}: output dtype {got.dtype}, expected float32")
    err = np.abs(got - want) / np.maximum(np.abs(want), 1.0)
    if not np.all(err <= TOLERANCE):
        i = np.unravel_index(np.argmax(err), err.shape)
        sys.exit(f"{example}: got {got[i]} at {i}, expected {want[i]} (rel err {err[i]:.3g}); "
                 f"{np.count_nonzero(err > TOLERANCE)} of {err.size} over {TOLERANCE}")
    print(f"{example}: OK, {ROWS} rows, {len(params)} parameters, "
          f"max rel err = {err.max():.3g}, output std = {want.std():.3g}")


if __name__ == "__main__":
    main()
