"""Data-parallel training under mpirun (docs/distributed.md), against the single process.

The model of examples/fashion_mnist_mlp.nn, compiled for real, trained on the first 3150
Fashion-MNIST samples (batch 64: 49 full batches and one of 14, so 50 steps per epoch)
with sgd(momentum = 0.9, weight_decay = 0.001) and a 1000-sample test set. The single
process on the same global batches is the reference: nothing in it is data-parallel.

Usage: mpi_train.py MODE WORKDIR, MODE one of
  equal    K = 2 and K = 3 (3 does not divide 64 nor 14): after 50 steps every weight
           within 1e-5 of the single process, the same epoch line (losses to 1e-4)
  resume   under K = 2, 2 epochs straight == 1 epoch, then --load and 1 more (byte-
           identical checkpoints and epoch lines)
  files    each rank in a folder of its own: --save, --log and --log-steps files and the
           epoch lines come from rank 0 alone, the same as the single process's
  failure  a rank with a bad --data folder, and a rank killed by SIGKILL, end the whole
           job quickly with a message naming the rank; predict refuses to run over ranks
  absent   no mpirun: the executable does not link libmpi; under launcher variables with
           libmpi missing it fails with one line; OMPI_COMM_WORLD_SIZE=1 needs no MPI
"""
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resume import ROOT, load_idx  # noqa: E402  (the Fashion-MNIST reader)

COUNT, TEST = 3150, 1000
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
# Under scripts/test.sh --sanitize: Open MPI keeps allocations past MPI_Finalize
# in components whose frames LeakSanitizer cannot name (so no suppression can
# match them); the ranks run without leak checks, still under ASan and UBSan.
if "detect_leaks=1" in os.environ.get("ASAN_OPTIONS", ""):
    MPIRUN += ["-x", "ASAN_OPTIONS=" + os.environ["ASAN_OPTIONS"].replace(
        "detect_leaks=1", "detect_leaks=0")]


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=np.float32).reshape(info["shape"])
    return tensors, header.get("__metadata__", {})


SGD = "sgd(lr = 0.05, momentum = 0.9, weight_decay = 0.001)"


def setup(workdir, optimizer=SGD, name="mlp"):
    os.makedirs(workdir, exist_ok=True)
    x = load_idx("train-images-idx3-ubyte.gz", COUNT + TEST).astype(np.float32) / 255
    y = load_idx("train-labels-idx1-ubyte.gz", COUNT + TEST).astype(np.int32)
    for name, array in [("x", x[:COUNT]), ("y", y[:COUNT]), ("tx", x[COUNT:]),
                        ("ty", y[COUNT:])]:
        np.save(os.path.join(workdir, name + ".npy"), array)
    with open(os.path.join(ROOT, "examples", "fashion_mnist_mlp.nn")) as f:
        source = f.read()
    model = source[:source.index("\ntrain ")]
    src = os.path.join(workdir, name + ".nn")
    with open(src, "w") as f:
        f.write(model + "\n\ntrain FashionMLP {\n  data = npy(\"x.npy\", \"y.npy\")\n"
                "  test = npy(\"tx.npy\", \"ty.npy\")\n  loss = cross_entropy\n"
                f"  optimizer = {optimizer}\n"
                "  batch = 64\n  epochs = 1\n  seed = 7\n  shuffle = true\n}\n")
    exe = os.path.join(workdir, name)
    subprocess.run([os.environ.get("NNC", "nnc"), src, "-o", exe], check=True)
    return exe


def run(cmd, workdir, expect_ok=True, timeout=120):
    r = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    if expect_ok and r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def epoch_lines(stdout):
    return [re.sub(r"\s+time \S+$", "", l) for l in stdout.splitlines()
            if l.startswith("epoch ")]


def train(exe, workdir, ranks, *args, mpi_args=(), stderr=None):
    """Trains with 1 thread per rank; ranks = 0 is the single process (no mpirun).
    mpi_args go to mpirun; stderr, a list, gets the ranks' stderr."""
    cmd = [exe, "train", "--quiet", "--threads", "1", "--data", workdir, *args]
    if ranks:
        cmd = MPIRUN + list(mpi_args) + ["-np", str(ranks)] + cmd
    r = run(cmd, workdir)
    if stderr is not None:
        stderr.append(r.stderr)
    return epoch_lines(r.stdout)


