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
# the timed epochs run over the samples repeated this many times (GPU_CHECK_REPEAT)
REPEAT = int(os.environ.get("GPU_CHECK_REPEAT", "10"))
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


FAILURES = []
NOT_JUDGED = []
TIMEOUTS = []
STARTED = time.time()
LOG = None  # a file under $OUT where the device tool brings it back


def say(*args):
    line = " ".join(str(a) for a in args)
    print(line, flush=True)
    if LOG:
        LOG.write(line + "\n")
        LOG.flush()


def exe(d, name, *args, env=None, timeout=90):
    """Runs one executable; a failure is recorded (with a compute-sanitizer run of the same
    command for a GPU one, when the tool is there), never fatal, so one call checks all."""
    e = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(d), **(env or {}))
    cmd = [os.path.join(d, name), *args]
    t = time.time()
    if len(TIMEOUTS) >= 2:  # a hung device: do not spend the lease waiting
        FAILURES.append(f"{os.path.basename(d)}/{name} {' '.join(args)}: skipped")
        return None, 0.0
    try:
        r = subprocess.run(cmd, cwd=d, capture_output=True, text=True, env=e, timeout=timeout)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as x:
        rc, out, err = "timeout", x.stdout or "", f"no exit after {timeout} s"
        TIMEOUTS.append(cmd)
        out = out.decode() if isinstance(out, bytes) else out
    elapsed = time.time() - t
    if rc != 0:
        what = f"{os.path.basename(d)}/{name} {' '.join(args)}: exit {rc}: {err.strip()[-2000:]}"
        say("FAIL", what)
        FAILURES.append(what)
        sanitizer = shutil.which("compute-sanitizer") or (
            "/usr/local/cuda/bin/compute-sanitizer"
            if os.path.exists("/usr/local/cuda/bin/compute-sanitizer") else None)
        if name == "gpu" and sanitizer and len(FAILURES) <= 2:
            try:
                r = subprocess.run([sanitizer, "--print-limit", "4", *cmd], cwd=d, env=e,
                                   capture_output=True, text=True, timeout=150)
                say("compute-sanitizer:", "\n".join((r.stdout + r.stderr).splitlines()[:60]))
            except subprocess.TimeoutExpired:
                say("compute-sanitizer: no exit after 150 s")
        return None, elapsed
    return out, elapsed


def steps(path):
    try:
        with open(path) as f:
            return [float(l.split(",")[1]) for l in f.read().splitlines()[1:]]
    except OSError:
        return []


def epoch_times(text):
    return [float(t) for t in re.findall(r"time (\S+)s", text or "")]


def default_lr(d):
    o, _ = exe(d, "cpu", "info")
    m = re.search(r"lr[ =](\S+)", o or "")
    return float(m.group(1).rstrip(",)")) if m else 0.01


def next_f32(x):
    return struct.unpack("<f", struct.pack("<I", struct.unpack("<I", struct.pack("<f", x))[0] + 1))[0]


def sensitivity(d, lr, moved):
    """The largest relative change of the CPU's 50 step losses (s0.csv at lr) when lr moves."""
    if not os.path.exists(os.path.join(d, "s0.csv")):
        exe(d, "cpu", "train", "--epochs", "1", "--quiet", "--lr", repr(lr), "--log-steps",
            "s0.csv")
    exe(d, "cpu", "train", "--epochs", "1", "--quiet", "--lr", repr(moved), "--log-steps",
        "s1.csv")
    a, b = steps(os.path.join(d, "s0.csv")), steps(os.path.join(d, "s1.csv"))
    return max((abs(x - y) / max(abs(y), 1e-12) for x, y in zip(a, b)), default=float("inf"))


def safetensors_f32(path):
    import json
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    body = raw[8 + n:]
    out = {}
    for name, t in json.loads(raw[8:8 + n]).items():
        if name != "__metadata__" and t["dtype"] == "F32":
            a, b = t["data_offsets"]
            out[name] = struct.unpack(f"<{(b - a) // 4}f", body[a:b])
    return out


def rows_subset(d, lo, hi, name):
    sub = os.path.join(d, name)
    os.makedirs(sub, exist_ok=True)
    for f in ("x.npy", "y.npy"):
        with open(os.path.join(d, f), "rb") as fh:
            raw = fh.read()
        n = struct.unpack("<H", raw[8:10])[0]
        header, payload = raw[10:10 + n].decode(), raw[10 + n:]
        shape = eval(re.search(r"'shape': (\([^)]*\))", header).group(1))
        per = len(payload) // shape[0]
        npy_write(os.path.join(sub, f), re.search(r"'descr': '([^']+)'", header).group(1),
                  (hi - lo,) + tuple(shape[1:]), payload[lo * per:hi * per])
    return sub


