"""Checks @gradients and @train_step of a model against PyTorch autograd.

The test file holds one model function (`nn.model`, `nn.train`) preceded by
  // TORCH: <PyTorch expression of the model's output>, using the MLIR
             argument names of the model (`%x` is `x`) as torch tensors
  // OPTIM: <torch.optim constructor over the list P of parameters>  (train)
  // LR: <learning rate passed to @train_step>                       (train)
  // NSLOTS: <optimizer state slots per parameter>                   (train)
  // TOL: <absolute tolerance, default 1e-5>
  // SCALE: <the loss scale passed to @gradients, default 1>        (grad)
A dynamic dimension gets size 3. Inputs are uniform in [-2, 2], parameters
in [-1, 1], cross_entropy labels in [0, C).

  gradcheck.py driver grad|train FILE BUILT  prints BUILT (FILE after the
      passes, a module) with a @main added that calls @gradients once, or
      @train_step for steps 1 and 2, and prints the results
  gradcheck.py check grad|train FILE   reads the runner output on stdin and
      prints `OK <result> maxdiff=...` or `FAIL <result> ...` per result
"""
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

DYN = 3
ARG = re.compile(r"%(\w+): tensor<([^>]*)>\s*\{([^}]*)")


def parse(path):
    src = open(path).read()
    m = re.search(r"func\.func @\w+\((.*?)\)\s*->\s*tensor<([^>]*)>", src, re.S)
    args = []
    for name, ty, attrs in ARG.findall(m.group(1)):
        parts = ty.split("x")
        dims = [DYN if d == "?" else int(d) for d in parts[:-1]]
        args.append((name, dims, ty, "nn.param" in attrs))
    out = [DYN if d == "?" else int(d) for d in m.group(2).split("x")[:-1]]
    opts = dict(re.findall(r"// (TORCH|OPTIM|LR|TOL|SCALE): (.*)", src))
    loss = re.search(r'loss = (\w+)', src).group(1)
    return src, args, out, loss, opts


def values(args, out, loss):
    rng = np.random.default_rng(7)
    vals = [rng.uniform(-1 if p else -2, 1 if p else 2, d).astype(np.float32)
            for _, d, _, p in args]
    if loss == "cross_entropy":
        target = rng.integers(0, out[1], [out[0]]).astype(np.int32)
    else:
        target = rng.uniform(-1, 1, out).astype(np.float32)
    return vals, target


def literal(arr):
    if arr.ndim == 0:
        return str(int(arr)) if arr.dtype == np.int32 else "%.9e" % arr
    return "[" + ", ".join(literal(x) for x in arr) + "]"


def strip_nn_attributes(text):
    """Drops `nn.x = #nn.y<...>` entries: mlir-runner does not know the nn
    dialect (nnc drops them before LLVM IR too)."""
    out, i = [], 0
    for m in re.finditer(r"(, )?nn\.\w+ = #nn\.\w+<", text):
        if m.start() < i:
            continue
        depth, j = 1, m.end()
        while depth:
            depth += {"<": 1, ">": -1}.get(text[j], 0)
            j += 1
        out.append(text[i:m.start()])
        i = j
    out.append(text[i:])
    return "".join(out).replace("{, ", "{")


