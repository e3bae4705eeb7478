"""gradcheck on a one-primitive model: compiles a model whose parameters reach the loss only
through the primitive under test, with a train block reading a small .npy data set made here,
writes chosen weights to safetensors and runs `./model gradcheck --load` (the runtime's
central differences against the compiled gradient; docs/runtime.md). The test passes when
gradcheck exits 0 and reports `ok` for every parameter.

Usage: check_gradient.py CASE WORKDIR   (CASE is a key of CASES)
Prints gradcheck's report, then `CASE: gradcheck OK ...`, or exits non-zero.

Ops with kinks (relu, abs, leaky_relu, maximum, minimum, reduce_max, max_pool2d) get inputs
resampled until every kink is at least MARGIN away from where the data puts the op's
argument; gradcheck moves one weight by eps = 1e-2*max(1,|w|), which moves the argument by
at most about 0.03 with the ranges used here.
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from check_primitive import safetensors  # noqa: E402

ROWS, BATCH = 10, 8
MARGIN = 0.1


def uniform(lo, hi):
    return lambda *shape: np.random.uniform(lo, hi, shape)


def signed(lo, hi):
    """|value| in [lo, hi], either sign: away from zero."""
    return lambda *shape: np.random.uniform(lo, hi, shape) * np.random.choice([-1, 1], shape)


R = uniform(-2, 2)
SMALL = uniform(-1, 1)
POS = uniform(0.5, 2)
AWAY = signed(0.5, 2)


# --- kink masks: which input elements must be resampled, given x and the params (float64) ---

def near_zero(f):
    return lambda x, p: np.abs(f(x, p)) < MARGIN


def close_top2(values, axes):
    """True where the two largest values along `axes` are closer than MARGIN."""
    moved = np.moveaxis(values, axes, list(range(-len(axes), 0)))
    flat = moved.reshape(moved.shape[:moved.ndim - len(axes)] + (-1,))
    top = np.sort(flat, axis=-1)
    return (top[..., -1] - top[..., -2]) < MARGIN


def reduce_max_kinks(f, axes):
    def mask(x, p):
        y = f(x, p)
        bad = close_top2(y, axes)
        return np.broadcast_to(np.expand_dims(bad, axes), y.shape)
    return mask


def pool_kinks(f, size, stride):
    def mask(x, p):
        y = f(x, p)
        n, c, h, w = y.shape
        oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
        bad = np.zeros(y.shape, bool)
        for i in range(oh):
            for j in range(ow):
                win = y[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
                close = close_top2(win, [2, 3])
                bad[:, :, i * stride:i * stride + size, j * stride:j * stride + size] |= \
                    close[:, :, None, None]
        return bad
    return mask


# name: (signature and body, input shape, output shape (per row), loss, {param: (shape,
#        sampler)}, input sampler, kink mask or None)
# Models are written `(x: ...) -> ... { params; return ... }`; a parameter on each side of a
# binary op checks both halves of its gradient rule, with broadcasting where it applies.
def unary(op, sampler=R, psampler=uniform(-1.5, 1.5), qsampler=SMALL, kinks=False):
    mask = near_zero(lambda x, p: x * p["p"] + p["q"]) if kinks else None
    return (f"(x: f32[N, 6]) -> f32[N, 6] {{ P\n return {op}(x * p + q) }}", (6,), (6,), "mse",
            {"p": ((6,), psampler), "q": ((6,), qsampler)}, sampler, mask)


def binary(op, sampler=R, qsampler=uniform(-1.5, 1.5)):
    return (f"(x: f32[N, 3, 5]) -> f32[N, 3, 5] {{ P\n return (p {op} x) {op} q }}",
            (3, 5), (3, 5), "mse", {"p": ((3, 1), uniform(-1.5, 1.5)), "q": ((5,), qsampler)},
            sampler, None)


def times_p(x, p):
    return x * p["p"]


CASES = {
    "add": binary("+"),
    "sub": binary("-"),
    "mul": binary("*"),
    "div": binary("/", sampler=AWAY, qsampler=signed(0.5, 1.5)),
    "sub_scalar": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return 1.5 - x * p - 0.5 }", (6,), (6,),
                   "mse", {"p": ((6,), R)}, R, None),
    "neg": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return -(x * p) + q }", (6,), (6,), "mse",
            {"p": ((6,), R), "q": ((6,), R)}, R, None),
    "exp": unary("exp", sampler=SMALL, psampler=SMALL),
    "log": unary("log", sampler=POS, psampler=POS, qsampler=uniform(0.1, 0.5)),
    "sqrt": unary("sqrt", sampler=POS, psampler=POS, qsampler=uniform(0.1, 0.5)),
    "tanh": unary("tanh"),
    "sigmoid": unary("sigmoid"),
    "gelu": unary("gelu"),
    "relu": unary("relu", kinks=True),
    "abs": unary("abs", kinks=True),
    "leaky_relu": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return leaky_relu(x * p + q, alpha = 0.2) }",
                   (6,), (6,), "mse", {"p": ((6,), uniform(-1.5, 1.5)), "q": ((6,), SMALL)}, R,
                   near_zero(lambda x, p: x * p["p"] + p["q"])),
    "pow": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return pow(x * p + q, 1.5) }", (6,), (6,), "mse",
            {"p": ((6,), POS), "q": ((6,), uniform(0.1, 0.5))}, POS, None),
    "pow_negative": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return pow(x * p + q, -0.5) }", (6,),
                     (6,), "mse", {"p": ((6,), POS), "q": ((6,), uniform(0.1, 0.5))}, POS, None),
    "maximum": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return maximum(x * p, q) }", (6,), (6,),
                "mse", {"p": ((6,), uniform(-1.5, 1.5)), "q": ((6,), SMALL)}, R,
                near_zero(lambda x, p: x * p["p"] - p["q"])),
    "minimum": ("(x: f32[N, 6]) -> f32[N, 6] { P\n return minimum(q, x * p) }", (6,), (6,),
                "mse", {"p": ((6,), uniform(-1.5, 1.5)), "q": ((6,), SMALL)}, R,
                near_zero(lambda x, p: x * p["p"] - p["q"])),
    "matmul": ("(x: f32[N, 12]) -> f32[N, 5] { P\n return x @ w }", (12,), (5,), "mse",
               {"w": ((12, 5), SMALL)}, R, None),
    "matmul_batched": ("(x: f32[N, 3, 4]) -> f32[N, 3, 5] { P\n return matmul(x, w) }",
                       (3, 4), (3, 5), "mse", {"w": ((4, 5), SMALL)}, R, None),
    "matmul_pairwise": ("(x: f32[N, 3, 4]) -> f32[N, 3, 2] { P\n"
                        " return matmul(x @ p, transpose(x) @ q) }",
                        (3, 4), (3, 2), "mse", {"p": ((4, 4), SMALL), "q": ((3, 2), SMALL)},
                        SMALL, None),
    "transpose": ("(x: f32[N, 3, 4]) -> f32[N, 4, 3] { P\n return transpose(x * p) + q }",
                  (3, 4), (4, 3), "mse", {"p": ((3, 4), R), "q": ((3,), R)}, R, None),
    "transpose_perm": ("(x: f32[N, 2, 3, 4]) -> f32[N, 4, 2, 3] { P\n"
                       " return transpose(x * p, [0, 3, 1, 2]) * q }",
                       (2, 3, 4), (4, 2, 3), "mse", {"p": ((2, 3, 4), R), "q": ((3,), R)}, R,
                       None),
    "reshape": ("(x: f32[N, 12]) -> f32[N, 2, 6] { P\n return reshape(x * p, [-1, 2, 6]) * q }",
                (12,), (2, 6), "mse", {"p": ((12,), R), "q": ((6,), R)}, R, None),
    "flatten": ("(x: f32[N, 2, 3, 4]) -> f32[N, 24] { P\n return flatten(x * p) * q }",
                (2, 3, 4), (24,), "mse", {"p": ((3, 4), R), "q": ((24,), R)}, R, None),
    "concat": ("(x: f32[N, 3]) -> f32[N, 6] { P\n return concat(x * p, x * q, axis = 1) }",
               (3,), (6,), "mse", {"p": ((3,), R), "q": ((3,), R)}, R, None),
    "concat_last": ("(x: f32[N, 2, 3]) -> f32[N, 2, 7] { P\n"
                    " return concat(x * p, x @ q, axis = -1) }",
                    (2, 3), (2, 7), "mse", {"p": ((2, 3), R), "q": ((3, 4), SMALL)}, R, None),
    "sum": ("(x: f32[N, 4, 5]) -> f32[N, 5] { P\n return sum(x * p, axis = 1) * q }",
            (4, 5), (5,), "mse", {"p": ((4, 5), SMALL), "q": ((5,), SMALL)}, R, None),
    "sum_keepdims": ("(x: f32[N, 4, 5]) -> f32[N, 1, 1] { P\n"
                     " return sum(x * p, axis = [1, 2], keepdims = true) }",
                     (4, 5), (1, 1), "mse", {"p": ((4, 5), SMALL)}, R, None),
    "mean": ("(x: f32[N, 4, 5]) -> f32[N, 4] { P\n return mean(x * p, axis = -1) + q }",
             (4, 5), (4,), "mse", {"p": ((4, 5), R), "q": ((4,), R)}, R, None),
    "mean_keepdims": ("(x: f32[N, 4, 5]) -> f32[N, 4, 1] { P\n"
                      " return mean(x * p, axis = 2, keepdims = true) * q }",
                      (4, 5), (4, 1), "mse", {"p": ((4, 5), R), "q": ((1,), R)}, R, None),
    "reduce_max": ("(x: f32[N, 4, 5]) -> f32[N, 4] { P\n return reduce_max(x * p, axis = 2) }",
                   (4, 5), (4,), "mse", {"p": ((4, 5), uniform(0.5, 1.5))}, R,
                   reduce_max_kinks(times_p, [2])),
    "reduce_max_multi": ("(x: f32[N, 4, 5]) -> f32[N] { P\n"
                         " return reduce_max(x * p, axis = [1, 2]) }",
                         (4, 5), (), "mse", {"p": ((4, 5), uniform(0.5, 1.5))}, R,
                         reduce_max_kinks(times_p, [1, 2])),
    "softmax": ("(x: f32[N, 10]) -> f32[N, 10] { P\n return softmax(x * p + q) }", (10,),
                (10,), "mse", {"p": ((10,), R), "q": ((10,), R)}, R, None),
    "log_softmax": ("(x: f32[N, 3, 10]) -> f32[N, 3, 10] { P\n"
                    " return log_softmax(x * p + q, axis = 1) }",
                    (3, 10), (3, 10), "mse", {"p": ((3, 10), R), "q": ((10,), R)}, R, None),
    "conv2d": ("(x: f32[N, 3, 9, 9]) -> f32[N, 4, 5, 5] { P\n"
               " return conv2d(x * p, w, stride = 2, padding = 1) }",
               (3, 9, 9), (4, 5, 5), "mse",
               {"p": ((3, 9, 9), R), "w": ((4, 3, 3, 3), uniform(-0.5, 0.5))}, SMALL, None),
    "conv2d_bias": ("(x: f32[N, 2, 6, 6]) -> f32[N, 3, 4, 4] { P\n"
                    " return conv2d(x, w) + reshape(b, [3, 1, 1]) }",
                    (2, 6, 6), (3, 4, 4), "mse",
                    {"w": ((3, 2, 3, 3), uniform(-0.5, 0.5)), "b": ((3,), R)}, R, None),
    # Partial CPU tiles (2 channels x 4 rows x 8 columns): 5 channels of 6 x 6; the input
    # gradient is a convolution to 3 channels.
    "conv2d_tiles": ("(x: f32[N, 3, 8, 8]) -> f32[N, 5, 6, 6] { P\n"
                     " return conv2d(x * p, w) }",
                     (3, 8, 8), (5, 6, 6), "mse",
                     {"p": ((3, 8, 8), R), "w": ((5, 3, 3, 3), uniform(-0.5, 0.5))}, R, None),
    "max_pool2d": ("(x: f32[N, 2, 8, 8]) -> f32[N, 2, 4, 4] { P\n return max_pool2d(x * p) }",
                   (2, 8, 8), (2, 4, 4), "mse", {"p": ((2, 8, 8), uniform(0.5, 1.5))}, R,
                   pool_kinks(times_p, 2, 2)),
    "max_pool2d_overlap": ("(x: f32[N, 2, 7, 7]) -> f32[N, 2, 3, 3] { P\n"
                           " return max_pool2d(x * p, size = 3, stride = 2) }",
                           (2, 7, 7), (2, 3, 3), "mse", {"p": ((2, 7, 7), uniform(0.5, 1.5))},
                           R, pool_kinks(times_p, 3, 2)),
    "avg_pool2d": ("(x: f32[N, 2, 8, 8]) -> f32[N, 2, 4, 4] { P\n return avg_pool2d(x * p) }",
                   (2, 8, 8), (2, 4, 4), "mse", {"p": ((2, 8, 8), R)}, R, None),
    "avg_pool2d_overlap": ("(x: f32[N, 2, 7, 7]) -> f32[N, 2, 3, 3] { P\n"
                           " return avg_pool2d(x * p, size = 3, stride = 2) }",
                           (2, 7, 7), (2, 3, 3), "mse", {"p": ((2, 7, 7), R)}, R, None),
    "cross_entropy": ("(x: f32[N, 12]) -> f32[N, 5] { P\n return x @ w + b }", (12,), (5,), "ce",
                      {"w": ((12, 5), uniform(-0.5, 0.5)), "b": ((5,), R)}, R, None),
    "mse": ("(x: f32[N, 3, 4]) -> f32[N, 3, 4] { P\n return x * p + q }", (3, 4), (3, 4), "mse",
            {"p": ((3, 4), R), "q": ((4,), R)}, R, None),
}


def main():
    case, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    body, in_shape, out_shape, loss, param_table, sampler, kinks = CASES[case]
    np.random.seed(sum(map(ord, case)))

    params = {n: s(*shape).astype(np.float32) for n, (shape, s) in param_table.items()}
    decls = "\n".join(f" param {n}: f32[{', '.join(map(str, shape))}] = zeros"
                      for n, (shape, _) in param_table.items())
    x = sampler(ROWS, *in_shape)
    if kinks:
        p64 = {n: v.astype(np.float64) for n, v in params.items()}
        for _ in range(10000):
            bad = kinks(x.astype(np.float32).astype(np.float64), p64)
            if not bad.any():
                break
            x[bad] = sampler(int(bad.sum()))
        else:
            sys.exit(f"{case}: could not place the inputs away from the kinks")
    if loss == "ce":
        y = np.random.randint(0, out_shape[-1], ROWS).astype(np.int32)
    else:
        y = np.random.uniform(-1, 1, (ROWS,) + out_shape).astype(np.float32)
    np.save(os.path.join(workdir, "x.npy"), x.astype(np.float32))
    np.save(os.path.join(workdir, "y.npy"), y)

    src = os.path.join(workdir, case + ".nn")
    with open(src, "w") as f:
        f.write("model M" + body.replace("{ P\n", "{\n" + decls + "\n", 1) + "\n\n")
        f.write("train M {\n  data = npy(\"x.npy\", \"y.npy\")\n"
                f"  loss = {'cross_entropy' if loss == 'ce' else 'mse'}\n"
                f"  optimizer = sgd(lr = 0.1)\n  batch = {BATCH}\n  shuffle = false\n}}\n")
    exe = os.path.join(workdir, case)
    subprocess.run([os.environ.get("NNC", "nnc"), src, "-o", exe], check=True)
    weights = os.path.join(workdir, "w.safetensors")
    safetensors(weights, params)

    run = subprocess.run([exe, "gradcheck", "--load", weights], capture_output=True, text=True)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    reported = dict(re.findall(r"^\s+(\S+)\s+f32\[[0-9,]*\].*max_rel_err \S+(?:\s+f32_err \S+)?\s+(\S+)$",
                               run.stdout, re.M))
    if run.returncode != 0:
        sys.exit(f"{case}: gradcheck exited {run.returncode}")
    for name in params:
        if reported.get(name) != "ok":
            sys.exit(f"{case}: parameter {name}: {reported.get(name, 'not reported')}")
    worst = max(float(e) for e in re.findall(r"max_rel_err (\S+)", run.stdout))
    print(f"{case}: gradcheck OK, {len(params)} parameters, worst rel err {worst:.3g}")


if __name__ == "__main__":
    main()
