"""Writes safetensors files for the runtime's reader: a good one, or with
--damaged a family of broken ones (PATH.short, PATH.json, ...)."""
import json
import struct
import sys

import numpy as np


def pack(header, body, pad=True):
    text = json.dumps(header).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + body


def good():
    tensors = {"half": np.ones(2, np.float16), "w": np.arange(4, dtype=np.float32).reshape(2, 2) + 1,
               "d": np.array([1, 2, 3], np.float64), "i": np.array([1, 2], np.int64),
               "u": np.ones(3, np.uint8)}
    names = {np.float16: "F16", np.float32: "F32", np.float64: "F64", np.int64: "I64", np.uint8: "U8"}
    header, body = {"__metadata__": {"format": "pt"}}, b""
    for name, a in tensors.items():
        header[name] = {"dtype": names[a.dtype.type], "shape": list(a.shape),
                        "data_offsets": [len(body), len(body) + a.nbytes]}
        body += a.tobytes()
    return pack(header, body)


path = sys.argv[1]
if "--damaged" not in sys.argv:
    open(path, "wb").write(good())
    sys.exit(0)
w = np.ones(4, np.float32).tobytes()
entry = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}
files = {
    "short": pack({"w": entry}, w[:12]),
    "tiny": b"\x01\x00",
    "hugeheader": b"\xff" * 8 + b"{}",
    "cutheader": struct.pack("<Q", 100) + b"{" + b" " * 19,
    "json": struct.pack("<Q", 7) + b'{"w" 1}',
    "offsets": pack({"w": dict(entry, data_offsets=[0, 12])}, w[:12]),
    "dtype": pack({"w": dict(entry, dtype="Q7")}, w),
    "fields": pack({"w": {"dtype": "F32"}}, w),
}
for suffix, data in files.items():
    open(path + "." + suffix, "wb").write(data)
