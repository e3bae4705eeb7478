#!/usr/bin/python3
"""Benchmarks of ../shared/BENCHMARKS.md: nnc executables against PyTorch, side by side.

Runs nnc and the PyTorch baseline alternately (A B A B ...) in this one script and
reports medians and ratios. Usage: bench/run.py [--reps 3] [--only mlp-train,lenet-train]

When bench/setup-peers.sh has made its venv (.cache/peers-venv, or $NNC_PEERS_VENV), PyTorch 2
eager, torch.compile and JAX (bench/peers.py) run in the same alternation, and nnc's best is
compared to the best of all peers and to the FMA peak (measured by bench/fma_peak.c, or
$NNC_PEAK_GFLOPS per core). --no-peers leaves them out; --peers jax,torch-compile picks some.

mlp-mpi (not in the default list; needs mpirun) is data-parallel training instead: one
epoch of mlp-train as 1 process and as mpirun -np 2, 1 thread per process, at batch 256
and 64, K = 1 and K = 2 alternating, and the scaling efficiency (docs/distributed.md); then
bench/lockstep.c, the same fixed work as 1 process and as 2 that wait for each other after
every step, with no data moved: the ceiling this machine's step-to-step speed puts on K=2;
and the same work with no barriers, the ceiling the two cores' sharing of the machine puts
on any K=2 at all.
"""
import argparse
import functools
import gc
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("NNC_BUILD_DIR", os.path.join(ROOT, "build"))
DATA = "/usr/share/datasets/fashion-mnist"
PEERS_VENV = os.environ.get("NNC_PEERS_VENV", os.path.join(ROOT, ".cache", "peers-venv"))
PEER_PYTHON = os.path.join(PEERS_VENV, "bin", "python")
PEERS = ("torch2-eager", "torch-compile", "jax")
# FMA ceiling of training: MFLOP per image (BENCHMARKS.md) against the f32 FMA peak of one core,
# measured by bench/fma_peak.c unless NNC_PEAK_GFLOPS gives it.
MFLOP_PER_IMAGE = {"mlp": 1.01, "lenet": 1.52}


@functools.cache
def peak_gflops():
    """This machine's f32 FMA GFLOP/s per core: NNC_PEAK_GFLOPS, else bench/fma_peak.c built with
    cc -O2 -march=native and run (the best of 3 runs)."""
    if "NNC_PEAK_GFLOPS" in os.environ:
        return float(os.environ["NNC_PEAK_GFLOPS"])
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "fma_peak")
        subprocess.run(["cc", "-O2", "-march=native", os.path.join(ROOT, "bench", "fma_peak.c"),
                        "-o", exe], check=True)
        runs = [subprocess.run([exe], check=True, capture_output=True, text=True).stdout
                for _ in range(3)]
    return max(float(r.split()[0]) for r in runs)


def load_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw[4:4 + 4 * ndim], dtype=">u4")
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def torch_model(name, torch):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10)), 0.1
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(),
                         nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), 0.05


