"""Runs nnc's own definitions of the libdevice math functions (NVMathFunctions.mlir.inc, used
in PTX when no libdevice is found) on the CPU: the LLVM-dialect module is translated with
mlir-translate, compiled with llc and linked with with a small C driver, and its results are
compared with NumPy in float64 (the float64 ones within 1e-13 relative: pow's
error grows with |b log a|) over ranges that include the edges (0, inf, NaN, negative
bases). The float functions must be within 1 ulp of the float64 result rounded to float.

Usage: check_math.py NVMathFunctions.mlir.inc WORKDIR
"""
import os
import subprocess
import sys

import numpy as np

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
double __nv_exp(double); double __nv_log(double); double __nv_pow(double, double);
double __nv_sqrt(double); float __nv_expf(float); float __nv_logf(float);
float __nv_sqrtf(float); float __nv_tanhf(float); float __nv_powf(float, float);
int main(int argc, char **argv) {
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  double ab[2];
  while (fread(ab, sizeof ab, 1, in) == 1) {
    double a = ab[0], b = ab[1];
    double r[9] = {__nv_exp(a), __nv_log(a), __nv_pow(a, b), __nv_sqrt(a),
                   __nv_expf((float)a), __nv_logf((float)a), __nv_sqrtf((float)a),
                   __nv_tanhf((float)a), __nv_powf((float)a, (float)b)};
    fwrite(r, sizeof r, 1, out);
  }
  return fclose(out);
}
"""


def main():
    inc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    text = open(inc).read()
    mlir = text[text.index('R"mlir(') + 7:text.rindex(')mlir"')]
    path = lambda f: os.path.join(work, f)
    open(path("math.mlir"), "w").write(mlir)
    open(path("driver.c"), "w").write(DRIVER)
    subprocess.run(["mlir-translate", "--mlir-to-llvmir", path("math.mlir"), "-o",
                    path("math.ll")], check=True)
    subprocess.run(["llc", "-O1", "-relocation-model=pic", "-filetype=obj", path("math.ll"),
                    "-o", path("math.o")], check=True)
    subprocess.run(["cc", "-O1", path("math.o"), path("driver.c"), "-lm", "-o", path("math")],
                   check=True)

    rng = np.random.default_rng(7)
    a = np.concatenate([rng.uniform(-100, 100, 4000), rng.uniform(-1, 1, 4000),
                        np.exp(rng.uniform(-80, 80, 4000)), rng.uniform(0.9, 1.1, 2000),
                        [0.0, -0.0, 1.0, -1.0, 2.0, 1e-30, 1e-300, 700.0, 710.0, -745.0,
                         -800.0, np.inf, -np.inf, np.nan, 88.0, -87.0, 1e-7]])
    b = np.concatenate([rng.uniform(-10, 10, a.size - 17),
                        [2.0, 3.0, 0.5, 3.0, -2.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                         1.0, 1.0, 1.0, 1.0]])
    b[:2000] = np.round(b[:2000])  # integer exponents, also of negative bases
    np.stack([a, b], 1).astype(np.float64).tofile(path("in.bin"))
    subprocess.run([path("math"), path("in.bin"), path("out.bin")], check=True)
    got = np.fromfile(path("out.bin"), np.float64).reshape(-1, 9)

    with np.errstate(all="ignore"):
        af, bf = a.astype(np.float32), b.astype(np.float32)
        f64 = lambda x: x.astype(np.float64)
        want = [np.exp(a), np.log(a), np.power(a, b), np.sqrt(a),
                np.exp(f64(af)), np.log(f64(af)), np.sqrt(f64(af)), np.tanh(f64(af)),
                np.power(f64(af), f64(bf))]
    names = ["exp", "log", "pow", "sqrt", "expf", "logf", "sqrtf", "tanhf", "powf"]
    failed = False
    for i, (name, w) in enumerate(zip(names, want)):
        g = got[:, i]
        if name.endswith("f"):
            with np.errstate(over="ignore"):
                w32, g32 = w.astype(np.float32), g.astype(np.float32)
            # ulps between float results, NaN and inf required to match exactly
            same_special = (np.isnan(w32) == np.isnan(g32)) & \
                ((np.isfinite(w32)) | np.isnan(w32) | (w32 == g32))
            finite = np.isfinite(w32) & np.isfinite(g32)
            ulp = np.zeros_like(g)
            ulp[finite] = np.abs(g32[finite].astype(np.float64) - w[finite]) / \
                np.spacing(np.abs(w32[finite]))
            bad = ~same_special | (ulp > 1.0)
            err = ulp.max()
            unit = "ulp"
        else:
            same_special = (np.isnan(w) == np.isnan(g)) & (np.isfinite(w) | np.isnan(w) | (w == g))
            finite = np.isfinite(w) & np.isfinite(g) & (w != 0)
            rel = np.zeros_like(g)
            rel[finite] = np.abs(g[finite] - w[finite]) / np.abs(w[finite])
            bad = ~same_special | (rel > 1e-13)
            err = rel.max()
            unit = "rel"
        if bad.any():
            j = np.argmax(bad)
            print(f"{name}: at a={a[j]!r} b={b[j]!r}: got {g[j]!r}, expected {w[j]!r}")
            failed = True
        else:
            print(f"{name}: OK, max error {err:.3g} {unit} over {a.size} points")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