# The two ways the ranks' gradients are summed and applied (runtime/lib/Mpi.h,
# MpiBufferSum; DataParallel.cpp): node shared memory, one copy of the parameters that
# each rank updates its slice of, when every rank is on one node; else MPI_Allreduce and
# every rank updating all of its own copy (forced here with NNRT_MPI_SHARED_SUM=0).
# NNRT_DP_TIMES=1 makes every rank name the way it took.
SUMS = (("node shared memory, updates its slice", ["-x", "NNRT_DP_TIMES=1"]),
        ("MPI_Allreduce, updates all parameters",
         ["-x", "NNRT_DP_TIMES=1", "-x", "NNRT_MPI_SHARED_SUM=0"]))


def numbers(line):
    return [float(v) for v in re.findall(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?", line)]


def equal(exe, workdir):
    ref = train(exe, workdir, 0, "--save", "single.safetensors")
    single, meta = read_safetensors(os.path.join(workdir, "single.safetensors"))
    if meta.get("step") != "50":
        sys.exit(f"single process: step {meta.get('step')}, expected 50")
    for ranks in (2, 3):
        for way, (sums, mpi_args) in enumerate(SUMS):
            name = f"k{ranks}_{way}.safetensors"
            lines = train_summing(exe, workdir, ranks, sums, mpi_args, "--save", name)
            got, gmeta = read_safetensors(os.path.join(workdir, name))
            if gmeta.get("step") != "50" or sorted(got) != sorted(single):
                sys.exit(f"K={ranks}: step {gmeta.get('step')}, tensors {sorted(got)}")
            worst = max(float(np.abs(got[k] - single[k]).max()) for k in single)
            print(f"K={ranks}, sums through {sums}: max |w - w_single| over "
                  f"{len(single)} tensors = {worst:.2e}")
            if not worst <= 1e-5:
                sys.exit(f"K={ranks}: weights differ from the single process by {worst:.3e}")
            if len(lines) != 1 or len(ref) != 1:
                sys.exit(f"K={ranks}: epoch lines {lines}, single process {ref}")
            a, b = numbers(lines[0]), numbers(ref[0])
            if len(a) != len(b) or max(abs(p - q) for p, q in zip(a, b)) > 1e-4:
                sys.exit(f"K={ranks}: epoch line {lines[0]!r} vs single process {ref[0]!r}")
    # Two ranks sum g0 + g1 either way: the same bits.
    with open(os.path.join(workdir, "k2_0.safetensors"), "rb") as f0, \
            open(os.path.join(workdir, "k2_1.safetensors"), "rb") as f1:
        if f0.read() != f1.read():
            sys.exit("K=2: the two ways of summing gave different checkpoints")
    print("K=2: both ways of summing give byte-identical checkpoints")
    # Batch 1574: the epoch ends with a batch of 2 samples, so under K = 3 rank 0's slice
    # of it is empty.
    train(exe, workdir, 0, "--batch", "1574", "--save", "single_b.safetensors")
    a, _ = read_safetensors(os.path.join(workdir, "single_b.safetensors"))
    for way, (sums, mpi_args) in enumerate(SUMS):
        name = f"k3_b{way}.safetensors"
        train_summing(exe, workdir, 3, sums, mpi_args, "--batch", "1574", "--save", name)
        b, meta = read_safetensors(os.path.join(workdir, name))
        worst = max(float(np.abs(a[k] - b[k]).max()) for k in a)
        print(f"K=3, a last batch of 2, sums through {sums}: max |w - w_single| = "
              f"{worst:.2e}")
        if meta.get("step") != "3" or not worst <= 1e-5:
            sys.exit(f"K=3 with an empty slice: step {meta.get('step')}, "
                     f"difference {worst:.3e}")
    # AdamW (two states a parameter, bias corrections from the step, decoupled decay)
    # through both ways, K = 2.
    adamw = setup(workdir, "adamw(lr = 0.001, weight_decay = 0.01)", "mlp_adamw")
    train(adamw, workdir, 0, "--save", "adamw_single.safetensors")
    single, _ = read_safetensors(os.path.join(workdir, "adamw_single.safetensors"))
    saved = []
    for way, (sums, mpi_args) in enumerate(SUMS):
        name = f"adamw_k2_{way}.safetensors"
        train_summing(adamw, workdir, 2, sums, mpi_args, "--save", name)
        got, _ = read_safetensors(os.path.join(workdir, name))
        worst = max(float(np.abs(got[k] - single[k]).max()) for k in single)
        print(f"AdamW, K=2, sums through {sums}: max |w - w_single| = {worst:.2e}")
        if not worst <= 1e-5:
            sys.exit(f"AdamW K=2: weights differ from the single process by {worst:.3e}")
        with open(os.path.join(workdir, name), "rb") as f:
            saved.append(f.read())
    if saved[0] != saved[1]:
        sys.exit("AdamW K=2: the two ways of summing gave different checkpoints")
    print("equal OK: K=2 and K=3 match the single process within 1e-5 after 50 steps")


def train_summing(exe, workdir, ranks, sums, mpi_args, *args):
    """train() under mpirun, failing unless every rank summed the way named."""
    errors = []
    lines = train(exe, workdir, ranks, *args, mpi_args=mpi_args, stderr=errors)
    used = errors[0].count(f"sums through {sums},")
    if used != ranks:
        sys.exit(f"K={ranks}: {used} of {ranks} ranks summed through {sums}:\n{errors[0]}")
    return lines


def resume(exe, workdir):
    straight = train(exe, workdir, 2, "--epochs", "2", "--save", "a.safetensors")
    first = train(exe, workdir, 2, "--epochs", "1", "--save", "b1.safetensors")
    second = train(exe, workdir, 2, "--load", "b1.safetensors", "--epochs", "1",
                   "--save", "b2.safetensors")
    a, ma = read_safetensors(os.path.join(workdir, "a.safetensors"))
    b1, _ = read_safetensors(os.path.join(workdir, "b1.safetensors"))
    b2, mb = read_safetensors(os.path.join(workdir, "b2.safetensors"))
    if ma.get("step") != "100" or mb.get("step") != "100":
        sys.exit(f"steps {ma.get('step')}, {mb.get('step')}; expected 100")
    if all(np.array_equal(a[k], b1[k]) for k in a):
        sys.exit("1 and 2 epochs saved the same weights (no training?)")
    diff = [k for k in a if a[k].tobytes() != b2[k].tobytes()]
    if diff:
        sys.exit(f"resumed run differs from the straight one in {diff}")
    if straight != first + second:
        sys.exit(f"epoch lines differ: {straight} vs {first + second}")
    print("resume OK: under K=2, 2 epochs straight == 1 + 1 (bit-identical tensors)")


def files(exe, workdir):
    single = run([exe, "train", "--threads", "1", "--data", workdir, "--epochs", "2"],
                 workdir)
    ref = epoch_lines(single.stdout)
    for r in range(2):
        os.makedirs(os.path.join(workdir, f"rank{r}"), exist_ok=True)
    # Every rank runs in its own folder, so a file written by rank 1 would show.
    script = (f'cd {workdir}/rank$OMPI_COMM_WORLD_RANK && exec {exe} train --threads 1 '
              f'--data {workdir} --epochs 2 --save w.safetensors --log log.csv '
              f'--log-steps steps.csv')
    r = run(MPIRUN + ["-np", "2", "sh", "-c", script], workdir)
    made = {r: sorted(os.listdir(os.path.join(workdir, f"rank{r}"))) for r in range(2)}
    print("files:", made)
    if made[0] != ["log.csv", "steps.csv", "w.safetensors"] or made[1]:
        sys.exit(f"rank 0 should write all three files and rank 1 none: {made}")
    if len(epoch_lines(r.stdout)) != 2:
        sys.exit(f"epoch lines printed {len(epoch_lines(r.stdout))} times, expected 2")
    with open(os.path.join(workdir, "rank0", "log.csv")) as f:
        rows = f.read().strip().splitlines()
    with open(os.path.join(workdir, "rank0", "steps.csv")) as f:
        steps = f.read().strip().splitlines()
    if len(rows) != 3 or len(steps) != 101 or steps[-1].split(",")[0] != "100":
        sys.exit(f"log rows {len(rows)}, step rows {len(steps)}")
    # Progress lines (stderr, not a terminal): as many as one process prints.
    progress = [len(re.findall(r"^epoch \d+: ", x.stderr, re.M)) for x in (r, single)]
    if progress[0] != progress[1]:
        sys.exit(f"{progress[0]} progress lines, one process prints {progress[1]}")
    ours = [numbers(l) for l in epoch_lines(r.stdout)]
    theirs = [numbers(l) for l in ref]
    if any(abs(p - q) > 1e-4 for a, b in zip(ours, theirs) for p, q in zip(a, b)):
        sys.exit(f"epoch lines {epoch_lines(r.stdout)} vs single process {ref}")
    print("files OK: rank 0 alone writes the checkpoint, the logs and the epoch lines")


def failure(exe, workdir):
    bad = os.path.join(workdir, "missing")
    script = (f'if [ $OMPI_COMM_WORLD_RANK = 1 ]; then d={bad}; else d={workdir}; fi; '
              f'exec {exe} train --quiet --threads 1 --epochs 50 --data $d')
    r = run(["timeout", "60"] + MPIRUN + ["-np", "2", "sh", "-c", script], workdir,
            expect_ok=False)
    errors = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    print("bad data on rank 1: exit", r.returncode, errors)
    if r.returncode in (0, 124) or not errors or "rank 1 of 2" not in errors[0]:
        sys.exit(f"bad data on rank 1: exit {r.returncode}\n{r.stderr}")

    # Rank 1 is killed while rank 0 waits for it in the all-reduce.
    script = (f'if [ $OMPI_COMM_WORLD_RANK = 1 ]; then (sleep 2; kill -9 $$) & fi; '
              f'exec {exe} train --quiet --threads 1 --epochs 1000 --data {workdir}')
    r = run(["timeout", "60"] + MPIRUN + ["-np", "2", "sh", "-c", script], workdir,
            expect_ok=False)
    said = [l.strip() for l in r.stderr.splitlines() if "rank 1" in l]
    print("rank 1 killed: exit", r.returncode, said[:1])
    if r.returncode in (0, 124) or not said:
        sys.exit(f"killed rank: exit {r.returncode}\n{r.stderr}")

    # No node shared memory for the sums (Open MPI told to back its windows by a folder
    # that does not exist): one error naming the rank and the way around it.
    r = run(["timeout", "60"] + MPIRUN + ["--mca", "osc_sm_backing_directory",
                                          os.path.join(workdir, "no-such-dir"), "-np", "2",
                                          exe, "train", "--quiet", "--threads", "1",
                                          "--data", workdir], workdir, expect_ok=False)
    errors = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    print("no shared memory: exit", r.returncode, errors[:1])
    if r.returncode in (0, 124) or not errors or "NNRT_MPI_SHARED_SUM=0" not in errors[0]:
        sys.exit(f"no shared memory: exit {r.returncode}\n{r.stderr}")

    r = run(MPIRUN + ["-np", "2", exe, "predict", "--load", "x", "--input", "x.npy",
                      "--output", "o.npy"], workdir, expect_ok=False)
    if r.returncode == 0 or "runs in one process" not in r.stderr:
        sys.exit(f"predict under mpirun: exit {r.returncode}\n{r.stderr}")
    print("failure OK: every failure ended the job with a message naming the rank")


def absent(exe, workdir):
    ldd = run(["ldd", exe], workdir).stdout
    if "libmpi" in ldd:
        sys.exit(f"the executable links libmpi:\n{ldd}")
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0",
               NNRT_LIBMPI=os.path.join(workdir, "no", "libmpi.so.40"))
    r = subprocess.run([exe, "train", "--quiet", "--data", workdir], cwd=workdir, env=env,
                       capture_output=True, text=True, timeout=60)
    print("libmpi missing:", r.returncode, r.stderr.strip())
    if r.returncode != 1 or len(r.stderr.strip().splitlines()) != 1 or \
            "MPI launcher (OMPI_COMM_WORLD_SIZE=2)" not in r.stderr:
        sys.exit(f"libmpi missing: exit {r.returncode}\n{r.stderr}")
    env["OMPI_COMM_WORLD_SIZE"] = "1"
    r = subprocess.run([exe, "train", "--quiet", "--threads", "1", "--data", workdir],
                       cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or len(epoch_lines(r.stdout)) != 1:
        sys.exit(f"a job of one process: exit {r.returncode}\n{r.stderr}")
    print("absent OK: no libmpi linked; one clear error when a launcher asks for it")


def main():
    mode, workdir = sys.argv[1], sys.argv[2]
    exe = setup(workdir)
    {"equal": equal, "resume": resume, "files": files, "failure": failure,
     "absent": absent}[mode](exe, workdir)


if __name__ == "__main__":
    main()