def torch_train_epoch(name, threads):
    """Images/s of one epoch in PyTorch, data already in memory as f32."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = torch.from_numpy(load_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255)
    y = torch.from_numpy(load_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    x = x.reshape(-1, 784) if name == "mlp" else x.reshape(-1, 1, 28, 28)
    model, lr = torch_model(name, torch)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    perm = torch.randperm(len(x))
    # Full collections inside the timed loop would cost whichever side happens to hit them.
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    for i in range(0, len(x), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return len(x) / (time.perf_counter() - start)


def torch_infer(name, threads, batch, iters):
    """Median seconds per forward call in PyTorch (eval mode, no autograd)."""
    import torch
    torch.set_num_threads(threads)
    model, _ = torch_model(name, torch)
    model.eval()
    shape = (batch, 784) if name == "mlp" else (batch, 1, 28, 28)
    x = torch.rand(shape)
    times = []
    with torch.no_grad():
        for _ in range(iters):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def nnc_infer(exe, batch, iters, threads):
    out = subprocess.run([exe, "bench", "--batch", str(batch), "--iters", str(iters),
                          "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    # "batch B  iters K  median M us  throughput T samples/s"
    return float(out.split("median")[1].split()[0]) * 1e-6


def compile_model(name, workdir):
    exe = os.path.join(workdir, name)
    src = os.path.join(ROOT, "bench", "models", name + ".nn")
    start = time.perf_counter()
    subprocess.run([os.path.join(BUILD, "bin", "nnc"), src, "-O3", "-o", exe], check=True)
    return exe, time.perf_counter() - start


def nnc_train_epoch(exe, workdir, threads, batch=None, ranks=0):
    """Images/s of one epoch (its seconds in the --log CSV: training only, as for the peers);
    ranks > 0 runs it under mpirun with that many processes."""
    log = os.path.join(workdir, "log.csv")
    cmd = [exe, "train", "--epochs", "1", "--quiet", "--threads", str(threads), "--log", log]
    if batch:
        cmd += ["--batch", str(batch)]
    if ranks:
        cmd = ["mpirun", "--allow-run-as-root", "-np", str(ranks)] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(log) as f:
        rows = f.read().strip().splitlines()
    seconds = float(rows[-1].split(",")[4])
    return 60000 / seconds


# Both sides run with 1 and 2 threads; each side's best setting is compared.
THREADS = (1, 2)


def per_thread(runs, fmt):
    return ", ".join(f"{t}T " + fmt.format(statistics.median(v)) for t, v in runs.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only",
                        default="mlp-train,lenet-train,mlp-infer,lenet-infer")
    parser.add_argument("--peers", default="auto",
                        help="comma list of " + ",".join(PEERS) + "; default all when installed")
    parser.add_argument("--no-peers", dest="peers", action="store_const", const="")
    args = parser.parse_args()
    peers = choose_peers(args.peers)
    # A fair baseline: the environment's OpenBLAS core override slows PyTorch.
    os.environ.pop("OPENBLAS_CORETYPE", None)
    with tempfile.TemporaryDirectory() as workdir:
        for bench in args.only.split(","):
            name, kind = bench.split("-")
            exe, compile_s = compile_model(name, workdir)
            if kind == "mpi":
                report_data_parallel(bench, exe, workdir, args.reps)
                continue
            if kind == "infer":
                report_inference(bench, name, exe, args.reps, peers)
                continue
            nnc, torch_runs = {1: [], 2: []}, {1: [], 2: []}
            peer_runs = {peer: {1: [], 2: []} for peer in peers}
            for _ in range(args.reps):
                for threads in THREADS:
                    nnc[threads].append(nnc_train_epoch(exe, workdir, threads))
                    torch_runs[threads].append(run_isolated(name, threads))
                    for peer in list(peer_runs):
                        if not run_peer(peer_runs, peer, threads, name):
                            del peer_runs[peer]
            best_torch = max(statistics.median(v) for v in torch_runs.values())
            ours = max(statistics.median(v) for v in nnc.values())
            print(f"{bench}: nnc best {ours:,.0f} img/s ({per_thread(nnc, '{:,.0f}')}), "
                  f"PyTorch best {best_torch:,.0f} img/s ({per_thread(torch_runs, '{:,.0f}')}), "
                  f"ratio {ours / best_torch:.2f}x; compile {compile_s:.2f} s")
            if peer_runs:
                report_peers(bench, name, nnc, torch_runs, peer_runs)


def best_of(runs, better=max):
    """(median, threads) of a side's best thread setting."""
    return better((statistics.median(v), t) for t, v in runs.items())


def best_peer(torch_runs, peer_runs, better=max):
    """(name, (median, threads)) of the best of PyTorch 1.13 and the other peers."""
    sides = {"PyTorch 1.13": torch_runs, **peer_runs}
    return better(((p, best_of(r, better)) for p, r in sides.items()), key=lambda e: e[1])


