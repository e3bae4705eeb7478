"""Copies a safetensors file keeping only the parameters (as a user exporting
from PyTorch would have), or with --rename A=B / --retype NAME=DTYPE /
--reshape NAME=D0,D1 / --add NAME / --set NAME=INDEX:VALUE (an f32 element,
e.g. lin.w=4:nan) damages it for error tests.
usage: strip_optimizer.py IN OUT [edits...]"""
import json
import struct
import sys

src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
data = open(src, "rb").read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
body = data[8 + n:]
header.pop("__metadata__", None)
tensors = {k: (v, body[v["data_offsets"][0]:v["data_offsets"][1]])
           for k, v in header.items() if not k.startswith("optimizer.")}
for i in range(0, len(edits), 2):
    op, arg = edits[i], edits[i + 1]
    name, _, value = arg.partition("=")
    if op == "--rename":
        tensors[value] = tensors.pop(name)
    elif op == "--retype":
        tensors[name][0]["dtype"] = value
    elif op == "--reshape":
        tensors[name][0]["shape"] = [int(d) for d in value.split(",")]
    elif op == "--set":
        index, _, v = value.partition(":")
        raw = bytearray(tensors[name][1])
        raw[4 * int(index):4 * int(index) + 4] = struct.pack("<f", float(v))
        tensors[name] = (tensors[name][0], bytes(raw))
    elif op == "--add":
        tensors[name] = ({"dtype": "F32", "shape": [1]}, b"\0\0\0\0")
out_header, out_body = {}, b""
for k, (info, raw) in tensors.items():
    out_header[k] = dict(info, data_offsets=[len(out_body), len(out_body) + len(raw)])
    out_body += raw
text = json.dumps(out_header).encode()
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + out_body)
