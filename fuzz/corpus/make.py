#!/usr/bin/env python3
"""Writes the seed corpora of the runtime's fuzz targets (fuzz/runtime):
small valid files of each format and a few broken ones, each under 4 KiB.

    fuzz/corpus/make.py            # rewrites fuzz/corpus/{idx,csv,npy,safetensors}
                                   # and the hand-written manifests
    fuzz/corpus/make.py build/bin/nnc  # and the examples' manifests

The files are committed; rerun this after changing it. Plain Python (no
NumPy), gzip with mtime 0, so the output is the same on every machine. The
manifests of the examples (fuzz/corpus/manifest/example-*) are what nnc
embeds in the executables it builds from examples/*.nn (read from its LLVM
IR), with the examples' folder written as "examples".
"""
import gzip
import json
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))


def write(fmt, name, data):
    os.makedirs(os.path.join(ROOT, fmt), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 4096, name
    with open(os.path.join(ROOT, fmt, name), "wb") as f:
        f.write(data)


def gz(data):
    if isinstance(data, str):
        data = data.encode()
    return gzip.compress(data, mtime=0)


# IDX: 0 0 TYPE RANK, big-endian u32 dimensions, big-endian elements.
IDX_TYPES = {"u8": (0x08, ">B"), "i32": (0x0C, ">i"), "f32": (0x0D, ">f"),
             "f64": (0x0E, ">d"), "i8": (0x09, ">b")}


def idx(dtype, shape, values):
    code, fmt = IDX_TYPES[dtype]
    out = bytes([0, 0, code, len(shape)]) + b"".join(
        struct.pack(">I", d) for d in shape)
    return out + b"".join(struct.pack(fmt, v) for v in values)


images = idx("u8", [3, 2, 2], [0, 255, 128, 7] * 3)
labels = idx("u8", [3], [0, 9, 1])
write("idx", "images-u8-3x2x2", images)
write("idx", "labels-u8-3", labels)
write("idx", "images-u8.gz", gz(images))
write("idx", "labels-u8.gz", gz(labels))
write("idx", "f32-2x3", idx("f32", [2, 3], [0.5, -1.0, 3.25, 1e-3, 0.0, 7.0]))
write("idx", "f64-4", idx("f64", [4], [1.0, -2.5, 1e300, 0.0]))
write("idx", "i32-2x2", idx("i32", [2, 2], [1, -1, 2147483647, 0]))
write("idx", "u8-rank8", idx("u8", [1] * 7 + [2], [1, 2]))
write("idx", "empty-u8-0x5", idx("u8", [0, 5], []))
write("idx", "bad-magic", b"\x01\x02" + images[2:])
write("idx", "bad-type-i8", idx("i8", [2], [-1, 1]))
write("idx", "bad-truncated", images[:-3])
write("idx", "bad-trailing", labels + b"\x00\x00")
write("idx", "bad-rank0", bytes([0, 0, 8, 0]))
write("idx", "bad-f32-nan", idx("f32", [2], [float("nan"), 1.0]))
write("idx", "bad-gzip-truncated.gz", gz(images)[:-6])

# CSV: the label column is last unless the model says otherwise.
write("csv", "header.csv", "a,b,label\n1,2,0\n3,4,1\n0.5,-1e-3,2\n")
write("csv", "no-header.csv", "1,2,0\n3,4,1\n5,6,1\n")
write("csv", "crlf-quoted.csv",
      '"x","y","z"\r\n"1.5", 2 ,3\r\n\r\n4,  5.25e2,6\r\n')
write("csv", "one-column.csv", "1\n2\n3\n")
write("csv", "no-final-newline.csv", "1,2,3\n4,5,6")
write("csv", "digits.csv.gz", gz("".join(
    ",".join(str((r * 7 + c) % 17) for c in range(9)) + "\n"
    for r in range(40))))
write("csv", "bad-ragged.csv", "1,2,3\n4,5\n")
write("csv", "bad-nan.csv", "1,2,0\nnan,3,1\n")
write("csv", "bad-overflow.csv", "1,2,0\n1e999,3,1\n")
write("csv", "bad-text.csv", "1,2,0\n3,four,1\n")
write("csv", "bad-empty-field-first-row.csv", "1,,0\n3,4,1\n")
write("csv", "bad-header-only.csv", "a,b,label\n")
write("csv", "bad-nul.csv", "1,2\x00,3\n")

# .npy: magic, version, header length, a Python dict literal padded to 64.
def npy(descr, shape, payload, version=1, fortran=False, header=None):
    if header is None:
        dims = "".join("%d," % d for d in shape) if len(shape) == 1 else \
            ", ".join(str(d) for d in shape)
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
            descr, "True" if fortran else "False", dims)
    lensize = 2 if version == 1 else 4
    total = 6 + 2 + lensize + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    head = b"\x93NUMPY" + bytes([version, 0]) + (
        struct.pack("<H", len(header)) if version == 1 else
        struct.pack("<I", len(header)))
    return head + header.encode("latin1") + payload


