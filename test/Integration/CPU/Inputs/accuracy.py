"""Accuracy acceptance (issue 5): nnc vs PyTorch on Fashion-MNIST. NOT a lit test (it takes
about a minute on this 2-core machine: ~1 s for the MLP's 2 epochs and ~18 s for LeNet's
with nnc, ~2 s and ~13 s with PyTorch/OpenBLAS). Last measured at c5c190a, same weights
and batch order: MLP nnc 0.8580 vs PyTorch 0.8565; LeNet nnc 0.8505 vs PyTorch 0.8443.

Run from the repository root, after building:

    /usr/bin/python3 test/Integration/CPU/Inputs/accuracy.py [--workdir DIR] [--only NAME]
                                                             [--threads T] [--exe-dir DIR]

(NNC=path/to/nnc overrides build/bin/nnc.) For examples/fashion_mnist_mlp.nn and
examples/lenet.nn it compiles the example with nnc, saves its seeded initial weights
(`train --epochs 0 --save`), trains it with `./model train` exactly as the train block says
(full 60000-image training set, 2 epochs, batch 64, shuffle on), and reads the test accuracy
of the last epoch from `--log`. Then it builds the same network in PyTorch, loads the same
initial weights, and trains it with the same optimizer, learning rate, batch size and number
of epochs on the same data, in the same order: the script reproduces nnc's seeded shuffle
(docs/runtime.md, "Random numbers"), so the two runs differ only in arithmetic. It measures
the test accuracy on the 10000 test images. It prints one line per model:

    fashion_mnist_mlp  nnc 0.8xxx (NN s)  pytorch 0.8xxx (NN s)  diff +0.00xx

Exit status 0 when every nnc accuracy is within 0.02 of PyTorch's, 1 otherwise.
"""
import argparse
import gzip
import json
import os
import re
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 4))
DATA = "/usr/share/datasets/fashion-mnist"
TOLERANCE = 0.02


def load_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype=np.float32).reshape(t["shape"]).copy()
    return out


def torch_mlp():
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def torch_lenet():
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(),
                         nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


# name: (torch model, nnc parameter prefixes in module order, input shape, torch optimizer,
#        the train block as `info` prints it)
MODELS = {
    "fashion_mnist_mlp": (torch_mlp, ["dense", "dense_1", "dense_2"], (784,),
                          lambda p: torch.optim.Adam(p, lr=0.001),
                          ("adam", 0.001, 64, 2)),
    "lenet": (torch_lenet, ["conv", "conv_1", "dense", "dense_1", "dense_2"], (1, 28, 28),
              lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
              ("sgd", 0.05, 64, 2)),
}


M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def nnc_shuffle(n, seed, epoch):
    """The runtime's shuffleOrder(n, seed, epoch): Fisher-Yates on a splitmix64 stream."""
    h = 0xcbf29ce484222325
    for c in f"shuffle.{epoch}".encode():
        h = ((h ^ c) * 0x100000001b3) & M64
    state = h ^ mix64((seed + GOLDEN) & M64)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + GOLDEN) & M64
        j = (mix64(state) * (i + 1)) >> 64
        order[i], order[j] = order[j], order[i]
    return torch.tensor(order)


def check_train_block(exe, expected):
    """The example's train block must be what the PyTorch side replicates."""
    info = subprocess.run([exe, "info"], check=True, capture_output=True, text=True).stdout
    opt, lr, batch, epochs = expected
    m = re.search(r"^train: loss cross_entropy, batch (\d+), epochs (\d+), seed (\d+), "
                  r"shuffle on$", info, re.M)
    o = re.search(r"^optimizer: (\w+) .*\blr=(\S+)", info, re.M)
    got = (o and o.group(1), o and float(o.group(2)), m and int(m.group(1)),
           m and int(m.group(2)))
    if got != (opt, lr, batch, epochs):
        sys.exit(f"{exe}: train block is {got}, this script replicates {expected}")
    return int(m.group(3))