def report_peers(bench, name, nnc, torch_runs, peer_runs):
    """Each peer's best, nnc's ratio to the best of all, and nnc's share of the FMA peak."""
    for peer, runs in peer_runs.items():
        print(f"  {peer}: best {best_of(runs)[0]:,.0f} img/s ({per_thread(runs, '{:,.0f}')})")
    label, (theirs, their_threads) = best_peer(torch_runs, peer_runs)
    ours, threads = best_of(nnc)
    ceiling = threads * peak_gflops() * 1e3 / MFLOP_PER_IMAGE[name]
    print(f"{bench} vs all peers: nnc {ours:,.0f} img/s ({threads}T), best peer {label} "
          f"{theirs:,.0f} img/s ({their_threads}T), best-peer ratio {ours / theirs:.2f}x; nnc at "
          f"{ours / ceiling:.0%} of the FMA ceiling ({ceiling:,.0f} img/s at {threads}T)")


def run_peer(runs, peer, threads, name, kind="train", batch=64, iters=0):
    """Appends one fresh-process measurement of a peer; False (and a note) if it failed."""
    proc = subprocess.run([PEER_PYTHON, os.path.join(ROOT, "bench", "peers.py"), peer, kind, name,
                           str(threads), str(batch), str(iters)], capture_output=True, text=True)
    if proc.returncode:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {peer} failed (left out from here on): {tail}")
        return False
    runs[peer][threads].append(float(proc.stdout.strip()))
    return True


def choose_peers(spec):
    if spec == "auto":
        if os.path.exists(PEER_PYTHON):
            return PEERS
        print(f"peers (PyTorch 2 eager, torch.compile, JAX) not installed in {PEERS_VENV}: "
              "bench/setup-peers.sh installs them (~5 GB from PyPI)")
        return ()
    chosen = tuple(p for p in spec.split(",") if p)
    unknown = [p for p in chosen if p not in PEERS]
    if unknown:
        sys.exit(f"unknown peers {unknown}; choose from {', '.join(PEERS)}")
    if chosen and not os.path.exists(PEER_PYTHON):
        sys.exit(f"no peers venv at {PEERS_VENV}: run bench/setup-peers.sh first")
    return chosen


def report_inference(bench, name, exe, reps, peers=()):
    """Batch-1 latency (median of 1000 calls) and batch-256 throughput."""
    for batch, iters in ((1, 1000), (256, 100)):
        ours, theirs = {1: [], 2: []}, {1: [], 2: []}
        peer_runs = {peer: {1: [], 2: []} for peer in peers}
        for _ in range(reps):
            for threads in THREADS:
                ours[threads].append(nnc_infer(exe, batch, iters, threads))
                theirs[threads].append(run_isolated(name, threads, "infer", batch, iters))
                for peer in list(peer_runs):
                    if not run_peer(peer_runs, peer, threads, name, "infer", batch, iters):
                        del peer_runs[peer]
        best = min(statistics.median(v) for v in theirs.values())
        mine = min(statistics.median(v) for v in ours.values())
        print(f"  batch {batch} median s/call: nnc {per_thread(ours, '{:.3g}')}, "
              f"PyTorch {per_thread(theirs, '{:.3g}')}")
        if batch == 1:
            print(f"{bench} batch 1: nnc {mine * 1e6:.1f} us, PyTorch best {best * 1e6:.1f} us, "
                  f"latency ratio {mine / best:.2f}x (lower is better)")
        else:
            print(f"{bench} batch {batch}: nnc {batch / mine:,.0f} img/s, PyTorch best "
                  f"{batch / best:,.0f} img/s, ratio {best / mine:.2f}x")
        if not peer_runs:
            continue
        print("  peers: " + "; ".join(f"{p} {per_thread(r, '{:.3g}')}"
                                      for p, r in peer_runs.items()))
        label, (peer_best, _) = best_peer(theirs, peer_runs, min)
        if batch == 1:
            print(f"{bench} batch 1 vs all peers: best {label} {peer_best * 1e6:.1f} us, "
                  f"best-peer latency ratio {mine / peer_best:.2f}x (lower is better)")
        else:
            print(f"{bench} batch {batch} vs all peers: best {label} {batch / peer_best:,.0f} "
                  f"img/s, best-peer ratio {peer_best / mine:.2f}x")