def one_steps(d, batches):
    """The worst relative difference (per tensor, max |gpu - cpu| / max |cpu|) of weights and
    optimizer state after one step from the CPU's trained weights (w.safetensors)."""
    worst = 0.0
    for k in range(batches):
        sub = rows_subset(d, BATCH * k, BATCH * (k + 1), f"one{k}")
        for name in ("cpu", "gpu"):
            exe(d, name, "train", "--epochs", "1", "--quiet", "--load", "w.safetensors",
                "--data", sub, "--save", f"one-{name}.safetensors")
        try:
            a = safetensors_f32(os.path.join(d, "one-gpu.safetensors"))
            b = safetensors_f32(os.path.join(d, "one-cpu.safetensors"))
        except OSError:
            return float("inf")
        for t in b:
            if len(a.get(t, ())) != len(b[t]):
                return float("inf")
            diff = max(abs(x - y) for x, y in zip(a[t], b[t]))
            worst = max(worst, diff / max(1e-12, max(abs(y) for y in b[t])))
    return worst


def big_data(d, times):
    """The 3200 samples repeated, for timings of whole epochs well past start-up."""
    big = os.path.join(d, "big")
    os.makedirs(big, exist_ok=True)
    for name in ("x.npy", "y.npy"):
        with open(os.path.join(d, name), "rb") as f:
            raw = f.read()
        n = struct.unpack("<H", raw[8:10])[0]
        header, payload = raw[10:10 + n].decode(), raw[10 + n:]
        header = header.replace(f"({SAMPLES},", f"({SAMPLES * times},")
        npy_write(os.path.join(big, name), re.search(r"'descr': '([^']+)'", header).group(1),
                  eval(re.search(r"'shape': (\([^)]*\))", header).group(1)), payload * times)
    return big


def run(out):
    global LOG
    if os.environ.get("OUT"):
        LOG = open(os.path.join(os.environ["OUT"], "gpu-check.log"), "w")
    smi = shutil.which("nvidia-smi")
    if smi:
        r = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total,clocks.sm",
                            "--format=csv,noheader"], capture_output=True, text=True)
        say("GPU:", r.stdout.strip() or r.stderr.strip())
    ok = True
    figures = []
    for model in MODELS:
        d = os.path.join(out, model)
        o, _ = exe(d, "gpu", "info")
        say(f"{model}: gpu info:", " | ".join((o or "").splitlines()[-3:]))
        # predict on the same weights
        exe(d, "cpu", "train", "--epochs", "1", "--quiet", "--save", "w.safetensors",
            "--log-steps", "cpu-steps.csv")
        for name in ("cpu", "gpu"):
            exe(d, name, "predict", "--load", "w.safetensors", "--input", "predict.npy",
                "--output", f"{name}-out.npy")
        try:
            a = npy_read_f32(os.path.join(d, "gpu-out.npy"))
            b = npy_read_f32(os.path.join(d, "cpu-out.npy"))
            err = max(abs(x - y) for x, y in zip(a, b)) if len(a) == len(b) else float("inf")
        except OSError:
            err = float("inf")
        say(f"{model}: predict on 293 rows: max |gpu - cpu| = {err:.3g}",
            "OK" if err <= 1e-4 else "FAIL")
        ok &= err <= 1e-4
        # One step from the same trained state, on 20 batches: the step itself agrees.
        worst = one_steps(d, 20)
        say(f"{model}: one step from the CPU's trained weights on 20 batches: worst relative "
            f"difference of any tensor {worst:.3g}", "OK" if worst <= 1e-5 else "FAIL")
        ok &= worst <= 1e-5
        # 50 steps. Where training is chaotic (LeNet at lr 0.05 with momentum 0.9: moving lr
        # by one ulp or by the one-step difference changes the CPU's own loss by ~20% at step
        # 50), no other rounding can agree to 1e-3: the comparison is reported, not judged,
        # when the CPU's own spread under such moves is over 1e-3.
        lr = default_lr(d)
        spread = max(sensitivity(d, lr, x) for x in
                     (next_f32(lr), lr * (1 + max(worst, 1e-7)), lr * (1 - max(worst, 1e-7))))
        exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--save", "g.safetensors",
            "--log-steps", "gpu-steps.csv")
        g, c = steps(os.path.join(d, "gpu-steps.csv")), steps(os.path.join(d, "s0.csv"))
        rel = max((abs(x - y) / max(abs(y), 1e-12) for x, y in zip(g, c)), default=float("inf"))
        good = len(g) == len(c) == STEPS and rel <= 1e-3
        verdict = "OK" if good else "FAIL"
        if not good and spread > 1e-3 and len(g) == len(c) == STEPS:
            verdict = "NOT JUDGED (chaotic: the CPU's own spread is over 1e-3)"
            NOT_JUDGED.append(model)
        else:
            ok &= good
        say(f"{model}: {len(g)} training steps: max relative loss difference {rel:.3g}; the "
            f"CPU's own with lr moved by {max(worst, 1e-7):.2g} relative or one ulp: "
            f"{spread:.3g}", verdict)
        # resume on the GPU
        exe(d, "gpu", "train", "--epochs", "2", "--quiet", "--save", "a.safetensors")
        exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--save", "b1.safetensors")
        exe(d, "gpu", "train", "--epochs", "1", "--quiet", "--load", "b1.safetensors", "--save",
            "b2.safetensors")
        try:
            same = filecmp.cmp(os.path.join(d, "a.safetensors"),
                               os.path.join(d, "b2.safetensors"), shallow=False)
        except OSError:
            same = False
        say(f"{model}: resume on the GPU bit-exact:", "OK" if same else "FAIL")
        ok &= same
        # speed: the second of two epochs over 10x the samples, so start-up stays out
        big = big_data(d, REPEAT)
        for batch in (64, 4096):
            t = {}
            for name in ("gpu", "cpu"):
                o, _ = exe(d, name, "train", "--epochs", "2", "--quiet", "--batch", str(batch),
                           "--data", big)
                times = epoch_times(o)
                t[name] = times[-1] if times else float("nan")
            line = (f"{model}: train batch {batch}: nnc gpu {REPEAT * SAMPLES / t['gpu']:.0f} "
                    f"images/s, nnc cpu (this machine) {REPEAT * SAMPLES / t['cpu']:.0f} images/s, "
                    f"gpu/cpu time {t['gpu'] / t['cpu']:.3f}")
            say(line)
            figures.append(line)
        for batch, iters in ((1, 2000), (256, 500)):
            o, _ = exe(d, "gpu", "bench", "--batch", str(batch), "--iters", str(iters))
            line = f"{model}: gpu forward {(o or 'failed').strip()}"
            say(line)
            figures.append(line)
        figures += torch_speed(model)
        figures += kernel_profile(d, model)
    say("\n".join(["", "summary:"] + figures + FAILURES))
    judged = f" ({len(NOT_JUDGED)} not judged: {', '.join(NOT_JUDGED)})" if NOT_JUDGED else ""
    say(("ALL OK" if ok and not FAILURES else "SOME CHECKS FAILED") + judged)
    return 0 if ok and not FAILURES else 1