def run_nnc(name, workdir, threads, exe_dir):
    if exe_dir:
        exe = os.path.join(exe_dir, name)
    else:
        exe = os.path.join(workdir, name)
        subprocess.run([os.environ.get("NNC", os.path.join(ROOT, "build", "bin", "nnc")),
                        os.path.join(ROOT, "examples", name + ".nn"), "-o", exe], check=True)
    seed = check_train_block(exe, MODELS[name][4])
    init = os.path.join(workdir, name + ".init.safetensors")
    subprocess.run([exe, "train", "--epochs", "0", "--save", init, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    log = os.path.join(workdir, name + ".log.csv")
    start = time.time()
    steps = os.path.join(workdir, name + ".steps.csv")
    args = [exe, "train", "--quiet", "--log", log, "--log-steps", steps]
    if threads:
        args += ["--threads", str(threads)]
    subprocess.run(args, check=True)
    seconds = time.time() - start
    with open(log) as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    header, last = rows[0], rows[-1]
    with open(steps) as f:
        first_loss = float(f.read().split("\n")[1].split(",")[1])
    return float(last[header.index("test_accuracy")]), seconds, seed, init, first_loss


def run_torch(name, init, seed, threads):
    make, prefixes, in_shape, make_opt, (_, _, batch, epochs) = MODELS[name]
    torch.manual_seed(0)
    model = make()
    weights = read_safetensors(init)
    layers = [m for m in model if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    with torch.no_grad():
        for layer, prefix in zip(layers, prefixes):
            w = torch.from_numpy(weights[prefix + ".w"])
            layer.weight.copy_(w.T if isinstance(layer, torch.nn.Linear) else w)
            layer.bias.copy_(torch.from_numpy(weights[prefix + ".b"]))
    opt = make_opt(model.parameters())
    x = torch.from_numpy(load_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    y = torch.from_numpy(load_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    tx = torch.from_numpy(load_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255)
    ty = torch.from_numpy(load_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    x, tx = x.reshape((-1,) + in_shape), tx.reshape((-1,) + in_shape)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        perm = nnc_shuffle(len(x), seed, epoch)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            if epoch == 0 and i == 0:
                first_loss = loss.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(tx[i:i + 1000]) for i in range(0, len(tx), 1000)])
            acc = (logits.argmax(1) == ty).double().mean().item()
            test_loss = F.cross_entropy(logits, ty).item()
        print(f"  pytorch {name} epoch {epoch + 1}  train_loss {total / len(x):.6f}  "
              f"test_loss {test_loss:.6f}  test_accuracy {acc:.4f}", flush=True)
    return acc, time.time() - start, first_loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="/tmp/nnc-accuracy")
    ap.add_argument("--only", choices=list(MODELS))
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for both nnc (--threads) and PyTorch (default: theirs)")
    ap.add_argument("--exe-dir", help="use executables already compiled from the examples "
                    "(DIR/fashion_mnist_mlp, DIR/lenet) instead of running nnc")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    results = []
    for name in [args.only] if args.only else list(MODELS):
        print(f"== {name}", flush=True)
        acc, secs, seed, init, loss1 = run_nnc(name, args.workdir, args.threads, args.exe_dir)
        print(f"  nnc     {name} test_accuracy {acc:.4f} ({secs:.0f} s)", flush=True)
        tacc, tsecs, tloss1 = run_torch(name, init, seed, args.threads)
        # Same weights and the same first batch give the same first loss; a different
        # value means the reproduced shuffle is not nnc's.
        print(f"  first-step loss: nnc {loss1:.6f}, pytorch {tloss1:.6f}", flush=True)
        if abs(loss1 - tloss1) > 1e-4 * abs(tloss1):
            sys.exit(f"{name}: the first batches differ; the shuffle recipe does not match nnc's")
        results.append((name, acc, secs, tacc, tsecs))
    print()
    ok = True
    for name, acc, secs, tacc, tsecs in results:
        print(f"{name:18s} nnc {acc:.4f} ({secs:.0f} s)  pytorch {tacc:.4f} ({tsecs:.0f} s)  "
              f"diff {acc - tacc:+.4f}")
        ok &= abs(acc - tacc) <= TOLERANCE
    print("OK: every nnc accuracy within 0.02 of PyTorch" if ok else
          "FAIL: an nnc accuracy is more than 0.02 from PyTorch's")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
