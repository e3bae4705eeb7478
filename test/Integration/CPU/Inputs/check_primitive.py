"""Compiles a one-primitive model with nnc, runs `predict` on random inputs with random
weights from a safetensors file, and compares with an independent NumPy reference.

Usage: check_primitive.py CASE WORKDIR   (CASE is a key of CASES)
Prints `CASE: OK, max rel err = ...` or fails with the first mismatch.
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np

N = 7  # an odd batch, so predict's batching sees a partial last batch too


def safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def conv2d(x, w, stride=1, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, f, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return out


def pool(x, size, stride, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    windows = np.stack([x[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
                        for i in range(size) for j in range(size)])
    return reduce(windows, axis=0)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


# name: (model signature and body, input shapes (batch first), param shapes, reference,
#        input sampler)
def rand(*shape):
    return np.random.uniform(-2, 2, shape)


def positive(*shape):
    return np.random.uniform(0.1, 3, shape)


CASES = {
    "add": ("(a: f32[N, 5]) -> f32[N, 5] { param b: f32[5] = zeros\n return a + b }",
            [(5,)], {"b": (5,)}, lambda a, b: a + b, rand),
    "sub_scalar": ("(a: f32[N, 5]) -> f32[N, 5] { param b: f32[5] = zeros\n return a - b - 1.5 }",
                   [(5,)], {"b": (5,)}, lambda a, b: a - b - 1.5, rand),
    "mul": ("(a: f32[N, 3, 5]) -> f32[N, 3, 5] { param b: f32[3, 1] = zeros\n return a * b }",
            [(3, 5)], {"b": (3, 1)}, lambda a, b: a * b, rand),
    "div": ("(a: f32[N, 5]) -> f32[N, 5] { param b: f32[5] = ones\n return a / (b * b + 1.0) }",
            [(5,)], {"b": (5,)}, lambda a, b: a / (b * b + 1), rand),
    "neg": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return -a + b }",
            [(6,)], {"b": (6,)}, lambda a, b: -a + b, rand),
    "exp": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return exp(a + b) }",
            [(6,)], {"b": (6,)}, lambda a, b: np.exp(a + b), rand),
    "log": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return log(a * b) }",
            [(6,)], {"b": (6,)}, lambda a, b: np.log(a * b), positive),
    "sqrt": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return sqrt(a * b) }",
             [(6,)], {"b": (6,)}, lambda a, b: np.sqrt(a * b), positive),
    "tanh": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return tanh(a + b) }",
             [(6,)], {"b": (6,)}, lambda a, b: np.tanh(a + b), rand),
    "sigmoid": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return sigmoid(a + b) }",
                [(6,)], {"b": (6,)}, lambda a, b: sigmoid(a + b), rand),
    "relu": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return relu(a + b) }",
             [(6,)], {"b": (6,)}, lambda a, b: np.maximum(a + b, 0), rand),
    "gelu": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return gelu(a + b) }",
             [(6,)], {"b": (6,)}, lambda a, b: gelu(a + b), rand),
    "abs": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return abs(a + b) }",
            [(6,)], {"b": (6,)}, lambda a, b: np.abs(a + b), rand),
    "leaky_relu": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n"
                   " return leaky_relu(a + b, alpha = 0.2) }",
                   [(6,)], {"b": (6,)}, lambda a, b: np.where(a + b > 0, a + b, 0.2 * (a + b)), rand),
    "pow": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return pow(a * b, 1.5) }",
            [(6,)], {"b": (6,)}, lambda a, b: (a * b) ** 1.5, positive),
    "maximum": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return maximum(a, b) }",
                [(6,)], {"b": (6,)}, np.maximum, rand),
    "minimum": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n return minimum(a, b) }",
                [(6,)], {"b": (6,)}, np.minimum, rand),
    "matmul": ("(a: f32[N, 12]) -> f32[N, 5] { param w: f32[12, 5] = zeros\n return a @ w }",
               [(12,)], {"w": (12, 5)}, lambda a, w: a @ w, rand),
    # Unit dimensions in every position of a matmul (issue 10): K = 1, N = 1,
    # both in a chain, and a batched matmul with M = 1.
    "matmul_unit_k": ("(a: f32[N, 1]) -> f32[N, 5] { param w: f32[1, 5] = zeros\n return a @ w }",
                      [(1,)], {"w": (1, 5)}, lambda a, w: a @ w, rand),
    "matmul_unit_n": ("(a: f32[N, 6]) -> f32[N, 1] { param w: f32[6, 1] = zeros\n return a @ w }",
                      [(6,)], {"w": (6, 1)}, lambda a, w: a @ w, rand),
    "matmul_unit_chain": ("(a: f32[N, 3]) -> f32[N, 3] { param u: f32[3, 1] = zeros\n"
                          " param v: f32[1, 3] = zeros\n return a @ u @ v }",
                          [(3,)], {"u": (3, 1), "v": (1, 3)}, lambda a, u, v: a @ u @ v, rand),
    "matmul_unit_batched": ("(a: f32[N, 1, 4]) -> f32[N, 1, 1] { param w: f32[4, 1] = zeros\n"
                            " return matmul(a, w) }",
                            [(1, 4)], {"w": (4, 1)}, lambda a, w: a @ w, rand),
    "matmul_batched": ("(a: f32[N, 3, 4]) -> f32[N, 3, 5] { param w: f32[4, 5] = zeros\n"
                       " return matmul(a, w) }",
                       [(3, 4)], {"w": (4, 5)}, lambda a, w: a @ w, rand),
    "matmul_pairwise": ("(a: f32[N, 3, 4], b: f32[N, 4, 2]) -> f32[N, 3, 2] {"
                        " param s: f32[1] = ones\n return matmul(a, b) * s }",
                        [(3, 4), (4, 2)], {"s": (1,)}, lambda a, b, s: (a @ b) * s, rand),
    "transpose": ("(a: f32[N, 3, 4]) -> f32[N, 4, 3] { param b: f32[3] = zeros\n"
                  " return transpose(a) + b }",
                  [(3, 4)], {"b": (3,)}, lambda a, b: np.swapaxes(a, 1, 2) + b, rand),
    "transpose_perm": ("(a: f32[N, 2, 3, 4]) -> f32[N, 4, 2, 3] { param b: f32[3] = zeros\n"
                       " return transpose(a, [0, 3, 1, 2]) + b }",
                       [(2, 3, 4)], {"b": (3,)}, lambda a, b: a.transpose(0, 3, 1, 2) + b, rand),
    "reshape": ("(a: f32[N, 12]) -> f32[N, 2, 6] { param b: f32[6] = zeros\n"
                " return reshape(a, [-1, 2, 6]) + b }",
                [(12,)], {"b": (6,)}, lambda a, b: a.reshape(-1, 2, 6) + b, rand),
    "flatten": ("(a: f32[N, 2, 3, 4]) -> f32[N, 24] { param b: f32[24] = zeros\n"
                " return flatten(a) + b }",
                [(2, 3, 4)], {"b": (24,)}, lambda a, b: a.reshape(len(a), -1) + b, rand),
    "concat": ("(a: f32[N, 3], c: f32[N, 2]) -> f32[N, 5] { param b: f32[5] = zeros\n"
               " return concat(a, c, axis = 1) + b }",
               [(3,), (2,)], {"b": (5,)}, lambda a, c, b: np.concatenate([a, c], 1) + b, rand),
    "sum": ("(a: f32[N, 4, 5]) -> f32[N, 5] { param b: f32[5] = zeros\n"
            " return sum(a, axis = 1) + b }",
            [(4, 5)], {"b": (5,)}, lambda a, b: a.sum(1) + b, rand),
    "mean_keepdims": ("(a: f32[N, 4, 5]) -> f32[N, 4, 1] { param b: f32[1] = zeros\n"
                      " return mean(a, axis = -1, keepdims = true) + b }",
                      [(4, 5)], {"b": (1,)}, lambda a, b: a.mean(-1, keepdims=True) + b, rand),
    "reduce_max": ("(a: f32[N, 4, 5]) -> f32[N] { param b: f32[1] = zeros\n"
                   " return reduce_max(a, axis = [1, 2]) + b }",
                   [(4, 5)], {"b": (1,)}, lambda a, b: a.max((1, 2)) + b, rand),
    "softmax": ("(a: f32[N, 10]) -> f32[N, 10] { param b: f32[10] = zeros\n"
                " return softmax(a * 10.0 + b) }",
                [(10,)], {"b": (10,)}, lambda a, b: softmax(a * 10 + b, -1), rand),
    "log_softmax": ("(a: f32[N, 3, 10]) -> f32[N, 3, 10] { param b: f32[10] = zeros\n"
                    " return log_softmax(a + b, axis = 1) }",
                    [(3, 10)], {"b": (10,)},
                    lambda a, b: np.log(softmax(a + b, 1)), rand),
    "conv2d": ("(x: f32[N, 3, 9, 9]) -> f32[N, 4, 5, 5] { param w: f32[4, 3, 3, 3] = zeros\n"
               " return conv2d(x, w, stride = 2, padding = 1) }",
               [(3, 9, 9)], {"w": (4, 3, 3, 3)},
               lambda x, w: conv2d(x, w, 2, 1), rand),
    # 5 channels and 10 rows and columns: the CPU tiles (2 channels x 4 rows x 8 columns)
    # leave a last channel, 2 rows and 2 columns.
    "conv2d_tiles": ("(x: f32[N, 3, 14, 14]) -> f32[N, 5, 10, 10] { param w: f32[5, 3, 5, 5] = zeros\n"
                     " return conv2d(x, w) }",
                     [(3, 14, 14)], {"w": (5, 3, 5, 5)}, lambda x, w: conv2d(x, w), rand),
    "max_pool2d": ("(x: f32[N, 2, 8, 8]) -> f32[N, 2, 4, 4] { param b: f32[4] = zeros\n"
                   " return max_pool2d(x) + b }",
                   [(2, 8, 8)], {"b": (4,)},
                   lambda x, b: pool(x, 2, 2, np.max) + b, rand),
    "avg_pool2d": ("(x: f32[N, 2, 7, 7]) -> f32[N, 2, 3, 3] { param b: f32[3] = zeros\n"
                   " return avg_pool2d(x, size = 3, stride = 2) + b }",
                   [(2, 7, 7)], {"b": (3,)},
                   lambda x, b: pool(x, 3, 2, np.mean) + b, rand),
    "dropout": ("(a: f32[N, 6]) -> f32[N, 6] { param b: f32[6] = zeros\n"
                " return dropout(a, 0.5) + b }",
                [(6,)], {"b": (6,)}, lambda a, b: a + b, rand),
    "argmax": ("(a: f32[N, 9]) -> i32[N] { param b: f32[9] = zeros\n return argmax(a + b) }",
               [(9,)], {"b": (9,)}, lambda a, b: np.argmax(a + b, -1), rand),
}


def main():
    case, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    body, input_shapes, param_shapes, reference, sampler = CASES[case]
    np.random.seed(sum(map(ord, case)))
    src = os.path.join(workdir, case + ".nn")
    with open(src, "w") as f:
        f.write("model M" + body + "\n")
    exe = os.path.join(workdir, case)
    subprocess.run([os.environ.get("NNC", "nnc"), src, "-o", exe], check=True)

    inputs = [sampler(N, *s).astype(np.float32) for s in input_shapes]
    params = {name: sampler(*s).astype(np.float32) for name, s in param_shapes.items()}
    weights = os.path.join(workdir, "w.safetensors")
    safetensors(weights, params)
    args = [exe, "predict", "--load", weights, "--output", os.path.join(workdir, "y.npy")]
    for i, x in enumerate(inputs):
        path = os.path.join(workdir, f"x{i}.npy")
        np.save(path, x)
        args += ["--input", path]
    subprocess.run(args, check=True)

    got = np.load(os.path.join(workdir, "y.npy"))
    want = reference(*[x.astype(np.float64) for x in inputs],
                     *[p.astype(np.float64) for p in params.values()])
    if got.shape != want.shape:
        sys.exit(f"{case}: shape {got.shape}, expected {want.shape}")
    err = np.abs(got - want) / np.maximum(np.abs(want), 1.0)
    if not np.all(err <= 1e-5):
        i = np.unravel_index(np.argmax(err), err.shape)
        sys.exit(f"{case}: got {got[i]} at {i}, expected {want[i]} (rel err {err[i]:.3g})")
    print(f"{case}: OK, max rel err = {err.max():.3g}")


if __name__ == "__main__":
    main()