def pack(fmt, values):
    return b"".join(struct.pack(fmt, v) for v in values)


write("npy", "f32-2x3.npy", npy("<f4", [2, 3], pack("<f", range(6))))
write("npy", "f64-3.npy", npy("<f8", [3], pack("<d", [0.25, -1.0, 1e-300])))
write("npy", "i32-2x2.npy", npy("<i4", [2, 2], pack("<i", [1, -2, 3, -4])))
write("npy", "i64-2.npy", npy("<i8", [2], pack("<q", [2**40, -1])))
write("npy", "u8-4x1.npy", npy("|u1", [4, 1], bytes([0, 1, 254, 255])))
write("npy", "scalar.npy", npy("<f4", [], pack("<f", [3.5])))
write("npy", "empty-0x3.npy", npy("<f4", [0, 3], b""))
write("npy", "v2-f32-5.npy", npy("<f4", [5], pack("<f", [2.0] * 5), version=2))
write("npy", "v3-u8-2.npy", npy("<u1", [2], b"\x01\x02", version=3))
write("npy", "bad-fortran.npy",
      npy("<f4", [2, 3], pack("<f", range(6)), fortran=True))
write("npy", "bad-big-endian.npy", npy(">f4", [2], pack(">f", [1, 2])))
write("npy", "bad-complex.npy", npy("<c8", [1], b"\0" * 8))
write("npy", "bad-truncated.npy", npy("<f4", [2, 3], pack("<f", range(5))))
write("npy", "bad-huge-shape.npy",
      npy("<f8", [2**40, 2**30], b"\0" * 16))
write("npy", "bad-inf.npy", npy("<f4", [2], pack("<f", [float("inf"), 0])))
write("npy", "bad-no-shape.npy", npy("<f4", [1], b"\0" * 4,
                                     header="{'descr': '<f4', "
                                     "'fortran_order': False, }"))
write("npy", "bad-version9.npy",
      b"\x93NUMPY\x09\x00" + npy("<f4", [1], b"\0" * 4)[8:])