def driver(mode, path, built):
    src, args, out, loss, opts = parse(path)
    vals, target = values(args, out, loss)
    inputs = [a for a in args if not a[3]]
    params = [a for a in args if a[3]]
    ttype = "?xi32" if loss == "cross_entropy" else "x".join(
        "?" if i == 0 else str(d) for i, d in enumerate(out)) + "xf32"
    module = strip_nn_attributes(open(built).read().rstrip())
    assert module.endswith("}")
    print(module[:-1])
    print("func.func private @printMemrefF32(memref<*xf32>)")
    print("func.func @main() {")
    names, types = [], []

    def const(name, arr, ty):
        static = ty.replace("?", str(DYN))
        print(f"  %{name}s = arith.constant dense<{literal(arr)}> : tensor<{static}>")
        print(f"  %{name} = tensor.cast %{name}s : tensor<{static}> to tensor<{ty}>")
        names.append("%" + name)
        types.append(f"tensor<{ty}>")

    for (name, _, ty, p), v in zip(args, vals):
        if not p:
            const(name, v, ty)
    const("target", target, ttype)
    for (name, _, ty, p), v in zip(args, vals):
        if p:
            const(name, v, ty)
    ptypes = [f"tensor<{ty}>" for _, _, ty, _ in params]
    if mode == "grad":
        rtypes = ["tensor<f32>"] + ptypes
        scale = float(opts.get("SCALE", "1"))
        print("  %step0 = arith.constant dense<0.0> : tensor<f32>")
        print(f"  %scale = arith.constant dense<{scale!r}> : tensor<f32>")
        print(f"  %r:{len(rtypes)} = call @gradients({', '.join(names)}, %step0, %scale) : "
              f"({', '.join(types + ['tensor<f32>'] * 2)}) -> ({', '.join(rtypes)})")
    else:
        nslots = int(re.search(r"NSLOTS: (\d+)", src).group(1))
        stypes = [t for t in ptypes for _ in range(nslots)]
        for i, t in enumerate(stypes):
            print(f"  %s{i} = arith.constant dense<0.0> : {t}")
        print(f"  %lr = arith.constant dense<{opts['LR']}> : tensor<f32>")
        print("  %step1 = arith.constant dense<1.0> : tensor<f32>")
        print("  %step2 = arith.constant dense<2.0> : tensor<f32>")
        rtypes = ["tensor<f32>"] + ptypes + stypes
        sig = (f"({', '.join(types + stypes + ['tensor<f32>', 'tensor<f32>'])})"
               f" -> ({', '.join(rtypes)})")
        data = names[: len(inputs) + 1]
        states = [f"%s{i}" for i in range(len(stypes))]
        print(f"  %q:{len(rtypes)} = call @train_step({', '.join(data + names[len(inputs) + 1:] + states)}, %lr, %step1) : {sig}")
        newp = [f"%q#{1 + i}" for i in range(len(params))]
        news = [f"%q#{1 + len(params) + i}" for i in range(len(stypes))]
        print(f"  %r:{len(rtypes)} = call @train_step({', '.join(data + newp + news)}, %lr, %step2) : {sig}")
    for i, t in enumerate(rtypes):
        mem = t.replace("tensor", "memref")
        print(f"  %m{i} = bufferization.to_buffer %r#{i} : {t} to {mem}")
        print(f"  %u{i} = memref.cast %m{i} : {mem} to memref<*xf32>")
        print(f"  call @printMemrefF32(%u{i}) : (memref<*xf32>) -> ()")
    print("  return\n}\n}")


def reference(mode, path):
    src, args, out, loss, opts = parse(path)
    vals, target = values(args, out, loss)
    env = {"torch": torch, "F": F}
    params = []
    for (name, _, _, p), v in zip(args, vals):
        env[name] = torch.from_numpy(v.copy()).requires_grad_(p)
        if p:
            params.append(env[name])
    t = torch.from_numpy(target)

    def loss_fn():
        y = eval(opts["TORCH"], env)
        if loss == "cross_entropy":
            return F.cross_entropy(y, t.long())
        return F.mse_loss(y, t)

    if mode == "grad":
        l = loss_fn() * float(opts.get("SCALE", "1"))
        grads = torch.autograd.grad(l, params, allow_unused=True)
        return [("loss", l)] + [(f"grad {a[0]}", g if g is not None else torch.zeros_like(p))
                                for a, g, p in zip([a for a in args if a[3]], grads, params)]
    opt = eval(opts["OPTIM"], {**env, "P": params})
    for _ in range(2):
        opt.zero_grad()
        l = loss_fn()
        l.backward()
        opt.step()
    names = [a[0] for a in args if a[3]]
    res = [("loss", l)] + [(f"param {n}", p) for n, p in zip(names, params)]
    for n, p in zip(names, params):
        for k, v in opt.state[p].items():
            if k != "step" and v is not None:
                res.append((f"state {n}.{k}", v))
    return res


NUMBER = re.compile(r"-?(?:nan|inf|\d+(?:\.\d*)?(?:e[-+]?\d+)?)")


def check(mode, path):
    atol = float(parse(path)[4].get("TOL", "1e-5"))
    blocks = sys.stdin.read().split("Unranked Memref")[1:]
    want_all = reference(mode, path)
    if len(blocks) != len(want_all):
        print(f"FAIL: {len(blocks)} results, expected {len(want_all)}")
    for block, (name, want) in zip(blocks, want_all):
        got = np.array([float(x) for x in NUMBER.findall(block.split("data =", 1)[1])])
        want = want.detach().numpy().astype(np.float64).reshape(-1)
        diff = np.abs(got - want) if got.shape == want.shape else np.array([np.inf])
        ok = np.all(diff <= atol + 1e-4 * np.abs(want))
        print(f"{'OK' if ok else 'FAIL'} {name} maxdiff={diff.max():.3g}")
        if not ok:
            print("  got ", got.tolist(), "\n  want", want.tolist())


if __name__ == "__main__":
    {"driver": driver, "check": check}[sys.argv[1]](*sys.argv[2:])
