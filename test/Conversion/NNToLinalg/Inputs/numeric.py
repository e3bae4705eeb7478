"""Runs nn test functions on random inputs and compares them with PyTorch.

A test file holds functions preceded by `// REF: <expr>`, a PyTorch
expression of the arguments a, b, c, ... (torch tensors). Optional lines
before the function: `// RANGE: lo hi` for float inputs (default -2 2),
`// INTS: hi` for i32 inputs drawn from [0, hi) (default 3), `// TOL: atol`,
`// ROUND: yes` to round float inputs to integers (ties for argmax/max).
A dynamic dimension gets size 3.

  numeric.py driver FILE   prints FILE plus a @main that calls and prints
                           every REF function (for mlir-runner)
  numeric.py check FILE    reads the runner's output on stdin and prints
                           `OK name maxdiff=...` or `FAIL name ...`
"""
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

DYN = 3
FUNC = re.compile(r"func\.func @(\w+)\((.*?)\)\s*->\s*(tensor<[^>]*>)", re.S)
TENSOR = re.compile(r"tensor<([^>]*)>")


def parse_type(text):
    parts = text.split("x")
    dims = [DYN if d == "?" else int(d) for d in parts[:-1]]
    return dims, parts[-1]


def cases(path):
    """Yields (name, directives, [(dims, elt, text)], result type text)."""
    src = open(path).read()
    for m in FUNC.finditer(src):
        before = src[: m.start()].rsplit("}", 1)[-1]
        opts = dict(re.findall(r"// (REF|RANGE|INTS|TOL): (.*)", before))
        if "REF" not in opts:
            continue
        args = [(*parse_type(t), f"tensor<{t}>") for t in TENSOR.findall(m.group(2))]
        yield m.group(1), opts, args, m.group(3)


def inputs(name, opts, args):
    rng = np.random.default_rng(sum(map(ord, name)))
    lo, hi = map(float, opts.get("RANGE", "-2 2").split())
    vals = []
    for dims, elt, _ in args:
        if elt == "i32":
            vals.append(rng.integers(0, int(opts.get("INTS", "3")), dims).astype(np.int32))
        else:
            v = rng.uniform(lo, hi, dims)
            vals.append((np.round(v) if "ROUND" in opts else v).astype(np.float32))
    return vals


def literal(arr):
    if arr.ndim == 0:
        return fmt(arr.item(), arr.dtype)
    return "[" + ", ".join(literal(x) for x in arr) + "]"


def fmt(v, dtype):
    return str(int(v)) if dtype == np.int32 else "%.8e" % v


def static(text):
    return text.replace("?", str(DYN))


def driver(path):
    print(open(path).read())
    print("func.func private @printMemrefF32(memref<*xf32>)")
    print("func.func private @printMemrefI32(memref<*xi32>)")
    print("func.func @main() {")
    for i, (name, opts, args, res) in enumerate(cases(path)):
        names = []
        for j, (arr, (dims, elt, ty)) in enumerate(zip(inputs(name, opts, args), args)):
            v = f"%a{i}_{j}"
            print(f"  {v}s = arith.constant dense<{literal(arr)}> : {static(ty)}")
            print(f"  {v} = tensor.cast {v}s : {static(ty)} to {ty}")
            names.append(v)
        types = ", ".join(t for _, _, t in args)
        elt = parse_type(TENSOR.match(res).group(1))[1]
        mem = res.replace("tensor", "memref")
        print(f"  %r{i} = call @{name}({', '.join(names)}) : ({types}) -> {res}")
        print(f"  %m{i} = bufferization.to_buffer %r{i} : {res} to {mem}")
        print(f"  %u{i} = memref.cast %m{i} : {mem} to memref<*x{elt}>")
        print(f"  call @printMemref{elt.upper()}(%u{i}) : (memref<*x{elt}>) -> ()")
    print("  return\n}")


NUMBER = re.compile(r"-?(?:nan|inf|\d+(?:\.\d*)?(?:e[-+]?\d+)?)")


def check(path):
    blocks = sys.stdin.read().split("Unranked Memref")[1:]
    all_cases = list(cases(path))
    if len(blocks) != len(all_cases):
        print(f"FAIL: {len(blocks)} outputs for {len(all_cases)} cases")
    for block, (name, opts, args, res) in zip(blocks, all_cases):
        got = np.array([float(x) for x in NUMBER.findall(block.split("data =", 1)[1])])
        env = {"torch": torch, "F": F, "np": np}
        for letter, arr in zip("abcdefgh", inputs(name, opts, args)):
            env[letter] = torch.from_numpy(arr)
        want = np.asarray(eval(opts["REF"], env), dtype=np.float64).reshape(-1)
        atol = float(opts.get("TOL", "1e-5"))
        if got.shape != want.shape:
            print(f"FAIL {name}: {got.size} values, expected {want.size}")
            continue
        diff = np.abs(got - want)
        ok = np.all((diff <= atol + 1e-4 * np.abs(want)) | (np.isnan(got) & np.isnan(want)))
        maxdiff = np.nanmax(diff) if diff.size else 0.0
        print(f"{'OK' if ok else 'FAIL'} {name} maxdiff={maxdiff:.3g}")
        if not ok:
            print("  got ", got.tolist(), "\n  want", want.tolist())


if __name__ == "__main__":
    {"driver": driver, "check": check}[sys.argv[1]](sys.argv[2])