# safetensors: u64 header length, a JSON header, the data.
def safetensors(tensors, metadata=None, raw_header=None):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = raw_header if raw_header is not None else json.dumps(
        header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


# The fuzz target loads these as checkpoints of a model with dense.w f32[4,3],
# dense.b f32[3] and momentum SGD (fuzz/runtime/safetensors_fuzz.cpp).
w = ("dense.w", "F32", [4, 3], pack("<f", [i / 10 for i in range(12)]))
b = ("dense.b", "F32", [3], pack("<f", [0.0, 0.5, -0.5]))
mw = ("optimizer.dense.w.momentum", "F32", [4, 3], pack("<f", [0.0] * 12))
mb = ("optimizer.dense.b.momentum", "F32", [3], pack("<f", [0.0] * 3))
meta = {"format": "nnc", "model": "M", "optimizer": "sgd", "step": "12",
        "epoch": "1", "seed": "1", "batch": "2"}
write("safetensors", "weights.safetensors", safetensors([w, b]))
write("safetensors", "checkpoint.safetensors",
      safetensors([w, b, mw, mb], meta))
write("safetensors", "checkpoint-mid-epoch.safetensors", safetensors(
    [w, b, mw, mb], dict(meta, epoch_samples="4", epoch_loss_sum="2.5")))
write("safetensors", "checkpoint.safetensors.gz",
      gz(safetensors([w, b, mw, mb], meta)))
write("safetensors", "dtypes.safetensors", safetensors([
    ("f64", "F64", [2], pack("<d", [1.5, -2])),
    ("i32", "I32", [2, 1], pack("<i", [7, -7])),
    ("i64", "I64", [1], pack("<q", [2**33])),
    ("u8", "U8", [3], b"\x00\x80\xff"),
    ("f16", "F16", [2], b"\x00\x3c\x00\xc0"),
    ("bf16", "BF16", [1], b"\x80\x3f"),
    ("scalar", "F32", [], pack("<f", [1.0])),
    ("empty", "F32", [0, 4], b"")], {"note": "dtypes"}))
write("safetensors", "empty.safetensors", safetensors([]))
write("safetensors", "bad-missing-param.safetensors", safetensors([w]))
write("safetensors", "bad-wrong-shape.safetensors", safetensors(
    [("dense.w", "F32", [3, 4], w[3]), b]))
write("safetensors", "bad-extra-tensor.safetensors",
      safetensors([w, b, ("other", "F32", [1], b"\0" * 4)]))
write("safetensors", "bad-state-no-step.safetensors",
      safetensors([w, b, mw, mb], {"format": "nnc"}))
write("safetensors", "bad-nan-weight.safetensors", safetensors(
    [("dense.w", "F32", [4, 3], pack("<f", [float("nan")] * 12)), b]))
write("safetensors", "bad-offsets.safetensors", safetensors([], raw_header=(
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}')))
write("safetensors", "bad-duplicate.safetensors", safetensors([], raw_header=(
    '{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},'
    '"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}')))
write("safetensors", "bad-json.safetensors",
      safetensors([], raw_header='{"a":{"dtype":"F32",'))
write("safetensors", "bad-header-length.safetensors",
      struct.pack("<Q", 2**40) + b"{}")

# Manifests by hand (docs/design.md, "Manifest"), next to the examples'.
def manifest(**parts):
    return json.dumps(dict(format="nnc-manifest", version=2, **parts),
                      indent=1)


def tensor(dtype, shape, **more):
    return dict(more, dtype=dtype, shape=shape)


write("manifest", "classifier", manifest(
    model="Classifier", inputs=[tensor("f32", [-1, 784], name="x")],
    outputs=[tensor("f32", [-1, 10])],
    params=[tensor("f32", [784, 256], name="dense.w",
                   init=dict(kind="glorot_uniform", fan_in=784,
                             fan_out=256)),
            tensor("f32", [256], name="dense.b", init=dict(kind="zeros"))],
    train=dict(batch=64, epochs=2, loss="cross_entropy", seed=42,
               shuffle=True,
               optimizer=dict(kind="adam", lr=0.001, beta1=0.9, beta2=0.999,
                              eps=1e-08),
               data=dict(kind="idx", dir="/data", files=["a.gz", "b.gz"],
                         scale=0.0039215686200000001),
               test=dict(kind="idx", files=["/data/c.gz", "/data/d.gz"])),
    label=tensor("i32", [-1]),
    optimizer_state=[
        tensor("f32", shape, param=p, slot=slot)
        for p, shape in [("dense.w", [784, 256]), ("dense.b", [256])]
        for slot in ["exp_avg", "exp_avg_sq"]],
    entries=["forward", "train_step", "gradients"],
    build={"target": "cpu", "opt": "-O2"},
    cost=dict(batch=64, forward_flops=25000000, step_flops=75000000,
              activation_bytes=70000),
    line_costs=[dict(file="/m.nn", line=3, flops=25000000,
                     text="return dense(x, 10)")]))
write("manifest", "regression-cuda", manifest(
    model="Reg", device=dict(kind="cuda", arch="sm_90"),
    inputs=[tensor("f32", [-1, 3], name="x"), tensor("f32", [-1, 2], name="z")],
    params=[tensor("f32", [3, 1], name="w",
                   init=dict(kind="uniform", lo=-0.5, hi=0.5)),
            tensor("f32", [1], name="c", init=dict(kind="constant", value=0.25)),
            tensor("f32", [2], name="n", init=dict(kind="normal", mean=0,
                                                   std=0.01)),
            tensor("f32", [2, 2], name="h", init=dict(kind="he_normal",
                                                      fan_in=2))],
    outputs=[tensor("f32", [-1, 1], name="y")],
    train=dict(batch=8, loss="mse", shuffle=False,
               optimizer=dict(kind="sgd", lr=0.01),
               data=dict(kind="npy", files=["x.npy", "y.npy"])),
    label=tensor("f32", [-1, 1]), entries=["forward"]))
write("manifest", "predict-only", manifest(
    model="P", inputs=[tensor("u8", [-1, 2, 2], name="x")],
    outputs=[tensor("f32", [-1])], entries=["forward"],
    future={"field": "kept"}))
write("manifest", "bad-version", json.dumps(
    dict(format="nnc-manifest", version=3, model="M")))
write("manifest", "bad-text-manifest", "nnc-manifest\t1\nmodel\tM\n")
write("manifest", "bad-json", '{"format": "nnc-manifest", "version": 2, "inputs": [')
write("manifest", "bad-dtype", manifest(
    inputs=[tensor("f33", [-1, 4], name="x")], outputs=[tensor("f32", [-1, 2])]))
write("manifest", "bad-shape", manifest(
    inputs=[tensor("f32", [-1, 4], name="x")], outputs=[tensor("f32", [-1, 2])],
    params=[tensor("f32", [4, "x"], name="w")]))
write("manifest", "bad-no-output", manifest(
    inputs=[tensor("f32", [4], name="x")]))
write("manifest", "bad-train-value", manifest(
    inputs=[tensor("f32", [-1, 4], name="x")], outputs=[tensor("f32", [-1, 2])],
    train=dict(batch="many")))

# The examples' manifests, as nnc (the first argument) embeds them.
if len(sys.argv) > 1:
    examples = os.path.realpath(os.path.join(ROOT, "..", "..", "examples"))
    for name in ["autoencoder", "digits_csv", "fashion_mnist_mlp", "lenet"]:
        ir = subprocess.run(
            [sys.argv[1], os.path.join(examples, name + ".nn"),
             "--emit=llvm-ir", "--mcpu=x86-64"],
            check=True, capture_output=True, text=True).stdout
        text = re.search(r'@nnc_manifest = .*?c"(.*)\\00"', ir).group(1)
        text = re.sub(r"\\([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)),
                      text)
        text = text.replace(examples, "examples")
        path = os.path.join(ROOT, "manifest", "example-" + name)
        with open(path, "w") as f:
            f.write(text)
