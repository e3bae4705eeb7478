"""Training parity with PyTorch: the same model, initial weights (through safetensors) and
batches (shuffle off) must give the same loss at every step, within 1e-4 relative.

Usage: parity.py MODEL OPTIMIZER WORKDIR   (MODEL: mlp | lenet; OPTIMIZER: a key of OPTIMIZERS)
"""
import gzip
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from check_primitive import safetensors  # noqa: E402

STEPS, BATCH = 100, 64
DATA = "/usr/share/datasets/fashion-mnist"

MODELS = {
    "mlp": ("x: f32[N, 784]", """
  h1 = relu(dense(x, 128))
  h2 = relu(dense(h1, 64))
  return dense(h2, 10)"""),
    "lenet": ("x: f32[N, 1, 28, 28]", """
  c1 = max_pool2d(relu(conv(x, 6, 5)))
  c2 = max_pool2d(relu(conv(c1, 16, 5)))
  d1 = relu(dense(flatten(c2), 120))
  d2 = relu(dense(d1, 84))
  return dense(d2, 10)"""),
}

# Learning rates are small enough that 100 steps are not chaotic: with lr 0.05 (SGD) or
# 1e-3 (Adam), PyTorch's own float32 run drifts from its float64 run by 1e-3..8e-2 by
# step 100, so no float32 implementation could match to 1e-4. With these settings the
# float32/float64 drift stays below 4e-5.
OPTIMIZERS = {
    "sgd_momentum": ("sgd(lr = 0.01, momentum = 0.9)",
                     lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "nesterov": ("sgd(lr = 0.01, momentum = 0.9, nesterov = true, weight_decay = 0.001)",
                 lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True,
                                           weight_decay=0.001)),
    "adam": ("adam(lr = 0.0003)", lambda p: torch.optim.Adam(p, lr=0.0003)),
    "adamw": ("adamw(lr = 0.0002, weight_decay = 0.05)",
              lambda p: torch.optim.AdamW(p, lr=0.0002, weight_decay=0.05)),
}


def torch_model(name):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10))
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(),
                         nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def nnc_names(model):
    """Parameters in order, as LANGUAGE.md §5 names them for the models above."""
    layers = ["dense", "dense_1", "dense_2"]
    if model == "lenet":
        layers = ["conv", "conv_1"] + layers
    return layers


def load_idx(name, count):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)
    return data[:count]


def main():
    model, opt, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    torch.manual_seed(0)
    count = STEPS * BATCH
    x = load_idx("train-images-idx3-ubyte.gz", count).astype(np.float32) / 255
    y = load_idx("train-labels-idx1-ubyte.gz", count).astype(np.int32)
    x = x.reshape(count, 784) if model == "mlp" else x.reshape(count, 1, 28, 28)
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "y.npy"), y)

    signature, body = MODELS[model]
    src = os.path.join(workdir, "model.nn")
    with open(src, "w") as f:
        f.write(f"model M({signature}) -> f32[N, 10] {{{body}\n}}\n"
                f'train M {{\n  data = npy("x.npy", "y.npy")\n  loss = cross_entropy\n'
                f"  optimizer = {OPTIMIZERS[opt][0]}\n  batch = {BATCH}\n  epochs = 1\n"
                f"  shuffle = false\n}}\n")
    exe = os.path.join(workdir, "model")
    subprocess.run([os.environ.get("NNC", "nnc"), src, "-o", exe], check=True)

    net = torch_model(model)
    layers = [m for m in net if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    weights = {}
    for name, layer in zip(nnc_names(model), layers):
        w = layer.weight.detach().numpy()
        weights[name + ".w"] = w.T if isinstance(layer, torch.nn.Linear) else w
        weights[name + ".b"] = layer.bias.detach().numpy()
    init = os.path.join(workdir, "init.safetensors")
    safetensors(init, weights)
    steps_log = os.path.join(workdir, "steps.csv")
    subprocess.run([exe, "train", "--load", init, "--log-steps", steps_log, "--quiet",
                    "--threads", "1"], check=True, stdout=subprocess.DEVNULL)
    with open(steps_log) as f:
        ours = [float(line.split(",")[1]) for line in f.read().split("\n")[1:] if line]

    optimizer = OPTIMIZERS[opt][1](net.parameters())
    tx, ty = torch.from_numpy(x), torch.from_numpy(y).long()
    theirs = []
    for i in range(0, count, BATCH):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(tx[i:i + BATCH]), ty[i:i + BATCH])
        loss.backward()
        optimizer.step()
        theirs.append(loss.item())

    if os.environ.get("PARITY_VERBOSE"):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            print(i + 1, a, b, abs(a - b) / abs(b))
    if len(ours) != len(theirs):
        sys.exit(f"nnc ran {len(ours)} steps, PyTorch {len(theirs)}")
    rel = [abs(a - b) / abs(b) for a, b in zip(ours, theirs)]
    worst = int(np.argmax(rel))
    if rel[worst] > 1e-4:
        sys.exit(f"step {worst + 1}: nnc loss {ours[worst]:.8f}, PyTorch {theirs[worst]:.8f} "
                 f"(rel {rel[worst]:.3g})")
    print(f"{model} {opt}: {len(ours)} steps match, max rel diff = {max(rel):.3g}, "
          f"final loss {ours[-1]:.5f}")


if __name__ == "__main__":
    main()
