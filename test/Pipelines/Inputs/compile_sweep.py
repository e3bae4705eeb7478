"""Compiles a training model for every pair of small matmul dimensions (below, at and above
the register tiles) to an object, each under a 4 GiB memory limit and a time limit, so that
a pattern rewrite that never terminates fails here instead of exhausting the machine.

Usage: compile_sweep.py WORKDIR
"""
import os
import resource
import subprocess
import sys

SIZES = [1, 2, 3, 5, 9, 17, 33]
LIMIT = 4 << 30


def limit():
    # A sanitized nnc (scripts/test.sh --sanitize) reserves terabytes of
    # address space for ASan's shadow; there only the time limit holds.
    if "ASAN_OPTIONS" not in os.environ:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    failed = 0
    for k in SIZES:
        for n in SIZES:
            src = os.path.join(work, f"m{k}x{n}.nn")
            with open(src, "w") as f:
                f.write(f"model M(x: f32[N, {k}]) -> f32[N, {n}] {{\n  return dense(x, {n})\n}}\n"
                        "train M {\n  data = npy(\"x.npy\", \"y.npy\")\n  loss = mse\n}\n")
            try:
                r = subprocess.run(["nnc", src, "--emit=obj", "-o", src + ".o"],
                                   preexec_fn=limit, capture_output=True, text=True, timeout=120)
                ok = r.returncode == 0 and not r.stderr
                why = r.stderr.strip().splitlines()[:1]
            except subprocess.TimeoutExpired:
                ok, why = False, ["timed out"]
            if not ok:
                failed += 1
                print(f"[N,{k}] @ [{k},{n}]: FAILED {why}")
    print(f"{len(SIZES) ** 2 - failed} of {len(SIZES) ** 2} shapes compiled")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
