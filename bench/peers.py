"""Peers of bench/run.py beyond Debian's PyTorch 1.13: PyTorch 2 eager, torch.compile and JAX.

Runs under the venv that bench/setup-peers.sh makes, one fresh process per measurement:
    peers.py PEER KIND NAME THREADS BATCH ITERS
PEER is torch2-eager, torch-compile or jax; KIND train prints images/s of one epoch (batch 64,
shuffled, data already in memory as f32; compilation is warmed up outside the timed epoch),
KIND infer prints the median seconds of ITERS forward calls at batch BATCH.
NNC_PEERS_LOSSES=1 also prints the mean loss of the epoch's first and last 100 steps to stderr.
"""
import gc
import os
import statistics
import sys
import time

import numpy as np

from run import PEERS, load_idx, torch_infer, torch_model, torch_train_epoch

BATCH = 64
SHOW_LOSSES = os.environ.get("NNC_PEERS_LOSSES") == "1"


def train_data(name, channels_last=False):
    x = load_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    y = load_idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    shape = (-1, 784) if name == "mlp" else (-1, 28, 28, 1) if channels_last else (-1, 1, 28, 28)
    return x.reshape(shape), y


def batches(n, perm):
    """Index slices of one epoch; the last one is short (60000 = 937 x 64 + 32)."""
    return [perm[i:i + BATCH] for i in range(0, n, BATCH)]


def timed_epoch(step, steps):
    """Images/s of running step over all index batches, after freezing the GC: a warm
    compiler carries ~0.5M objects, and full collections inside the loop cost up to 25%."""
    gc.collect()
    gc.freeze()
    losses = []
    start = time.perf_counter()
    last = None
    for idx in steps:
        last = step(idx)
        if SHOW_LOSSES:
            losses.append(float(last))
    step.sync(last)
    seconds = time.perf_counter() - start
    if SHOW_LOSSES:
        print(f"loss first 100 {np.mean(losses[:100]):.3f}, last 100 {np.mean(losses[-100:]):.3f}",
              file=sys.stderr)
    return sum(len(i) for i in steps) / seconds


def median_call(fn, x, iters, warmup=3):
    for _ in range(warmup):
        fn(x)
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# PyTorch 2 eager runs the very same code as run.py's PyTorch 1.13 baseline.

def torch_compile_train(name, threads):
    """The whole step, grad_and_value plus an in-place SGD update, compiled as one graph: the
    usual backward()/opt.step() loop breaks into several graphs and is slower."""
    import torch
    import torch._inductor.config
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    # Inductor's layout optimization makes LeNet's convolutions slower on CPU.
    torch._inductor.config.layout_optimization = False
    torch.manual_seed(1)
    xs, ys = train_data(name)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    model, lr = torch_model(name, torch)
    params = {k: v.detach().clone() for k, v in model.named_parameters()}
    momenta = {k: torch.zeros_like(v) for k, v in params.items()}

    def loss_fn(p, xb, yb):
        return F.cross_entropy(torch.func.functional_call(model, p, (xb,)), yb)

    grad_and_loss = torch.func.grad_and_value(loss_fn)

    def sgd_step(p, m, xb, yb):
        grads, loss = grad_and_loss(p, xb, yb)
        for k in p:  # torch.optim.SGD's momentum: m = 0.9 m + g; p -= lr m
            m[k].mul_(0.9).add_(grads[k])
            p[k].sub_(m[k], alpha=lr)
        return loss

    # One static graph per batch size (64 and the short last one), both compiled in warm-up.
    compiled = torch.compile(sgd_step, dynamic=False)

    def step(idx):
        return compiled(params, momenta, x[idx], y[idx])

    step.sync = lambda last: None
    perm = torch.randperm(len(x))
    steps = batches(len(x), perm)
    for idx in steps[:3] + steps[-1:]:
        step(idx)
    return timed_epoch(step, steps)


def torch_compile_infer(name, threads, batch, iters):
    import torch
    import torch._inductor.config
    torch.set_num_threads(threads)
    torch._inductor.config.layout_optimization = False
    model, _ = torch_model(name, torch)
    model.eval()
    compiled = torch.compile(model, dynamic=False)
    x = torch.rand((batch, 784) if name == "mlp" else (batch, 1, 28, 28))
    with torch.no_grad():
        return median_call(compiled, x, iters)