def kernel_profile(d, model):
    """Per-kernel device time of one training epoch at batch 64 (Nsight Compute, clocks left
    alone), summed by kernel name: where a step's time goes."""
    ncu = shutil.which("ncu") or next(iter(sorted(
        __import__("glob").glob("/opt/nvidia/nsight-compute/*/ncu"))), None)
    if not ncu or not os.environ.get("OUT") or FAILURES or time.time() - STARTED > 200:
        return []
    cmd = [ncu, "--clock-control", "none", "--metrics", "gpu__time_duration.sum", "--csv",
           "--launch-skip", "200", "--launch-count", "300", os.path.join(d, "gpu"), "train",
           "--epochs", "1", "--quiet"]
    try:
        r = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=100,
                           env=dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(d)))
    except subprocess.TimeoutExpired:
        return [f"{model}: ncu: no exit after 100 s"]
    with open(os.path.join(os.environ["OUT"], f"ncu-{model}.csv"), "w") as f:
        f.write(r.stdout + r.stderr)
    import csv
    total, count = {}, {}
    for row in csv.DictReader(l for l in r.stdout.splitlines() if l.startswith('"')):
        if row.get("Metric Name") != "gpu__time_duration.sum":
            continue
        v = float(row["Metric Value"].replace(",", ""))
        v *= {"nsecond": 1e-3, "usecond": 1, "msecond": 1e3}.get(row.get("Metric Unit"), 1)
        total[row["Kernel Name"]] = total.get(row["Kernel Name"], 0) + v
        count[row["Kernel Name"]] = count.get(row["Kernel Name"], 0) + 1
    if not total:
        return [f"{model}: ncu gave no timings: {(r.stderr or r.stdout)[-400:]}"]
    lines = [f"{model}: ncu, 300 launches after 200: {sum(total.values()):.0f} us in "
             f"{len(total)} kernels; the largest (us total, launches):"]
    for k in sorted(total, key=total.get, reverse=True)[:12]:
        lines.append(f"  {total[k]:9.1f} {count[k]:4d}  {k[:90]}")
    for l in lines:
        say(l)
    return lines


def torch_speed(model):
    try:
        import torch
    except ImportError:
        say("PyTorch: not installed, no comparison")
        return []
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
    n = REPEAT * SAMPLES
    lines = []
    for batch in (64, 4096):
        x = torch.rand((n,) + shape, device=dev)
        y = torch.randint(0, 10, (n,), device=dev)
        for rep in range(2):  # the first is warm-up
            if dev == "cuda":
                torch.cuda.synchronize()
            t = time.time()
            for i in range(0, n, batch):
                o.zero_grad()
                loss = nn.functional.cross_entropy(net(x[i:i + batch]), y[i:i + batch])
                loss.backward()
                o.step()
            if dev == "cuda":
                torch.cuda.synchronize()
            t = time.time() - t
        lines.append(f"{model}: train batch {batch}: PyTorch {torch.__version__} eager on {dev} "
                     f"{n / t:.0f} images/s")
        say(lines[-1])
    return lines


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
