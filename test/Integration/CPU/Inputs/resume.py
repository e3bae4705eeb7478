"""Resume is exact: the model of examples/fashion_mnist_mlp.nn (compiled for real), trained on
2000 Fashion-MNIST samples (batch 64, so the last batch of each epoch has 16; shuffle on):

    train --epochs 2 --save a.safetensors
    train --epochs 1 --save b1.safetensors ; train --load b1.safetensors --epochs 1 --save b2.safetensors

must give byte-identical a and b2, and the resumed run's epoch line must equal the
uninterrupted run's second epoch line (apart from the time).

Usage: resume.py OPTIMIZER WORKDIR   (OPTIMIZER: a key of OPTIMIZERS)
"""
import filecmp
import gzip
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 4))
DATA = "/usr/share/datasets/fashion-mnist"
COUNT = 2000

OPTIMIZERS = {
    "adam": "adam(lr = 0.001)",
    "sgd_momentum": "sgd(lr = 0.05, momentum = 0.9)",
    "nesterov": "sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 0.0005)",
    "adamw": "adamw(lr = 0.001, weight_decay = 0.01)",
}


def load_idx(name, count):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)[:count]


def metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))["__metadata__"]


def train(exe, workdir, *args):
    run = subprocess.run([exe, "train", "--quiet", *args], cwd=workdir, capture_output=True,
                         text=True)
    if run.returncode != 0:
        sys.exit(f"train {' '.join(args)} exited {run.returncode}: {run.stderr}")
    lines = [re.sub(r"\s+time \S+$", "", l) for l in run.stdout.splitlines()
             if l.startswith("epoch ")]
    return lines


def main():
    opt, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    x = load_idx("train-images-idx3-ubyte.gz", COUNT).astype(np.float32) / 255
    y = load_idx("train-labels-idx1-ubyte.gz", COUNT).astype(np.int32)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "y.npy"), y)

    # The example's model, as written; our own train block (an npy subset).
    with open(os.path.join(ROOT, "examples", "fashion_mnist_mlp.nn")) as f:
        source = f.read()
    model = source[:source.index("\ntrain ")]
    src = os.path.join(workdir, "mlp.nn")
    with open(src, "w") as f:
        f.write(model + "\n\ntrain FashionMLP {\n  data = npy(\"x.npy\", \"y.npy\")\n"
                f"  loss = cross_entropy\n  optimizer = {OPTIMIZERS[opt]}\n"
                "  batch = 64\n  epochs = 1\n  seed = 42\n  shuffle = true\n}\n")
    exe = os.path.join(workdir, "mlp")
    subprocess.run([os.environ.get("NNC", "nnc"), src, "-o", exe], check=True)

    straight = train(exe, workdir, "--epochs", "2", "--save", "a.safetensors")
    first = train(exe, workdir, "--epochs", "1", "--save", "b1.safetensors")
    second = train(exe, workdir, "--load", "b1.safetensors", "--epochs", "1",
                   "--save", "b2.safetensors")
    print("straight:", straight)
    print("split:   ", first + second)
    a, b1, b2 = (os.path.join(workdir, n) for n in ["a.safetensors", "b1.safetensors",
                                                     "b2.safetensors"])
    meta = metadata(b1), metadata(b2)
    print("b1 metadata:", meta[0])
    print("b2 metadata:", meta[1])
    if meta[0].get("epoch") != "1" or meta[1].get("epoch") != "2":
        sys.exit(f"{opt}: saved epochs {meta[0].get('epoch')}, {meta[1].get('epoch')}; expected 1, 2")
    if meta[1].get("step") != str(2 * ((COUNT + 63) // 64)):
        sys.exit(f"{opt}: step after 2 epochs is {meta[1].get('step')}")
    if straight != first + second:
        sys.exit(f"{opt}: epoch lines differ")
    if filecmp.cmp(a, b1, shallow=False):
        sys.exit(f"{opt}: 1 and 2 epochs wrote the same file (no training?)")
    if not filecmp.cmp(a, b2, shallow=False):
        sys.exit(f"{opt}: a.safetensors and b2.safetensors differ")
    print(f"{opt}: resume OK, 2 epochs straight == 1 + 1 (byte-identical checkpoints)")


if __name__ == "__main__":
    main()
