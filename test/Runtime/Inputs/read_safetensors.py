"""Prints a safetensors file's header facts and tensors, reading the format
from its definition (u64 LE header length, JSON header, raw data)."""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32,
          "I64": np.int64, "U8": np.uint8}

data = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
print("header aligned", int((8 + n) % 8 == 0))
print("metadata", header.pop("__metadata__", {}))
body = data[8 + n:]
for name, info in header.items():
    begin, end = info["data_offsets"]
    a = np.frombuffer(body[begin:end], DTYPES[info["dtype"]]).reshape(info["shape"])
    print(name, a.dtype, a.shape, a.ravel().tolist())