def lockstep_ms(exe, ranks, free=False):
    """bench/lockstep.c's ms per step: 400 steps of 2 fixed chunks of work, run by one
    process or split over `ranks` processes that meet at a barrier after every step
    (free: only at the start and the end)."""
    cmd = [exe, "400", "2"] + (["free"] if free else [])
    if ranks > 1:
        cmd = ["mpirun", "--allow-run-as-root", "-np", str(ranks)] + cmd
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(out.split("ms/step")[1].split()[0])


def every(values, fmt):
    return " ".join(fmt.format(v) for v in values)


def report_data_parallel(bench, exe, workdir, reps):
    """One process against mpirun -np 2, one thread each, alternating; then the ceiling
    the machine itself puts on K=2 (bench/lockstep.c: the same work with no data moved,
    the ranks waiting for each other after every step)."""
    lockstep = os.path.join(workdir, "lockstep")
    subprocess.run(["cc", "-O2", "-march=native", os.path.join(ROOT, "bench", "lockstep.c"),
                    "-o", lockstep, "-l:libmpi.so.40"], check=True)
    for batch in (256, 64):
        runs = {1: [], 2: []}
        for _ in range(reps):
            for ranks in (1, 2):
                runs[ranks].append(nnc_train_epoch(exe, workdir, 1, batch,
                                                   ranks if ranks > 1 else 0))
        one, two = (statistics.median(runs[k]) for k in (1, 2))
        # Each K=2 run against the K=1 run just before it: the host's load drifts from
        # minute to minute, less within a pair.
        paired = statistics.median(b / a for a, b in zip(runs[1], runs[2]))
        print(f"{bench} batch {batch}: K=1 {one:,.0f} img/s, K=2 {two:,.0f} img/s "
              f"(runs K=1 {every(runs[1], '{:,.0f}')}; K=2 {every(runs[2], '{:,.0f}')}), "
              f"speedup {two / one:.2f}x, efficiency {two / (2 * one):.0%}, "
              f"paired speedup (median of the {reps} pairs) {paired:.2f}x")
    runs = {"1": [], "2": [], "2 free": []}
    for _ in range(reps):
        runs["1"].append(lockstep_ms(lockstep, 1))
        runs["2"].append(lockstep_ms(lockstep, 2))
        runs["2 free"].append(lockstep_ms(lockstep, 2, free=True))
    one, two, free = (statistics.median(runs[k]) for k in ("1", "2", "2 free"))
    print(f"lockstep (no communication, a barrier per step of 2 x ~2 ms chunks): K=1 "
          f"{one:.3f} ms/step, K=2 {two:.3f} ms/step, ceiling {one / two:.2f}x "
          f"(runs K=1 {every(runs['1'], '{:.2f}')}; K=2 {every(runs['2'], '{:.2f}')})")
    print(f"the same without the barriers (the cores side by side, never waiting): K=2 "
          f"{free:.3f} ms/step, {one / free:.2f}x (runs {every(runs['2 free'], '{:.2f}')})")


def run_isolated(name, threads, kind="train", batch=64, iters=0):
    """PyTorch in a fresh process, so thread pools don't leak between settings."""
    out = subprocess.run([sys.executable, __file__, "--torch-worker", kind, name,
                          str(threads), str(batch), str(iters)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--torch-worker":
        kind, name, threads, batch, iters = sys.argv[2:]
        if kind == "train":
            print(torch_train_epoch(name, int(threads)))
        else:
            print(torch_infer(name, int(threads), int(batch), int(iters)))
    else:
        main()