def jax_model(name, jax):
    """Parameters and forward function. LeNet is NHWC with reshape-based pooling, JAX's fastest
    form on CPU; the flatten order differs from PyTorch's, which only permutes dense weights."""
    jnp = jax.numpy
    keys = iter(jax.random.split(jax.random.PRNGKey(1), 8))

    def dense(fan_in, fan_out):
        bound = 1 / np.sqrt(fan_in)
        return (jax.random.uniform(next(keys), (fan_in, fan_out), minval=-bound, maxval=bound),
                jnp.zeros(fan_out))

    def conv(k, cin, cout):
        bound = 1 / np.sqrt(k * k * cin)
        return (jax.random.uniform(next(keys), (k, k, cin, cout), minval=-bound, maxval=bound),
                jnp.zeros(cout))

    def pool(h):
        n, hh, ww, c = h.shape
        return h.reshape(n, hh // 2, 2, ww // 2, 2, c).max(axis=(2, 4))

    def mlp_dense(params, h):
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        return h

    if name == "mlp":
        return [dense(784, 256), dense(256, 128), dense(128, 10)], mlp_dense, 0.1

    def lenet(params, h):
        for w, b in params[:2]:
            h = jax.lax.conv_general_dilated(h, w, (1, 1), "VALID",
                                             dimension_numbers=("NHWC", "HWIO", "NHWC"))
            h = pool(jax.nn.relu(h + b))
        return mlp_dense(params[2:], h.reshape(h.shape[0], -1))

    return [conv(5, 1, 6), conv(5, 6, 16), dense(256, 120), dense(120, 84), dense(84, 10)], lenet, \
        0.05


def jax_train(name):
    import jax
    import jax.numpy as jnp
    params, forward, lr = jax_model(name, jax)
    momenta = jax.tree_util.tree_map(jnp.zeros_like, params)
    xs, ys = train_data(name, channels_last=True)
    x, y = jnp.asarray(xs), jnp.asarray(ys.astype(np.int32))

    def loss_fn(p, xb, yb):
        logp = jax.nn.log_softmax(forward(p, xb))
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    # The batch is gathered inside the compiled step; parameters are updated in place (donated).
    def sgd_step(p, m, x, y, idx):
        loss, grads = jax.value_and_grad(loss_fn)(p, x[idx], y[idx])
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + g, m, grads)
        p = jax.tree_util.tree_map(lambda p, m: p - lr * m, p, m)
        return p, m, loss

    sgd_step = jax.jit(sgd_step, donate_argnums=(0, 1))
    state = [params, momenta]

    def step(idx):
        state[0], state[1], loss = sgd_step(state[0], state[1], x, y, idx)
        return loss

    step.sync = lambda last: jax.block_until_ready((state, last))
    perm = np.random.default_rng(1).permutation(len(xs)).astype(np.int32)
    steps = batches(len(xs), perm)
    for idx in steps[:3] + steps[-1:]:
        step.sync(step(idx))
    return timed_epoch(step, steps)


def jax_infer(name, batch, iters):
    import jax
    params, forward, _ = jax_model(name, jax)
    fn = jax.jit(forward)
    x = jax.random.uniform(jax.random.PRNGKey(2), (batch, 784) if name == "mlp" else
                           (batch, 28, 28, 1))
    return median_call(lambda x: fn(params, x).block_until_ready(), x, iters)


def measure(peer, kind, name, threads, batch, iters):
    if peer == "jax":
        # XLA's thread pool ignores its flags; only CPU affinity, set before import, holds it.
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
        if kind == "train":
            return jax_train(name)
        return jax_infer(name, batch, iters)
    if peer == "torch-compile":
        if kind == "train":
            return torch_compile_train(name, threads)
        return torch_compile_infer(name, threads, batch, iters)
    if kind == "train":
        return torch_train_epoch(name, threads)
    return torch_infer(name, threads, batch, iters)


if __name__ == "__main__":
    peer, kind, name, threads, batch, iters = sys.argv[1:]
    assert peer in PEERS, peer
    print(measure(peer, kind, name, int(threads), int(batch), int(iters)))
