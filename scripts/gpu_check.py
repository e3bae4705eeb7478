#!/usr/bin/env python3
"""The GPU checks of issue 9 in one go, for a machine lent with a GPU for a few minutes.

  gpu_check.py prepare [DIR]   here (LLVM, nnc built): CUDA and CPU executables of the MLP and
                               LeNet examples, 3200 Fashion-MNIST samples as .npy, libomp;
                               one folder (well under 64 MiB) to carry to the GPU machine
  gpu_check.py run [DIR]       there (NVIDIA driver, Python, PyTorch; no LLVM, no NumPy
                               needed): per model, predict within 1e-4 of the CPU executable,
                               50 training steps with losses within 1e-3 relative, resume
                               bit-exact on the GPU, then images/s against PyTorch eager on
                               the same GPU at batch 64 and 4096 and the GPU/CPU time ratio

`prepare --emulated` builds --target=cuda-emulated executables in place of the CUDA ones, so
that `run` can be tried on a CPU machine (the GPU figures are then CPU figures: say so).
"""
import filecmp
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MODELS = ["fashion_mnist_mlp", "lenet"]
SAMPLES, BATCH, STEPS = 3200, 64, 50  # 50 steps of 64
FMNIST = "/usr/share/datasets/fashion-mnist"


def npy_write(path, dtype, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, "".join(f"{d}," for d in shape))
    header += " " * (-(len(header) + 11) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(payload)


def npy_read_f32(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<H", raw[8:10])[0]
    header = raw[10:10 + n].decode()
    assert "'<f4'" in header, f"{path}: expected float32"
    data = raw[10 + n:]
    return struct.unpack(f"<{len(data) // 4}f", data)


def with_npy_data(source):
    out, lines, i = [], source.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^(\s*)(data|test)\s*=", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        depth, j = 0, i
        while True:
            depth += lines[j].count("(") - lines[j].count(")")
            if depth <= 0:
                break
            j += 1
        if m.group(2) == "data":
            out.append(f'{m.group(1)}data = npy("x.npy", "y.npy")')
        i = j + 1
    return "\n".join(out) + "\n"


def prepare(out, emulated):
    nnc = os.path.join(ROOT, "build", "bin", "nnc")
    os.makedirs(out, exist_ok=True)
    with gzip.open(os.path.join(FMNIST, "train-images-idx3-ubyte.gz")) as f:
        images = f.read()[16:16 + SAMPLES * 784]
    with gzip.open(os.path.join(FMNIST, "train-labels-idx1-ubyte.gz")) as f:
        labels = f.read()[8:8 + SAMPLES]
    for model in MODELS:
        d = os.path.join(out, model)
        os.makedirs(d, exist_ok=True)
        shape = (SAMPLES, 784) if model != "lenet" else (SAMPLES, 1, 28, 28)
        # pixels scaled as the example does (1/255), as f32
        pix = struct.unpack(f"{SAMPLES * 784}B", images)
        npy_write(os.path.join(d, "x.npy"), "<f4", shape,
                  struct.pack(f"<{SAMPLES * 784}f", *[p / 255 for p in pix]))
        npy_write(os.path.join(d, "y.npy"), "<i4", (SAMPLES,),
                  struct.pack(f"<{SAMPLES}i", *labels))
        rows = 293
        npy_write(os.path.join(d, "predict.npy"), "<f4", (rows,) + shape[1:],
                  struct.pack(f"<{rows * 784}f", *[p / 255 for p in pix[:rows * 784]]))
        src = os.path.join(d, model + ".nn")
        with open(os.path.join(ROOT, "examples", model + ".nn")) as f:
            text = with_npy_data(f.read())
        with open(src, "w") as f:
            f.write(text)
        target = "--target=cuda-emulated" if emulated else "--target=cuda"
        subprocess.run([nnc, src, target, "-o", os.path.join(d, "gpu")], check=True)
        subprocess.run([nnc, src, "--mcpu=x86-64-v3", "-o", os.path.join(d, "cpu")], check=True)
    libomp = "/usr/lib/x86_64-linux-gnu/libomp.so.5"
    if os.path.exists(libomp):
        shutil.copy(libomp, out)
    shutil.copy(__file__, out)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
    print(f"prepared {out}: {size / 2**20:.1f} MiB{' (emulated)' if emulated else ''}")


def exe(d, name, *args, env=None):
    e = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(d), **(env or {}))
    t = time.time()
    r = subprocess.run([os.path.join(d, name), *args], cwd=d, capture_output=True, text=True,
                       env=e)
    if r.returncode != 0:
        sys.exit(f"{os.path.basename(d)}/{name} {' '.join(args)}: exit {r.returncode}: "
                 f"{r.stderr.strip()}")
    return r.stdout, time.time() - t


def steps(path):
    with open(path) as f:
        return [float(l.split(",")[1]) for l in f.read().splitlines()[1:]]


def run(out):
    ok = True
    for model in MODELS:
        d = os.path.join(out, model)
        # predict on the same weights
        exe(d, "cpu", "train", "--epochs", "1", "--quiet", "--save", "w.safetensors",
            "--log-steps", "cpu-steps.csv")
        for name in ("cpu", "gpu"):
            exe(d, name, "predict", "--load", "w.safetensors", "--input", "predict.npy",
                "--output", f"{name}-out.npy")
        a, b = npy_read_f32(os.path.join(d, "gpu-out.npy")), npy_read_f32(os.path.join(d, "cpu-out.npy"))
        err = max(abs(x - y) for x, y in zip(a, b))
        print(f"{model}: predict on 293 rows: max |gpu - cpu| = {err:.3g}", "OK" if err <= 1e-4 else "FAIL")
        ok &= err <= 1e-4
        # 50 steps
        _, gpu_time = exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--save", "g.safetensors",
                          "--log-steps", "gpu-steps.csv")
        g, c = steps(os.path.join(d, "gpu-steps.csv")), steps(os.path.join(d, "cpu-steps.csv"))
        rel = max(abs(x - y) / max(abs(y), 1e-12) for x, y in zip(g, c))
        good = len(g) == len(c) == STEPS and rel <= 1e-3
        print(f"{model}: {len(g)} training steps: max relative loss difference {rel:.3g}",
              "OK" if good else "FAIL")
        ok &= good
        # resume on the GPU
        exe(d, "gpu", "train", "--epochs", "2", "--quiet", "--save", "a.safetensors")
        exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--save", "b1.safetensors")
        exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--load", "b1.safetensors", "--save",
            "b2.safetensors")
        same = filecmp.cmp(os.path.join(d, "a.safetensors"), os.path.join(d, "b2.safetensors"),
                           shallow=False)
        print(f"{model}: resume on the GPU bit-exact:", "OK" if same else "FAIL")
        ok &= same
        # speed, whole-process epochs of 3200 samples
        for batch in (64, 4096):
            t = {}
            for name in ("gpu", "cpu"):
                o, _ = exe(d, name, "train", "--epochs", "1", "--quiet", "--batch", str(batch))
                m = re.search(r"time (\S+)s", o)
                t[name] = float(m.group(1)) if m else float("nan")
            print(f"{model}: batch {batch}: nnc gpu {SAMPLES / t['gpu']:.0f} images/s, cpu "
                  f"{SAMPLES / t['cpu']:.0f} images/s, gpu/cpu time {t['gpu'] / t['cpu']:.3f}")
        torch_speed(model)
    print("ALL OK" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


def torch_speed(model):
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed, no comparison")
        return
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    nn = torch.nn
    if model == "lenet":
        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                            nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120),
                            nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        shape, opt = (1, 28, 28), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)
    else:
        net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                            nn.Linear(64, 10))
        shape, opt = (784,), lambda p: torch.optim.Adam(p, lr=0.001)
    net = net.to(dev)
    o = opt(net.parameters())
    for batch in (64, 4096):
        x = torch.rand((SAMPLES,) + shape, device=dev)
        y = torch.randint(0, 10, (SAMPLES,), device=dev)
        for rep in range(2):  # the first is warm-up
            if dev == "cuda":
                torch.cuda.synchronize()
            t = time.time()
            for i in range(0, SAMPLES, batch):
                o.zero_grad()
                loss = nn.functional.cross_entropy(net(x[i:i + batch]), y[i:i + batch])
                loss.backward()
                o.step()
            if dev == "cuda":
                torch.cuda.synchronize()
            t = time.time() - t
        print(f"{model}: batch {batch}: PyTorch {torch.__version__} eager on {dev} "
              f"{SAMPLES / t:.0f} images/s")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    out = os.path.abspath(args[0] if args else os.path.join(ROOT, "build", "gpu-check")
                          if cmd == "prepare" else os.path.dirname(os.path.abspath(__file__)))
    if cmd == "prepare":
        prepare(out, "--emulated" in sys.argv)
    elif cmd == "run":
        sys.exit(run(out))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
